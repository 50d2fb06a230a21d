// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The encrypted draft carried across a log-in after an idle timeout (see "Idle warning" below).
  var DRAFT_STORAGE_KEY = "mend.idle-draft";
  function forgetDraft() {
    try { window.sessionStorage.removeItem(DRAFT_STORAGE_KEY); } catch (e) { /* storage may be off */ }
  }

  // Quick exit: leave at once (replacing this page in history), signing out in the background.
  function quickExit(form) {
    var url = form.getAttribute("data-quick-exit-url");
    forgetDraft();
    try {
      if (navigator.sendBeacon) {
        navigator.sendBeacon(form.action, new FormData(form));
      }
    } catch (e) { /* leaving matters more than signing out */ }
    window.location.replace(url);
  }

  // Escape means "close this list" or "leave this field" only where text is typed or a list is open;
  // on a radio button, a checkbox, a slider or a button it can count towards the quick exit.
  var NOT_TEXT = ["radio", "checkbox", "range", "button", "submit", "reset", "color", "file", "image"];
  function takesText(element) {
    if (!element || !element.closest) { return false; }
    if (element.closest("textarea, select, [contenteditable]:not([contenteditable='false'])")) { return true; }
    if (element.tagName === "INPUT") {
      return NOT_TEXT.indexOf((element.getAttribute("type") || "text").toLowerCase()) === -1;
    }
    return false;
  }

  var exitForm = document.querySelector("form.quick-exit");
  if (exitForm) {
    exitForm.addEventListener("submit", function (event) {
      event.preventDefault();
      quickExit(exitForm);
    });
    // Pressing Escape twice within a second does the same.
    var lastEscape = 0;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || event.repeat) { return; }
      if (takesText(event.target)) {
        lastEscape = 0;
        return;
      }
      var now = Date.now();
      if (now - lastEscape < 1000) { quickExit(exitForm); }
      lastEscape = now;
    });
  }

  // Logging out on purpose carries nothing over (the server also sends Clear-Site-Data).
  document.querySelectorAll("form[data-log-out]").forEach(function (form) {
    form.addEventListener("submit", forgetDraft);
  });

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

  // The main menu on a phone (a <details> that works without this): Escape or a tap elsewhere closes it.
  var menu = document.querySelector("details[data-site-menu]");
  if (menu) {
    var toggle = menu.querySelector("summary");
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open && menu.contains(document.activeElement)) {
        menu.open = false;
        toggle.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
    // Tabbing on past the last link closes it, so the next control isn't hidden under the open list.
    menu.addEventListener("focusout", function (event) {
      if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) { menu.open = false; }
    });
  }

  // A table or chart wider than its box scrolls sideways: make it reachable by keyboard, with a name.
  function nameScrollers() {
    document.querySelectorAll(".table-wrap, .chart-frame, [data-scroll-region]").forEach(function (box) {
      if (box.hasAttribute("tabindex") || box.scrollWidth <= box.clientWidth + 1) { return; }
      var named = box.closest("figure, section, details");
      var label = named && named.querySelector("figcaption, caption, h2, h3, summary");
      var table = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", ((table || label) ? (table || label).textContent : document.title).trim());
    });
  }
  nameScrollers();
  window.addEventListener("resize", nameScrollers);
  document.addEventListener("toggle", nameScrollers, true);  // a table inside <details> opening
})();

