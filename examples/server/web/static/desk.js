// Keeps the desk live: on every "desk" server-sent event the work area is
// fetched again and replaced, keeping the keyboard focus where it was when
// the focused control still exists.
(function () {
  var work = document.getElementById("work");
  var live = document.getElementById("live");
  if (!work || !window.EventSource) { return; }
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var focused = document.activeElement && document.activeElement.getAttribute("aria-label");
    fetch("/desk/work", {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.text();
    }).then(function (html) {
      work.innerHTML = html;
      if (focused) {
        var el = work.querySelector('[aria-label="' + focused.replace(/"/g, '') + '"]');
        if (el) { el.focus(); }
      }
      live.textContent = "Updated " + new Date().toLocaleTimeString();
    }).catch(function () { live.textContent = "Update failed; reload the page."; })
      .finally(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var es = new EventSource("/desk/events");
  es.addEventListener("desk", refresh);
  es.onerror = function () { live.textContent = "Reconnecting…"; };
  es.onopen = function () { live.textContent = "Live updates on."; };
})();
