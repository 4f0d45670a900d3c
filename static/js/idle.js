// The idle timeout: a warning a minute before the server signs the user out, with a button that
// keeps the session; typing or clicking on the page also counts, at most once a minute.
(function () {
  "use strict";
  var body = document.body;
  var idle = Number(body.dataset.idleSeconds || 0);
  if (!idle) { return; }
  var keepalive = body.dataset.keepaliveUrl;
  var token = body.dataset.csrfToken;
  var dialog = document.getElementById("idle-warning");
  var lastPing = Date.now();
  var active = false;
  var warnTimer, endTimer;

  function schedule() {
    clearTimeout(warnTimer); clearTimeout(endTimer);
    warnTimer = setTimeout(warn, Math.max(idle - 60, 1) * 1000);
    endTimer = setTimeout(function () { window.location.reload(); }, (idle + 1) * 1000);
  }
  function warn() {
    if (dialog) { dialog.hidden = false; dialog.querySelector("button").focus(); }
  }
  function ping() {
    lastPing = Date.now(); active = false;
    return fetch(keepalive, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": token, "Accept": "application/json"}
    }).then(function (response) {
      if (response.ok) { if (dialog) { dialog.hidden = true; } schedule(); }
      else { window.location.reload(); }
    });
  }
  ["keydown", "click"].forEach(function (name) {
    document.addEventListener(name, function () {
      active = true;
      if (Date.now() - lastPing > 60000 && (!dialog || dialog.hidden)) { ping(); }
    });
  });
  if (dialog) {
    dialog.querySelector("button").addEventListener("click", function (event) {
      event.stopPropagation(); ping();
    });
  }
  schedule();
})();
