// A parent's answer page on a phone: one screen at a time (GOV.UK's "one thing per page"). The agreement: the pupil
// agreement, the home agreement, then the answer; photograph consent: the consent form, each use asked on its own,
// then the rest with the button. Each screen's heading says "Step N of M" and takes the focus when the screen
// changes (which is what a screen reader reads out); "Continue" does not leave a question unanswered, and says why
// with the server's own message, beside the question, as the server would. The elements of a screen are marked in
// answer.html (data-answer-screen). Wider than a phone, without this script, or after a refused answer (the error
// summary's links must reach every field, and every problem is shown at once), the page is one page, as it is
// without the script.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form || !window.matchMedia || document.getElementById("error-summary")) { return; }
  var send = form.querySelector("button[type=submit]");
  var parts = Array.prototype.slice.call(document.querySelectorAll("[data-answer-screen]"));
  var names = [];
  parts.forEach(function (part) {
    var name = part.dataset.answerScreen;
    if (name !== "answer" && names.indexOf(name) === -1) { names.push(name); }
  });
  names.push("answer");  // the answer, with the button, always last
  if (!send || names.length < 2) { return; }

  var phone = window.matchMedia("(max-width: 575.98px)");
  var screens = [];  // {parts, heading, nav} while stepping
  var current = 0;
  var stepping = false;
  var undo = [];  // what stepping added or changed, put back (last first) when the page is wider again

  function partsOf(name) {
    return parts.filter(function (part) { return part.dataset.answerScreen === name; });
  }

  function controls(part) {
    return Array.prototype.slice.call(part.querySelectorAll("input, select, textarea"));
  }

  function unanswered(part) {
    if (!part.dataset.answerRequired) { return false; }
    var inputs = controls(part);
    if (inputs.length && (inputs[0].type === "radio" || inputs[0].type === "checkbox")) {
      return !inputs.some(function (input) { return input.checked; });
    }
    return !inputs.some(function (input) { return input.value.trim() !== ""; });
  }

  // The error as the server shows it (crispy's markup: the message after the last control, the controls marked
  // invalid, the group or the field described by the message), so the page looks the same whoever found it.
  function errorId(part) { return "id_" + controls(part)[0].name + "_error"; }

  function showError(part) {
    var id = errorId(part);
    if (document.getElementById(id)) { return; }
    var inputs = controls(part);
    var message = document.createElement("div");
    message.id = id;
    message.className = "invalid-feedback";
    var line = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = part.dataset.answerRequired;
    line.appendChild(strong);
    message.appendChild(line);
    var last = inputs[inputs.length - 1];
    (last.closest(".form-check") || last.parentNode).appendChild(message);
    inputs.forEach(function (input) {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
    });
    (part.querySelector("fieldset") || inputs[0]).setAttribute("aria-describedby", id);
  }

  function clearError(part) {
    var message = document.getElementById(errorId(part));
    if (!message) { return; }
    message.remove();
    controls(part).forEach(function (input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    });
    (part.querySelector("fieldset") || controls(part)[0]).removeAttribute("aria-describedby");
  }

  parts.forEach(function (part) {
    if (!part.dataset.answerRequired) { return; }
    part.addEventListener("change", function () {
      if (!unanswered(part)) { clearError(part); }
    });
  });

  // The screen's heading: its own <h2>; for a question, an <h2> around its legend's words (a heading inside the
  // legend, as on GOV.UK's question pages); for a text with no heading of its own, one named as the text is.
  function headingOf(own) {
    for (var i = 0; i < own.length; i += 1) {
      if (own[i].tagName === "H2") { return own[i]; }
      var inner = own[i].querySelector("h2");
      if (inner) { return inner; }
    }
    var heading = document.createElement("h2");
    var legend = own[0].querySelector("legend");
    if (legend) {
      heading.className = "h5 mb-0";
      while (legend.firstChild) { heading.appendChild(legend.firstChild); }
      legend.appendChild(heading);
      undo.push(function () {
        while (heading.firstChild) { legend.appendChild(heading.firstChild); }
        heading.remove();
      });
    } else {
      var text = own[0].querySelector("[role=region]");
      heading.className = "h5 mt-4";
      heading.textContent = text ? text.getAttribute("aria-label") : "";
      own[0].insertBefore(heading, own[0].firstChild);
      undo.push(function () { heading.remove(); });
    }
    return heading;
  }

  function button(text, classes, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn " + classes;
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  function show(index, moveFocus) {
    current = index;
    screens.forEach(function (screen, i) {
      screen.parts.forEach(function (part) { part.hidden = i !== index; });
      screen.nav.hidden = i !== index;
    });
    if (moveFocus) {
      screens[index].heading.focus({preventScroll: true});
      // A new screen, not a glide up the old one; and again next frame, in case the button's own scroll into
      // view (smooth, by Bootstrap's scroll-behavior) is still under way.
      var top = function () { window.scrollTo({top: 0, left: 0, behavior: "instant"}); };
      top();
      window.requestAnimationFrame(top);
    }
  }

  function goOn() {
    var missing = screens[current].parts.filter(unanswered);
    if (missing.length) {
      missing.forEach(showError);
      controls(missing[0])[0].focus();  // read out with its group and the message; nothing is chosen
      return;
    }
    show(current + 1, true);
  }

  function goBack() { show(current - 1, true); }

  function enter() {
    stepping = true;
    var last = names.length - 1;
    screens = names.map(function (name, index) {
      var own = partsOf(name);
      var heading = headingOf(own);
      var step = document.createElement("span");
      step.className = "d-block small text-body-secondary fw-normal mb-1";
      step.textContent = "Step " + (index + 1) + " of " + names.length;
      var gap = document.createTextNode(" ");
      heading.insertBefore(gap, heading.firstChild);
      heading.insertBefore(step, gap);
      heading.tabIndex = -1;
      heading.classList.add("answer-step-heading");
      var nav = document.createElement("div");
      nav.className = index === last ? "mt-2" : "mt-4";  // no display utility: it would beat [hidden]
      if (index < last) { nav.appendChild(button("Continue", "btn-primary btn-lg w-100", goOn)); }
      if (index > 0) { nav.appendChild(button("Back", "btn-outline-secondary w-100 mt-2", goBack)); }
      (index === last ? send : own[own.length - 1]).after(nav);
      undo.push(function () {
        step.remove();
        gap.remove();
        nav.remove();
        heading.removeAttribute("tabindex");
        heading.classList.remove("answer-step-heading");
      });
      return {parts: own, heading: heading, nav: nav};
    });
    var start = current;
    screens.forEach(function (screen, index) {
      if (screen.parts.some(function (part) { return part.contains(document.activeElement); })) { start = index; }
    });
    show(start, false);
  }

  function leave() {
    var screen = screens[current];
    var lost = screen.nav.contains(document.activeElement);
    parts.forEach(function (part) { part.hidden = false; });
    while (undo.length) { undo.pop()(); }
    screens = [];
    stepping = false;
    if (lost) {  // a Continue or Back button that has gone: the focus stays where the person was
      var first = screen.parts[0];
      var target = first.matches("h2, legend") ? first : first.querySelector("h2, legend") || first;
      target.tabIndex = -1;
      target.classList.add("answer-step-heading");
      target.addEventListener("blur", function () {
        target.removeAttribute("tabindex");
        target.classList.remove("answer-step-heading");
      }, {once: true});
      target.focus();
    }
  }

  // Enter in a field sends the form: before the last screen, it means "Continue".
  form.addEventListener("submit", function (event) {
    if (stepping && current < screens.length - 1) {
      event.preventDefault();
      goOn();
    }
  });

  function fit() {
    if (phone.matches && !stepping) { enter(); } else if (!phone.matches && stepping) { leave(); }
  }
  if (phone.addEventListener) { phone.addEventListener("change", fit); } else { phone.addListener(fit); }
  fit();
}());
