// OpenAIMS page behaviour. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // Ask before destructive or irreversible actions: <form data-confirm="Delete this risk?">
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // Show a part of a form only for some values of a select:
  // <fieldset data-show-when="id_kind" data-show-values="fairness performance">
  function showDependents() {
    var parts = document.querySelectorAll("[data-show-when]");
    for (var i = 0; i < parts.length; i++) {
      var select = document.getElementById(parts[i].getAttribute("data-show-when"));
      if (!select) { continue; }
      var values = parts[i].getAttribute("data-show-values").split(" ");
      parts[i].hidden = values.indexOf(select.value) === -1;
    }
  }
  document.addEventListener("DOMContentLoaded", showDependents);
  document.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") { showDependents(); }
  });
  // Auto-submit filter forms when a select changes: <form data-autosubmit>
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && event.target.tagName === "SELECT") {
      if (window.htmx && form.hasAttribute("hx-get")) { window.htmx.trigger(form, "submit"); }
      else { form.requestSubmit(); }
    }
  });
})();
