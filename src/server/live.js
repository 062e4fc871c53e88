// pufa serve only: reloads the page when the site was rebuilt, and shows build errors over the page.
(function () {
  "use strict";
  var overlay = null;
  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }
  function show(data) {
    hide();
    overlay = document.createElement("div");
    Object.assign(overlay.style, {
      position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto", padding: "1.5em",
      background: "rgba(20, 0, 0, 0.92)", color: "#fff", font: "15px/1.6 monospace", whiteSpace: "pre-wrap"
    });
    overlay.id = "pufa-live-overlay";
    var title = document.createElement("h2");
    title.textContent = data.title;
    var close = document.createElement("button");
    close.textContent = data.close;
    close.addEventListener("click", hide);
    overlay.append(title);
    data.errors.forEach(function (e) {
      var p = document.createElement("p");
      p.textContent = e;
      overlay.append(p);
    });
    overlay.append(close);
    document.body.append(overlay);
  }
  var source = new EventSource("/_pufa/live");
  source.addEventListener("reload", function () {
    location.reload();
  });
  source.addEventListener("failed", function (ev) {
    show(JSON.parse(ev.data));
  });
})();
