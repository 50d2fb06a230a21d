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

// Exercise timer: counts down each phase in turn. Without JavaScript the phases read as instructions.
(function () {
  "use strict";
  document.querySelectorAll("[data-timer]").forEach(function (box) {
    var phases = Array.prototype.slice.call(box.querySelectorAll("li[data-minutes]"));
    if (!phases.length) { return; }
    var clock = document.createElement("p");
    clock.className = "timer__clock";
    clock.setAttribute("role", "timer");
    clock.setAttribute("aria-live", "off");
    var status = document.createElement("p");
    status.setAttribute("aria-live", "polite");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Start";
    var noJs = box.querySelector(".timer__nojs");
    if (noJs) { noJs.hidden = true; }
    box.appendChild(clock);
    box.appendChild(status);
    box.appendChild(button);

    var index = -1, remaining = 0, ticking = null;
    function show() {
      var m = Math.floor(remaining / 60), s = remaining % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    }
    function startPhase(i) {
      phases.forEach(function (p, j) {
        p.classList.toggle("is-active", j === i);
        p.classList.toggle("is-done", j < i);
      });
      index = i;
      remaining = parseInt(phases[i].dataset.minutes, 10) * 60;
      status.textContent = phases[i].textContent;
      show();
    }
    function tick() {
      remaining -= 1;
      if (remaining <= 0) {
        if (index + 1 < phases.length) { startPhase(index + 1); return; }
        clearInterval(ticking); ticking = null;
        phases.forEach(function (p) { p.classList.remove("is-active"); p.classList.add("is-done"); });
        remaining = 0; show();
        status.textContent = "Time's up. Take a moment together before you talk about it.";
        button.textContent = "Start again";
        index = -1;
        return;
      }
      show();
    }
    button.addEventListener("click", function () {
      if (ticking) { clearInterval(ticking); ticking = null; button.textContent = "Resume"; return; }
      if (index === -1) { startPhase(0); }
      ticking = setInterval(tick, 1000);
      button.textContent = "Pause";
    });
  });
})();

// 0–10 sliders: show the chosen number beside the slider.
(function () {
  "use strict";
  document.querySelectorAll("input[data-scale]").forEach(function (input) {
    var output = document.createElement("output");
    output.className = "scale-value";
    output.htmlFor = input.id;
    output.textContent = input.value;
    input.insertAdjacentElement("afterend", output);
    input.addEventListener("input", function () { output.textContent = input.value; });
  });
})();

// Support page: links to it and the private safety question carry the browser's time zone, so someone
// who isn't signed in sees local numbers straight away. Without JavaScript the page offers a country list.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  if (!zone) { return; }
  function withZone(href) {
    var url = new URL(href, window.location.href);
    if (url.searchParams.has("tz") || url.searchParams.has("country")) { return null; }
    url.searchParams.set("tz", zone);
    return url.pathname + url.search + url.hash;
  }
  document.querySelectorAll("input[data-time-zone]").forEach(function (input) {
    if (!input.value) { input.value = zone; }
  });
  document.querySelectorAll("a[data-add-time-zone]").forEach(function (link) {
    try {
      var href = withZone(link.getAttribute("href"));
      if (href) { link.setAttribute("href", href); }
    } catch (e) { /* the link still works without the time zone */ }
  });
  // Opened with neither a country nor a time zone: look once, replacing this page in history.
  if (document.querySelector("[data-locate-by-time-zone]")) {
    var here = withZone(window.location.href);
    if (here) { window.location.replace(here); }
  }
})();

// --- Copy buttons (allauth pages: the authenticator key, recovery codes) ------------------------------
// A button with data-copy-text copies that text, and its status element (id in data-copy-status, an
// aria-live region) says whether it worked. Without JavaScript or a clipboard the button stays hidden:
// the key and the codes are plain, selectable text on the page.
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) { return; }
  document.querySelectorAll("button[data-copy-text]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    function say(attribute) {
      if (!status) { return; }
      // Emptied first, so pressing the button again is announced again.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = status.getAttribute(attribute); }, 50);
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-text")).then(
        function () { say("data-copied-text"); },
        function () { say("data-failed-text"); }
      );
    });
  });
})();
