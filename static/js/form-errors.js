// The GOV.UK error pattern, on every page with an error summary (templates/_error_summary.html loads this file):
// focus moves to the summary when the page loads; a link in it focuses its field (and opens a closed <details>
// around it); a field the person changes loses its error styling at once.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary || summary.dataset.ready) { return; }
  summary.dataset.ready = "yes";
  summary.focus();

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var details = field.closest("details");
    if (details) { details.open = true; }
    field.focus();
    field.scrollIntoView({block: "center"});
  });

  function fixed(event) {
    var field = event.target;
    if (!field.classList || !field.name) { return; }
    var group = field.form ? field.form.querySelectorAll("[name='" + field.name + "']") : [field];
    Array.prototype.forEach.call(group, function (input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    });
    var wrapper = field.closest(".mb-3, fieldset");
    if (!wrapper) { return; }
    wrapper.querySelectorAll(".invalid-feedback").forEach(function (message) { message.hidden = true; });
    wrapper.querySelectorAll(".is-invalid").forEach(function (element) { element.classList.remove("is-invalid"); });
  }
  document.addEventListener("input", fixed);
  document.addEventListener("change", fixed);
})();