// Idle warning. The server ends a session after SESSION_COOKIE_AGE without a request; two minutes before,
// this asks "Stay logged in?" (a tiny POST pushes the expiry forward). Ignored, the page leaves for the
// log-in page when the session ends, and whatever was half-written in a form comes back after signing in
// again. The words travel only for that hop: encrypted with a key that is in the person's own signed-in
// pages and nowhere else (so not on the log-in page, and not for anyone else signing in on this tab),
// kept in sessionStorage (this tab only), and removed as soon as they're restored, on log-out and on
// quick exit. Nothing is ever sent to the server.
(function () {
  "use strict";
  var DRAFT_STORAGE_KEY = "mend.idle-draft";
  var DRAFT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
  var body = document.body;
  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds") || "", 10);
  if (!idleSeconds) { return; }  // not signed in: there is no session to end
  var warningSeconds = parseInt(body.getAttribute("data-idle-warning-seconds") || "120", 10);
  var keepAliveUrl = body.getAttribute("data-keep-alive-url");
  var loginUrl = body.getAttribute("data-login-url");
  var keyHex = body.getAttribute("data-draft-key") || "";
  var dialog = document.querySelector("[data-idle-warning]");
  var subtle = window.crypto && window.crypto.subtle;

  // --- carrying a draft across the log-in ------------------------------------------------------------
  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }
  function key(usage) {
    var bytes = new Uint8Array(keyHex.length / 2);
    for (var i = 0; i < bytes.length; i++) { bytes[i] = parseInt(keyHex.substr(i * 2, 2), 16); }
    return subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, [usage]);
  }
  function toBase64(bytes) {
    var text = "";
    bytes.forEach(function (b) { text += String.fromCharCode(b); });
    return window.btoa(text);
  }
  function fromBase64(text) {
    return Uint8Array.from(window.atob(text), function (c) { return c.charCodeAt(0); });
  }
  function seal(value) {
    var iv = window.crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(value));
    return key("encrypt").then(function (k) {
      return subtle.encrypt({ name: "AES-GCM", iv: iv }, k, plain);
    }).then(function (sealed) {
      return toBase64(iv) + "." + toBase64(new Uint8Array(sealed));
    });
  }
  function unseal(text) {
    var parts = text.split(".");
    return key("decrypt").then(function (k) {
      return subtle.decrypt({ name: "AES-GCM", iv: fromBase64(parts[0]) }, k, fromBase64(parts[1]));
    }).then(function (plain) {
      return JSON.parse(new TextDecoder().decode(plain));
    });
  }

  // Forms someone has started to fill in; never log-in, password, log-out or quick-exit forms.
  var SKIP_TYPES = ["hidden", "password", "file", "submit", "button", "reset", "image"];
  var touched = [];
  function draftable(form) {
    return form && form.method === "post" && !form.matches(".quick-exit, [data-log-out], [data-no-draft]") &&
      !form.querySelector("input[type='password']");
  }
  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (draftable(form) && touched.indexOf(form) === -1) { touched.push(form); }
  }, true);
  document.addEventListener("change", function (event) {
    var form = event.target && event.target.form;
    if (draftable(form) && touched.indexOf(form) === -1) { touched.push(form); }
  }, true);
  function formIndex(form) {
    return Array.prototype.indexOf.call(document.forms, form);
  }
  function fieldsOf(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      var type = (field.type || "").toLowerCase();
      if (!field.name || field.disabled || SKIP_TYPES.indexOf(type) !== -1) { return; }
      if (type === "radio" || type === "checkbox") {
        fields[field.name] = fields[field.name] || [];
        if (field.checked) { fields[field.name].push(field.value); }
      } else if (type === "select-multiple") {
        fields[field.name] = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        fields[field.name] = field.value;
      }
    });
    return fields;
  }
  function stashDraft() {
    var store = storage();
    if (!touched.length || !store || !subtle || !keyHex) { return Promise.resolve(); }
    var forms = touched.map(function (form) {
      return { index: formIndex(form), action: form.getAttribute("action") || "", fields: fieldsOf(form) };
    });
    return seal({ path: window.location.pathname, forms: forms }).then(function (sealed) {
      store.setItem(DRAFT_STORAGE_KEY, JSON.stringify({ savedAt: Date.now(), sealed: sealed }));
    });
  }
  function fill(form, fields) {
    Array.prototype.forEach.call(form.elements, function (field) {
      var type = (field.type || "").toLowerCase();
      if (!field.name || !(field.name in fields) || SKIP_TYPES.indexOf(type) !== -1) { return; }
      var value = fields[field.name];
      if (type === "radio" || type === "checkbox") {
        field.checked = value.indexOf(field.value) !== -1;
      } else if (type === "select-multiple") {
        Array.prototype.forEach.call(field.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
      } else {
        field.value = value;
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
    if (touched.indexOf(form) === -1) { touched.push(form); }
  }
  function sayRestored() {
    var note = document.querySelector("[data-draft-note]");
    if (!note) { return; }
    note.className = "draft-note message message--info";
    note.textContent = note.getAttribute("data-restored-text");
  }
  function restoreDraft() {
    var store = storage();
    var raw = store && store.getItem(DRAFT_STORAGE_KEY);
    if (!raw) { return; }
    store.removeItem(DRAFT_STORAGE_KEY);  // one chance: restored here, or gone
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { return; }
    if (!saved || !saved.sealed || !subtle || !keyHex || Date.now() - saved.savedAt > DRAFT_MAX_AGE_MS) { return; }
    unseal(saved.sealed).then(function (draft) {
      if (draft.path !== window.location.pathname) { return; }
      var restored = false;
      draft.forms.forEach(function (item) {
        var form = document.forms[item.index];
        if (!form || (form.getAttribute("action") || "") !== item.action) { return; }
        fill(form, item.fields);
        restored = true;
      });
      if (restored) { sayRestored(); }
    }, function () { /* someone else's, or from before a password change: dropped */ });
  }
  restoreDraft();

  // --- the timer ----------------------------------------------------------------------------------
  var lastContact = Date.now();  // this page just came from the server
  var warned = false;
  var leaving = false;
  var pinging = false;
  var returnFocus = null;
  var pingAfterMs = Math.min(60000, idleSeconds * 250);
  var channel = null;
  try { channel = new BroadcastChannel("mend-session"); } catch (e) { channel = null; }

  function contacted(at) {
    lastContact = Math.max(lastContact, at);
    if (warned) { hideWarning(); }
  }
  if (channel) {
    // Another tab of Mend reached the server: the session is alive for this one too.
    channel.onmessage = function (event) {
      if (event.data && typeof event.data.contact === "number") { contacted(event.data.contact); }
    };
    channel.postMessage({ contact: lastContact });
  }

  function csrfToken() {
    var input = document.querySelector("form.quick-exit input[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }
  function keepAlive() {
    if (pinging) { return Promise.resolve(true); }
    pinging = true;
    return window.fetch(keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
      redirect: "manual",  // an ended session answers with the log-in redirect
      cache: "no-store"
    }).then(function (response) {
      pinging = false;
      if (response.status !== 204) { return false; }
      var at = Date.now();  // after the server pushed the expiry forward, so never ahead of it
      contacted(at);
      if (channel) { channel.postMessage({ contact: at }); }
      return true;
    }, function () {
      pinging = false;
      return true;  // offline for a moment: the timer still ends the session on time
    });
  }

  function showWarning() {
    if (!dialog || warned) { return; }
    warned = true;
    returnFocus = document.activeElement;
    dialog.hidden = false;
    var stay = dialog.querySelector("[data-idle-stay]");
    if (stay) { stay.focus(); }
  }
  function hideWarning() {
    if (!dialog || !warned) { return; }
    warned = false;
    var hadFocus = dialog.contains(document.activeElement);
    dialog.hidden = true;
    if (hadFocus && returnFocus && returnFocus.focus && document.contains(returnFocus)) { returnFocus.focus(); }
  }
  function stay() {
    keepAlive().then(function (alive) { if (!alive) { leave(); } });
  }
  function leave() {
    if (leaving) { return; }
    leaving = true;
    var go = function () {
      window.location.assign(loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    };
    var safety = window.setTimeout(go, 2000);  // never stay on a private page waiting for the crypto
    stashDraft().then(function () { window.clearTimeout(safety); go(); }, function () { window.clearTimeout(safety); go(); });
  }

  if (dialog) {
    dialog.querySelector("[data-idle-stay]").addEventListener("click", stay);
    dialog.querySelector("[data-idle-leave]").addEventListener("click", function () {
      var logOut = document.querySelector("form[data-log-out]");
      try { window.sessionStorage.removeItem(DRAFT_STORAGE_KEY); } catch (e) { /* nothing kept */ }
      if (logOut) { logOut.submit(); } else { leave(); }
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { stay(); }  // Escape twice still means quick exit
    });
  }

  // Someone typing or tapping is at the screen: that counts as activity, at most once a minute.
  function active(event) {
    if (leaving || (dialog && dialog.contains(event.target))) { return; }
    if (warned) { stay(); return; }
    if (Date.now() - lastContact > pingAfterMs) { keepAlive(); }
  }
  ["keydown", "input", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, active, true);
  });

  // Checked every second against the clock, so a laptop waking from sleep leaves at once if it's late.
  window.setInterval(function () {
    if (leaving) { return; }
    var now = Date.now();
    if (now >= lastContact + idleSeconds * 1000 + 2000) { leave(); return; }
    if (!warned && now >= lastContact + (idleSeconds - warningSeconds) * 1000) { showWarning(); }
  }, 1000);
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

// A form sent back with errors: focus goes to its summary (the list of fields to fix), not left on the page.
(function () {
  "use strict";
  var summary = document.querySelector("main [data-error-summary]");
  if (summary) { summary.focus(); }
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
