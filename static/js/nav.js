// The main menu collapses behind a button on narrow screens (Bootstrap's CSS, this tiny toggle).
(function () {
  "use strict";
  const toggle = document.getElementById("nav-toggle");
  const menu = document.getElementById("main-nav");
  if (!toggle || !menu) return;
  toggle.addEventListener("click", function () {
    const open = menu.classList.toggle("show");
    toggle.setAttribute("aria-expanded", String(open));
  });
})();
