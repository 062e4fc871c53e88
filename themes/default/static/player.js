// Lazy video players: a .video-play button (poster or placeholder) becomes the player only when tapped, so a
// page with videos costs nothing until the reader asks for one.
(function () {
  "use strict";
  function play(button) {
    var src = button.getAttribute("data-embed");
    if (!src) return;
    var el;
    if (button.getAttribute("data-kind") === "file") {
      el = document.createElement("video");
      el.controls = true;
      el.autoplay = true;
      el.setAttribute("playsinline", "");
      el.src = src;
    } else {
      el = document.createElement("iframe");
      el.src = src;
      el.setAttribute("allowfullscreen", "");
      el.setAttribute("allow", "autoplay; fullscreen; picture-in-picture");
      el.setAttribute("loading", "lazy");
      el.title = button.getAttribute("aria-label") || button.textContent || "";
    }
    button.parentNode.replaceChild(el, button);
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest(".video-play") : null;
    if (b) { ev.preventDefault(); play(b); }
  });
})();
