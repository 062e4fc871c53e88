// Competition pages: the countdown with auto-submit, answers kept in localStorage across reloads, departures from
// the question page counted, the organization filter, the poster's print button and the ranking's refresh. Plain ES5 for old WeChat browsers; every page works without it.
(function () {
  "use strict";

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* private mode or storage off: answers only live in the form */ }
    return null;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The server says how many seconds were left when it rendered the page; counting from that avoids trusting the
  // phone's clock. The server enforces the deadline anyway.
  function countdown(form) {
    var remaining = parseInt(form.getAttribute("data-remaining"), 10);
    var box = form.querySelector(".countdown");
    if (isNaN(remaining) || !box) return;
    var clock = box.querySelector(".clock");
    var endAt = Date.now() + remaining * 1000;
    var done = false;
    box.hidden = false;
    function tick() {
      var left = Math.max(0, Math.round((endAt - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      clock.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
      if (left <= 60) box.className = "countdown low";
      if (left === 0 && !done) {
        done = true;
        clock.textContent = form.getAttribute("data-time-up") || "0:00";
        form.submit();
        return;
      }
      setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
    }
    tick();
  }

  // Answers live in three places: the form, localStorage (a reload or a crash of WeChat keeps them) and the
  // server (PUT .../answers, so a participant who runs out of time is graded on what they had).
  function keepAnswers(form) {
    var key = "pufa-answers-" + form.getAttribute("data-attempt");
    var url = form.getAttribute("data-save");
    var inputs = form.querySelectorAll("input[type=radio], input[type=checkbox]");
    var timer = null;
    function mark(input) {
      var label = input.parentNode;
      if (label && label.classList) label.classList.toggle("checked", input.checked);
    }
    function current() {
      var flat = {}, answers = {};
      for (var j = 0; j < inputs.length; j++) {
        var input = inputs[j];
        if (!input.checked) continue;
        flat[input.name + "=" + input.value] = 1;
        var id = input.name.replace(/^q_/, "");
        (answers[id] = answers[id] || []).push(input.value);
      }
      return { flat: flat, answers: answers };
    }
    var leaves = form.querySelector("input[name=leaves]");
    function send(answers) {
      if (!url || !window.XMLHttpRequest) return;
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", url, true);
      xhr.setRequestHeader("Content-Type", "application/json");
      // The server submits the attempt itself when the departures reported go beyond max_leaves: go to the result.
      xhr.onload = function () {
        var reply = null;
        try { reply = JSON.parse(xhr.responseText); } catch (e) { reply = null; }
        if (reply && reply.submitted) window.location.href = form.action.replace(/\/submit$/, "/result");
      };
      xhr.send(JSON.stringify({ answers: answers, leaves: leaves ? parseInt(leaves.value, 10) || 0 : 0 }));
    }
    var saved = null;
    try { saved = JSON.parse(store(key) || "null"); } catch (e) { saved = null; }
    if (saved && typeof saved === "object") {
      for (var i = 0; i < inputs.length; i++) inputs[i].checked = !!saved[inputs[i].name + "=" + inputs[i].value];
    }
    for (var k = 0; k < inputs.length; k++) mark(inputs[k]);
    form.addEventListener("change", function () {
      for (var j = 0; j < inputs.length; j++) mark(inputs[j]);
      var now = current();
      store(key, JSON.stringify(now.flat));
      clearTimeout(timer);
      timer = setTimeout(function () { send(now.answers); }, 800);
    });
    form.addEventListener("submit", function () { clearTimeout(timer); store(key, null); });
    if (saved) send(current().answers);
    // Saving is automatic with JavaScript: the no-JavaScript 保存 button goes.
    var save = form.querySelector("button.save");
    if (save) save.hidden = true;
    return function () { clearTimeout(timer); send(current().answers); };
  }

  // Leaving the page (切屏, issue 12): each time the page is hidden while answering counts, and the count goes to
  // the server at once and with every save and the submit. With data-max-leaves, one departure more than allowed
  // submits the answers (the server does the same when a save reports it); on coming back a warning says how many
  // remain. A deterrent, not proof: the count is the page's own.
  function countLeaves(form, saveNow) {
    var field = form.querySelector("input[name=leaves]");
    var box = document.querySelector(".quiz-leave-warning");
    if (!field || typeof document.hidden !== "boolean") return;
    var key = "pufa-leaves-" + form.getAttribute("data-attempt");
    var max = parseInt(form.getAttribute("data-max-leaves"), 10);
    var n = Math.max(parseInt(field.value, 10) || 0, parseInt(store(key), 10) || 0);
    var gone = false;
    field.value = n;
    function warn() {
      if (!box || n === 0) return;
      var text = form.getAttribute("data-leave-warning") || "";
      if (!isNaN(max) && n > max) text = form.getAttribute("data-leave-submitting") || "";
      else if (!isNaN(max) && n === max) text = form.getAttribute("data-leave-last") || "";
      box.textContent = text.replace("{n}", n).replace("{left}", isNaN(max) ? "" : max - n);
      box.hidden = false;
    }
    // Submitting, the countdown's submit and closing the page hide it too: those are no departures.
    form.addEventListener("submit", function () { gone = true; store(key, null); });
    window.addEventListener("pagehide", function () { gone = true; });
    document.addEventListener("visibilitychange", function () {
      if (gone) return;
      if (!document.hidden) { warn(); return; }
      n++;
      field.value = n;
      store(key, String(n));
      if (!isNaN(max) && n > max) {
        gone = true;
        form.submit();
      } else if (saveNow) {
        saveNow();
      }
    });
    warn();
  }

  // 已答 7/10 in the bar, and a question before 交卷 while some are unanswered. The time-up submit does not ask.
  function answeredCount(form) {
    var box = form.querySelector(".answered");
    var total = parseInt(form.getAttribute("data-total"), 10);
    if (!box || isNaN(total)) return;
    var shown = box.querySelector("b");
    function count() {
      var names = {}, n = 0;
      var checked = form.querySelectorAll("input:checked");
      for (var i = 0; i < checked.length; i++) {
        if (!names[checked[i].name]) { names[checked[i].name] = 1; n++; }
      }
      shown.textContent = n;
      return n;
    }
    box.hidden = false;
    count();
    form.addEventListener("change", count);
    form.addEventListener("submit", function (ev) {
      var submitter = ev.submitter;
      if (submitter && submitter.classList.contains("save")) return;
      var left = total - count();
      var ask = (form.getAttribute("data-confirm") || "").replace("{n}", left);
      if (left > 0 && !window.confirm(ask)) ev.preventDefault();
    }, true);
  }

  // Narrows the organization <select> to the names containing what was typed, keeping the town groups.
  function orgFilter(input) {
    var select = document.getElementById(input.getAttribute("data-for"));
    if (!select) return;
    var original = select.cloneNode(true);
    input.hidden = false;
    input.addEventListener("input", function () {
      var q = input.value.replace(/\s+/g, "").toLowerCase();
      var chosen = select.value;
      var fresh = original.cloneNode(true);
      var groups = fresh.querySelectorAll("optgroup");
      for (var i = 0; i < groups.length; i++) {
        var opts = groups[i].querySelectorAll("option");
        var townMatches = groups[i].label.toLowerCase().indexOf(q) >= 0;
        var kept = 0;
        for (var j = 0; j < opts.length; j++) {
          if (townMatches || opts[j].textContent.toLowerCase().indexOf(q) >= 0) kept++;
          else groups[i].removeChild(opts[j]);
        }
        if (!kept) fresh.removeChild(groups[i]);
      }
      select.innerHTML = fresh.innerHTML;
      select.value = chosen;
      var left = select.querySelectorAll("optgroup option");
      if (left.length === 1) select.value = left[0].value;
    });
  }

  // The ranking on a big screen: every data-refresh seconds the page is fetched again from this site and its
  // ranking swapped in place, so the table updates without the flash of a reload. A failed fetch keeps the last one.
  function refreshRanking(article) {
    var every = parseInt(article.getAttribute("data-refresh"), 10) * 1000;
    if (!every || !window.DOMParser) return;
    function again() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", window.location.href);
      xhr.onload = function () {
        if (xhr.status === 200) {
          var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var fresh = doc.querySelector(".quiz-ranking");
          if (fresh) article.innerHTML = fresh.innerHTML;
        }
        setTimeout(again, every);
      };
      xhr.onerror = function () { setTimeout(again, every); };
      xhr.send();
    }
    setTimeout(again, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var ranking = document.querySelector(".quiz-ranking[data-refresh]");
    if (ranking) refreshRanking(ranking);
    var form = document.getElementById("quiz-form");
    if (form) { countLeaves(form, keepAnswers(form)); countdown(form); answeredCount(form); }
    // A refused join: its message is where the eye is, read out by screen readers.
    var error = document.getElementById("join-error");
    if (error) { error.scrollIntoView({ block: "center" }); error.focus(); }
    var filters = document.querySelectorAll(".org-filter");
    for (var i = 0; i < filters.length; i++) orgFilter(filters[i]);
    var print = document.querySelector(".quiz-poster .print, .quiz-keep .print");
    if (print) { print.hidden = false; print.addEventListener("click", function () { window.print(); }); }
  });
})();
