// Keeps the client's chat live: every two seconds the conversation is
// read again (a POST, so no personal data travels in the URL) and its
// state, messages and actions replaced in place, so that the live regions
// stay and announce what changed; the message being typed is left alone.
(function () {
  var form = document.getElementById("refresh-form");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var parts = ["state", "messages", "chat-actions"];
  var busy = false;
  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(form.action, {method: "POST", credentials: "same-origin",
      body: new URLSearchParams(new FormData(form))}).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      parts.forEach(function (id) {
        var now = document.getElementById(id), fresh = doc.getElementById(id);
        if (now && fresh && fresh.innerHTML !== now.innerHTML) { now.innerHTML = fresh.innerHTML; }
      });
    }).catch(function () {}).finally(function () { busy = false; });
  }
  setInterval(refresh, 2000);
})();
