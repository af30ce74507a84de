// The pupils' link page: "Copy the link" puts the link on the clipboard (or, where the browser refuses, selects it
// for the person to copy) and says so in a live region. Without the script the button stays hidden and the link is
// selected and copied by hand.
(function () {
  "use strict";
  var button = document.getElementById("copy-link");
  var field = document.getElementById("pupil-link");
  var status = document.getElementById("copy-status");
  if (!button || !field || !status) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    field.focus();
    field.select();
    var done = function () { status.textContent = "Link copied."; };
    var byHand = function () { status.textContent = "The link is selected: copy it with Ctrl+C (or Cmd+C)."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, byHand);
    } else {
      byHand();
    }
  });
}());
