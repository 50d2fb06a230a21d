// PHQ-9 page: the moment an answer above "Not at all" is chosen for item 9, show the crisis lines that sit
// right below it, and move focus there so a screen reader reads them too. Without JavaScript the same lines
// are shown after sending (checkins/wellbeing_views.py).
(function () {
  "use strict";
  var box = document.querySelector("[data-crisis-now]");
  if (!box) return;
  var shown = false;
  document.querySelectorAll("input[data-self-harm-item]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.checked && input.value !== "0") {
        box.hidden = false;
        if (!shown) {
          shown = true;
          box.focus();
        }
      }
    });
  });
})();
