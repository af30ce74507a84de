// A parent's answer page: the reason for declining is asked for only once "I decline" is chosen. Without this
// script the field is simply always shown (its label says it is for declining).
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var box = document.getElementById("decline-reason-box");
  if (!form || !box) { return; }
  var decline = form.querySelector("input[name=decision][value=declined]");
  if (!decline) { return; }
  decline.setAttribute("aria-controls", "decline-reason-box");

  function showReason() {
    box.hidden = !decline.checked;
  }
  form.querySelectorAll("input[name=decision]").forEach(function (input) {
    input.addEventListener("change", showReason);
  });
  showReason();
}());
