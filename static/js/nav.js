// The menus collapse behind a button on narrow screens (Bootstrap's CSS, this tiny toggle): each
// button marked data-nav-toggle opens and closes the element its aria-controls names.
(function () {
  "use strict";
  document.querySelectorAll("[data-nav-toggle]").forEach(function (toggle) {
    const menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;
    toggle.addEventListener("click", function () {
      const open = menu.classList.toggle("show");
      toggle.setAttribute("aria-expanded", String(open));
    });
  });
})();
