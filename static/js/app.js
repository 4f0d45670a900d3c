// The site's behaviour, from a file so that the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // One submission per form: the server answers a second one anyway (a one-time token or a
  // rule), but a disabled button tells the user the first is on its way.
  document.querySelectorAll("form.submit-once").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });

  // The error summary takes the focus, so a screen reader announces what needs fixing.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    // A link of the summary puts the focus in its field and shows the field's question
    // (its label, or the legend of a radio group) above it, as GOV.UK's summary does.
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) { return; }
        event.preventDefault();
        var choice = field.type === "radio" || field.type === "checkbox";
        var group = choice ? field.closest("fieldset") : null;
        var question = (group && group.querySelector("legend")) ||
          document.querySelector("label[for='" + field.id + "']") || field;
        question.scrollIntoView();
        field.focus({ preventScroll: true });
      });
    });
  }

  // A question that matters only while a box is unticked (the server still decides).
  document.querySelectorAll("[data-shown-unless-checked]").forEach(function (part) {
    var box = document.getElementById(part.getAttribute("data-shown-unless-checked"));
    if (!box) { return; }
    var show = function () { part.hidden = box.checked; };
    box.addEventListener("change", show);
    show();
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-select-on-click]").forEach(function (input) {
    input.addEventListener("click", function () { input.select(); });
  });
})();
