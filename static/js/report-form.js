// The incident report form: show the evidence rules for image-abuse categories, hide the upload there,
// keep chosen pupils when the search results change (announcing each, and asking each one's role), reveal the allegation question's follow-up,
// and show what to do at once when the concern could be illegal.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var noUpload = JSON.parse(document.getElementById("no-upload-categories").textContent);
  var category = form.querySelector("[name=category]");
  var evidenceBox = document.getElementById("evidence-box");
  var evidenceRules = document.getElementById("evidence-rules");
  var riskWarning = document.getElementById("risk-warning");
  var illegalSteps = document.getElementById("illegal-steps");

  function couldBeIllegal() {
    var chosen = form.querySelector("[name=possibly_illegal]:checked");
    return Boolean(chosen && (chosen.value === "yes" || chosen.value === "not_sure"));
  }
  // No upload for an image-abuse category (its rules say why) or for a concern that could be illegal (its steps say
  // never to copy the content): the box is hidden and emptied.
  function showCategoryRules(event) {
    // A box sent back with its error stays in sight until the person changes an answer (the summary links to it).
    if (!event && evidenceBox.querySelector(".invalid-feedback")) { return; }
    var imageAbuse = noUpload.indexOf(parseInt(category.value, 10)) !== -1;
    var blocked = imageAbuse || couldBeIllegal();
    evidenceBox.hidden = blocked;
    evidenceRules.hidden = !imageAbuse;
    if (blocked) { evidenceBox.querySelector("input[type=file]").value = ""; }
  }
  function showRiskWarning() {
    var yes = form.querySelector("[name=immediate_risk][value=yes]");
    riskWarning.hidden = !(yes && yes.checked);
  }
  // "Could this be illegal?" answered yes or not sure: what to do (and not do) now, at once. Sending stays open.
  function showIllegalSteps() {
    illegalSteps.hidden = !couldBeIllegal();
  }
  form.querySelectorAll("[name=possibly_illegal]").forEach(function (input) {
    input.addEventListener("change", showIllegalSteps);
    input.addEventListener("change", showCategoryRules);
  });
  category.addEventListener("change", showCategoryRules);
  form.querySelectorAll("[name=immediate_risk]").forEach(function (input) {
    input.addEventListener("change", showRiskWarning);
  });

  // A ticked search result moves into the "chosen" list so a new search does not lose it.
  // Moving the box would drop keyboard focus to the page: it goes back to the box, and a screen reader is told.
  var chosen = document.getElementById("chosen-pupils");
  var added = document.getElementById("pupil-added");
  document.getElementById("pupil-results").addEventListener("change", function (event) {
    var input = event.target;
    if (input.name !== "pupils" || !input.checked) { return; }
    var item = input.closest(".form-check");
    var label = item.querySelector("label");
    chosen.appendChild(item);
    chosen.closest("fieldset").hidden = false;
    // The pupil's role: asked now, with nothing chosen (sent only from here, so a result box never overrides it).
    var role = item.querySelector(".pupil-role");
    if (role) {
      role.hidden = false;
      role.querySelector("select").disabled = false;
    }
    input.focus();
    added.textContent = "Added " + (label ? label.textContent.trim() : "a pupil") +
      " to the pupils chosen. Choose their role next.";
  });

  document.getElementById("pupil-search").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }  // searching must not send the report
  });

  var allegation = form.querySelector("[name=is_allegation]");
  var subject = document.getElementById("allegation-subject");
  function showAllegation() { subject.hidden = !allegation.checked; }
  allegation.addEventListener("change", showAllegation);

  // More than the site takes in one request would be refused whole (a 413 page): say so before anything is sent.
  var maxFilesBytes = parseInt(form.dataset.maxFilesBytes, 10);
  var tooLarge = document.getElementById("evidence-too-large");
  form.addEventListener("submit", function (event) {
    var files = evidenceBox.querySelector("input[type=file]").files || [];
    var total = 0;
    for (var i = 0; i < files.length; i += 1) { total += files[i].size; }
    tooLarge.hidden = !(total > maxFilesBytes);
    if (!tooLarge.hidden) {
      event.preventDefault();
      tooLarge.focus();
    }
  });

  showCategoryRules();
  showRiskWarning();
  showIllegalSteps();
  showAllegation();
})();
