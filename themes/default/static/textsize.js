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
  // The menu marks the column the page is in (the longest link that starts its path) and scrolls it into view.
  function markCurrent() {
    var links = document.querySelectorAll(".menu a"), best = null, bestLen = 0;
    var path = decodeURI(location.pathname);
    for (var i = 0; i < links.length; i++) {
      var href = decodeURI(links[i].pathname || "");
      var home = href.replace(/\/$/, "").split("/").length <= 1;
      var hit = home ? path === href : path.indexOf(href) === 0;
      if (hit && href.length > bestLen) { best = links[i]; bestLen = href.length; }
    }
    if (!best) return;
    best.setAttribute("aria-current", "page");
    var menu = best.parentNode;
    if (menu && best.offsetLeft + best.offsetWidth > menu.clientWidth) menu.scrollLeft = best.offsetLeft - 16;
  }
  document.addEventListener("DOMContentLoaded", function () {
    markCurrent();
    var up = document.querySelector(".ts-up"), down = document.querySelector(".ts-down");
    if (up) up.addEventListener("click", function () { apply(Math.min(SIZES.length - 1, read() + 1)); });
    if (down) down.addEventListener("click", function () { apply(Math.max(0, read() - 1)); });
  });
})();
