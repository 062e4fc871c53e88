// The competition list and pages: 未开始 / 进行中 / 已结束 as of now, from each competition's opening and closing
// time (the static page was built once, so it cannot say it itself). Plain ES5 for old WeChat browsers.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var items = document.querySelectorAll(".competition-item");
    var now = Date.now();
    for (var i = 0; i < items.length; i++) {
      var opens = Date.parse(items[i].getAttribute("data-opens"));
      var closes = Date.parse(items[i].getAttribute("data-closes"));
      var badge = items[i].querySelector(".state");
      if (!badge || isNaN(opens) || isNaN(closes)) continue;
      var state = now < opens ? "upcoming" : now >= closes ? "closed" : "open";
      badge.textContent = badge.getAttribute("data-" + state);
      badge.className = "state state-" + state;
      badge.hidden = false;
    }
  });
})();
