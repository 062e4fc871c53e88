// pufa serve only: reloads the page when the site was rebuilt, and shows build errors over the page.
// The event stream is open only while the page is shown: a page left in the back/forward cache or in a hidden
// tab closes it, so a browser's few connections per host never fill up with streams of pages nobody sees.
(function () {
  "use strict";
  var script = document.currentScript;
  var build = script ? script.getAttribute("data-build") : null;
  var overlay = null;
  var source = null;
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
    overlay.setAttribute("role", "alert");
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
  function reload() {
    disconnect();
    location.reload();
  }
  function connect() {
    if (source) return;
    source = new EventSource("/_pufa/live");
    // The server first says which build it serves: a page of an older one (it sat hidden) is stale.
    source.addEventListener("hello", function (ev) {
      if (build !== null && ev.data !== build) reload();
    });
    source.addEventListener("reload", reload);
    source.addEventListener("failed", function (ev) {
      show(JSON.parse(ev.data));
    });
  }
  function disconnect() {
    if (source) {
      source.close();
      source = null;
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect();
    else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function () {
    if (document.visibilityState !== "hidden") connect();
  });
  connect();
})();
