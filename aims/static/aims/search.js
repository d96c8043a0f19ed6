// The global search box (aims/search/templates/search/_box.html). No inline scripts: the
// Content-Security-Policy forbids them.
//   "/" pressed outside a text field focuses the box; Escape closes its dropdown (and a second
//   Escape leaves the box); ArrowDown/ArrowUp move between the dropdown's links.
(function () {
  "use strict";
  if (window.aimsSearchBox) { return; } // loaded once, even if a page names it twice
  window.aimsSearchBox = true;

  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }
  function boxOf(element) {
    return element && element.closest ? element.closest("[data-search-box]") : null;
  }
  function panelOf(box) { return box.querySelector(".search-results"); }
  function inputOf(box) { return box.querySelector("[data-search-input]"); }
  function isOpen(box) { return panelOf(box).childElementCount > 0; }
  function close(box) {
    var panel = panelOf(box);
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.classList.remove("is-open");
    inputOf(box).setAttribute("aria-expanded", "false");
  }
  function links(box) { return Array.prototype.slice.call(box.querySelectorAll("[data-search-hit]")); }

  // htmx filled the dropdown: open it when it has something to show.
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = boxOf(event.target);
    if (!box || event.target !== panelOf(box)) { return; }
    var open = panelOf(box).textContent.trim() !== "";
    panelOf(box).classList.toggle("is-open", open);
    inputOf(box).setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      var input = document.querySelector("[data-search-input]");
      if (input) {
        event.preventDefault();
        input.focus();
        input.select();
      }
      return;
    }
    var box = boxOf(event.target);
    if (!box) { return; }
    if (event.key === "Escape") {
      if (isOpen(box)) {
        close(box);
        inputOf(box).focus();
      } else if (event.target === inputOf(box)) {
        inputOf(box).blur();
      }
      event.preventDefault();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && isOpen(box)) {
      var all = links(box);
      if (!all.length) { return; }
      var at = all.indexOf(document.activeElement);
      var next = event.key === "ArrowDown" ? at + 1 : (at === -1 ? all.length - 1 : at - 1);
      if (next < 0 || next >= all.length) { inputOf(box).focus(); } else { all[next].focus(); }
      event.preventDefault();
    }
  });

  // A click elsewhere closes every open dropdown.
  document.addEventListener("click", function (event) {
    var boxes = document.querySelectorAll("[data-search-box]");
    for (var i = 0; i < boxes.length; i++) {
      if (!boxes[i].contains(event.target) && isOpen(boxes[i])) { close(boxes[i]); }
    }
  });
})();
