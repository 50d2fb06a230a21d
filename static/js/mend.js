// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Quick exit: leave at once (replacing this page in history), signing out in the background.
  function quickExit(form) {
    var url = form.getAttribute("data-quick-exit-url");
    try {
      if (navigator.sendBeacon) {
        navigator.sendBeacon(form.action, new FormData(form));
      }
    } catch (e) { /* leaving matters more than signing out */ }
    window.location.replace(url);
  }

  var exitForm = document.querySelector("form.quick-exit");
  if (exitForm) {
    exitForm.addEventListener("submit", function (event) {
      event.preventDefault();
      quickExit(exitForm);
    });
    // Pressing Escape twice within a second does the same, except while typing or choosing in a
    // form control, where Escape already means "close this list" or "leave this field".
    var lastEscape = 0;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || event.repeat) { return; }
      var target = event.target;
      if (target && target.closest && target.closest("input, select, textarea, [contenteditable]")) {
        lastEscape = 0;
        return;
      }
      var now = Date.now();
      if (now - lastEscape < 1000) { quickExit(exitForm); }
      lastEscape = now;
    });
  }

  // Sign-up: preselect the browser's time zone when the list offers it.
  var zoneSelects = document.querySelectorAll("select[data-detect-time-zone]");
  if (zoneSelects.length && window.Intl && Intl.DateTimeFormat) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    zoneSelects.forEach(function (select) {
      if (select.dataset.userChosen) { return; }
      var match = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
      if (zone && match && select.value === "UTC") { select.value = zone; }
      select.addEventListener("change", function () { select.dataset.userChosen = "1"; });
    });
  }
})();
