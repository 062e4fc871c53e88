// The A+/A− switch: three text sizes, remembered in localStorage. Loaded in <head> so the size applies
// before the page paints; the buttons are wired once the document is parsed.
(function () {
  "use strict";
  var KEY = "pufa-text-size";
  var SIZES = ["", "text-l", "text-xl"];
  var root = document.documentElement;
  function read() {
    try { return Math.max(0, Math.min(SIZES.length - 1, parseInt(localStorage.getItem(KEY) || "0", 10) || 0)); }
    catch (e) { return 0; }
  }
  function apply(level) {
    SIZES.forEach(function (c) { if (c) root.classList.remove(c); });
    if (SIZES[level]) root.classList.add(SIZES[level]);
    try { localStorage.setItem(KEY, String(level)); } catch (e) { /* private mode: size lasts for this page */ }
  }
  apply(read());
  document.addEventListener("DOMContentLoaded", function () {
    var up = document.querySelector(".ts-up"), down = document.querySelector(".ts-down");
    if (up) up.addEventListener("click", function () { apply(Math.min(SIZES.length - 1, read() + 1)); });
    if (down) down.addEventListener("click", function () { apply(Math.max(0, read() - 1)); });
  });
})();
