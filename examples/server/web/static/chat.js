// Keeps the client's chat live: every two seconds the conversation is
// read again (a POST, so no personal data travels in the URL) and its
// state and messages replaced; the message being typed is left alone.
(function () {
  var form = document.getElementById("refresh-form");
  var conv = document.getElementById("conversation");
  if (!form || !conv || !window.fetch || !window.DOMParser) { return; }
  var busy = false;
  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(form.action, {method: "POST", credentials: "same-origin",
      body: new URLSearchParams(new FormData(form))}).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("conversation");
      if (fresh && fresh.innerHTML !== conv.innerHTML) { conv.innerHTML = fresh.innerHTML; }
    }).catch(function () {}).finally(function () { busy = false; });
  }
  setInterval(refresh, 2000);
})();
