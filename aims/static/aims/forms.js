// OpenAIMS forms: the error summary and the length counters. A static file, no inline script
// (the Content-Security-Policy forbids it); loaded once per page ({% form_assets %}).
(function () {
  "use strict";
  if (window.aimsForms) { return; } // loaded twice (base.html and a form template): run once
  window.aimsForms = true;

  // The error summary ({% error_summary %}) takes the focus when the page opens, so a keyboard
  // or screen-reader user hears every problem at once; its links move the focus to the field.
  function focusSummary(root) {
    var summary = root.querySelector ? root.querySelector("[data-error-summary]") : null;
    if (!summary || summary.hasAttribute("data-focused")) { return; }
    summary.setAttribute("data-focused", "");
    var title = summary.querySelector(".error-summary-title");
    if (title) { title.focus(); }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[data-field]");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("data-field"));
    if (!field) { return; }
    event.preventDefault();
    // Show the label with the field, then put the cursor in it.
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
    if (window.history && history.replaceState) { history.replaceState(null, "", "#" + field.id); }
  });

  // "n / max" under every text input and text area with a maxlength, read out politely.
  var COUNTED = "input[maxlength]:not([type=hidden]):not([type=checkbox]):not([type=radio])," +
    "textarea[maxlength]";
  function describe(count, max) {
    return count.toLocaleString("en") + " / " + max.toLocaleString("en");
  }
  function addCounter(field) {
    if (field.hasAttribute("data-counter")) { return; }
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!(max > 0)) { return; }
    var counter = document.createElement("small");
    counter.className = "char-counter";
    counter.id = (field.id || field.name || "field") + "_counter";
    counter.setAttribute("aria-live", "polite");
    field.setAttribute("data-counter", counter.id);
    var update = function () {
      var length = field.value.length;
      counter.textContent = describe(length, max);
      counter.classList.toggle("char-counter-near", length >= max * 0.9);
    };
    update();
    field.insertAdjacentElement("afterend", counter);
    field.addEventListener("input", update);
  }
  function addCounters(root) {
    if (!root.querySelectorAll) { return; }
    var fields = root.querySelectorAll(COUNTED);
    for (var i = 0; i < fields.length; i++) { addCounter(fields[i]); }
    if (root.matches && root.matches(COUNTED)) { addCounter(root); }
  }

  function init(root) {
    addCounters(root);
    focusSummary(root);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  // Content htmx brings in (a form fragment) gets its counters and summary too.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
