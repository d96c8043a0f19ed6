// Searchable pickers: long and multiple selects become Tom Select controls (vendor/tom-select-*).
// Progressive enhancement: the original <select> stays in the form, hidden, and Tom Select keeps
// it in sync, so a plain form post, a form re-rendered with errors and an htmx request send
// exactly what they sent before. Without this script (or Tom Select) the selects work as they
// are. No inline script or style: the Content-Security-Policy forbids them.
//
// Enhanced: every <select multiple>, and every single <select> with more than LONG options or
// marked data-picker. Never: a select marked data-picker="off".
(function () {
  "use strict";
  if (window.aimsPickers) { return; } // loaded once, even if a page names it twice
  window.aimsPickers = true;

  var LONG = 20; // a single select with more options than this is hard to scan: make it searchable
  var SHOWN = 100; // options drawn at once; thousands would make every keystroke slow
  var PLACEHOLDER = "Type to search…";

  function wanted(select) {
    var mark = select.getAttribute("data-picker");
    if (mark === "off") { return false; }
    return select.multiple || mark !== null || select.options.length > LONG;
  }

  function hasEmptyOption(select) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === "") { return true; }
    }
    return false;
  }

  // A select brought back from a snapshot (htmx history) or put in place of an enhanced one (an
  // out-of-band swap) has the marks of an old Tom Select but not its instance: undo the marks and
  // drop the orphaned control, so the select is enhanced afresh and never shown twice.
  function clearStale(select) {
    var next = select.nextElementSibling;
    if (next && next.classList.contains("ts-wrapper") &&
        !(select.tomselect && select.tomselect.wrapper === next)) {
      next.parentNode.removeChild(next);
    }
    if (select.tomselect || !select.classList.contains("tomselected")) { return; }
    select.classList.remove("tomselected", "ts-hidden-accessible");
    select.removeAttribute("aria-hidden");
    if (select.id) {
      var labels = document.querySelectorAll("label[for='" + CSS.escape(select.id + "-ts-control") + "']");
      for (var i = 0; i < labels.length; i++) { labels[i].setAttribute("for", select.id); }
    }
  }

  // "and 4,900 more: type to narrow" under the options when the matches exceed what is drawn.
  function noteMore(ts) {
    var note = ts.dropdown.querySelector(".picker-more");
    var hidden = ts.search(ts.inputValue()).items.length - SHOWN;
    if (hidden <= 0) {
      if (note) { note.hidden = true; }
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "picker-more";
      ts.dropdown.appendChild(note);
    }
    note.textContent = "and " + hidden.toLocaleString("en") + " more: type to narrow";
    note.hidden = false;
  }

  // The typed-into input is what a keyboard or screen-reader user is on: it gets the select's
  // description (help text, error) and error state. Tom Select already points the <label> at it
  // (for=<id>-ts-control) and names it by aria-labelledby.
  function copyAria(select, ts) {
    var input = ts.control_input;
    ["aria-describedby", "aria-invalid", "aria-required"].forEach(function (name) {
      var value = select.getAttribute(name);
      if (value !== null) { input.setAttribute(name, value); }
    });
  }

  function sameValue(select, ts) {
    var chosen = [];
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].selected) { chosen.push(select.options[i].value); }
    }
    var value = ts.getValue();
    var shown = Array.isArray(value) ? value : (value === "" ? [] : [value]);
    if (chosen.length !== shown.length) { return false; }
    for (var j = 0; j < chosen.length; j++) {
      if (shown.indexOf(chosen[j]) === -1) { return false; }
    }
    return true;
  }

  function enhance(select) {
    clearStale(select);
    if (select.tomselect || !wanted(select)) { return; }
    var multi = select.multiple;
    var ts = new window.TomSelect(select, {
      maxOptions: SHOWN,
      placeholder: PLACEHOLDER,
      hidePlaceholder: !multi, // a multiple picker invites the next search beside its choices
      // An empty choice ("— nobody yet —") stays a choice: a single select can be emptied again.
      allowEmptyOption: !multi && hasEmptyOption(select),
      closeAfterSelect: !multi,
      clearAfterSelect: true, // the next search starts afresh
      refreshThrottle: 30, // the options are local: redraw as soon as the typing pauses
      plugins: multi ? { remove_button: { title: "Remove" } } : {},
      render: {
        no_results: function (data, escape) {
          return "<div class=\"no-results\">Nothing matches “" + escape(data.input) + "”</div>";
        }
      }
    });
    ts.hook("after", "refreshOptions", function () { noteMore(ts); });
    // Enter typed before the options were redrawn for the last keystroke would take an option
    // of the previous text: redraw first.
    ts.hook("before", "onKeyDown", function (event) {
      if (event.key === "Enter" && ts.refreshTimeout) {
        window.clearTimeout(ts.refreshTimeout);
        ts.refreshTimeout = null;
        ts._onInput();
      }
    });
    copyAria(select, ts);
    // The picker stands for the select: assistive technology meets one control, not two.
    select.setAttribute("aria-hidden", "true");
    if (!multi) {
      // While a search is typed, it takes the place of the chosen option (pickers.css).
      var typing = function (query) { ts.wrapper.classList.toggle("picker-typing", !!query); };
      ts.on("type", typing);
      ts.on("dropdown_close", function () { typing(""); });
      ts.on("blur", function () { typing(""); });
    }
    // Something else changed the select (a script, a test driving the form): show it.
    select.addEventListener("change", function () {
      if (!sameValue(select, ts)) { ts.sync(); }
    });
    // Focus sent to the hidden select (the error summary's link to the field) goes to the picker.
    select.addEventListener("focus", function () { ts.focus(); });
  }

  function init(root) {
    if (!window.TomSelect || !root.querySelectorAll) { return; }
    var selects = root.querySelectorAll("select");
    for (var i = 0; i < selects.length; i++) { enhance(selects[i]); }
    if (root.tagName === "SELECT") { enhance(root); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  // Content htmx brings in (a form fragment, an out-of-band select) is enhanced too.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  // A select htmx is about to remove takes its picker with it.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var select = event.target;
    if (select.tomselect) { select.tomselect.destroy(); }
  });
})();
