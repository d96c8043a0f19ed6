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
  // Auto-submit filter forms when a select changes: <form data-autosubmit>
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && event.target.tagName === "SELECT") {
      if (window.htmx && form.hasAttribute("hx-get")) { window.htmx.trigger(form, "submit"); }
      else { form.requestSubmit(); }
    }
  });
})();
