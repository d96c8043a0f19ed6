// The audit checklist saves each item in place with htmx. When it swaps an item, htmx "settles"
// the class and style attributes of elements whose id is in both the old and the new item; the
// browser may have given form fields an empty style attribute, which the Content-Security-Policy
// (no inline style) refuses. Nothing here is styled inline, so only classes are settled.
(function () {
  "use strict";
  if (window.htmx) { window.htmx.config.attributesToSettle = ["class", "width", "height"]; }
})();
