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
  // Wide tables scroll sideways in their own box, never the page: every table of the main
  // column is wrapped in <div class="table-scroll"> (also in content htmx brings in).
  function wrapTables(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("main table") : [];
    if (root.matches && root.matches("main table")) { tables = [root]; }
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var parent = table.parentElement;
      if (!parent || parent.classList.contains("table-scroll") || table.closest("table table")) { continue; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      parent.insertBefore(box, table);
      box.appendChild(table);
    }
  }
  // A box whose table is wider than it must be scrollable by keyboard too: it takes the focus
  // (then the arrow keys scroll it) and is a region named after its table. Measured again when
  // the window changes size.
  function markScrolling() {
    var boxes = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        if (box.hasAttribute("tabindex")) { continue; }
        var table = box.querySelector("table");
        var caption = table && table.caption ? table.caption.textContent : "";
        var section = box.closest("section, .card");
        var heading = section ? section.querySelector("h2, h3") : null;
        var name = (table && table.getAttribute("aria-label")) || caption.trim() ||
          (heading ? heading.textContent.trim() : "") || "Table";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name + " (scrolls sideways)");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", function () { wrapTables(document); markScrolling(); });
  document.addEventListener("htmx:load", function (event) { wrapTables(event.target); markScrolling(); });
  window.addEventListener("resize", markScrolling);
  // Disclosure buttons: <button data-toggle aria-expanded="false" aria-controls="id"> opens and
  // closes the element with that id (the sidebar on small screens, the header's menus) by the
  // class "is-open". One is open at a time; Escape or a click elsewhere closes it, and Escape
  // gives the focus back to its button. Opened from the keyboard, the focus moves into it.
  function panelOf(button) { return document.getElementById(button.getAttribute("aria-controls")); }
  function setOpen(button, open) {
    var panel = panelOf(button);
    if (!panel) { return; }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("is-open", open);
  }
  function openButtons() { return document.querySelectorAll("[data-toggle][aria-expanded='true']"); }
  function closeAll(except) {
    var open = openButtons();
    for (var i = 0; i < open.length; i++) { if (open[i] !== except) { setOpen(open[i], false); } }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-toggle]");
    if (button) {
      var opening = button.getAttribute("aria-expanded") !== "true";
      closeAll(button);
      setOpen(button, opening);
      if (opening && event.detail === 0) {
        // Opened from the keyboard (Enter or Space): the focus moves into what opened, on the
        // current page's link if it has one, so Tab goes on from there.
        var panel = panelOf(button);
        var first = panel && (panel.querySelector("[aria-current='page']") ||
          panel.querySelector("a[href], button:not([disabled]), input:not([type='hidden'])"));
        if (first) { first.focus(); }
      }
      return;
    }
    var open = openButtons();
    for (var i = 0; i < open.length; i++) {
      var panel = panelOf(open[i]);
      if (panel && !panel.contains(event.target)) { setOpen(open[i], false); }
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = openButtons();
    if (!open.length) { return; }
    for (var i = 0; i < open.length; i++) { setOpen(open[i], false); }
    open[0].focus();
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
