// Report pages: print button, "pick every hit" on the search page, selects that submit their form.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-pick-all]").forEach(function (all) {
    const boxes = document.querySelectorAll('[data-pick="' + all.dataset.pickAll + '"]');
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        const picked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
        all.checked = picked === boxes.length;
        all.indeterminate = picked > 0 && picked < boxes.length;
      });
    });
  });
  document.querySelectorAll("select[data-autosubmit], input[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
}());
