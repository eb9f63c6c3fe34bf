// Shows every <time datetime> in the browser's own time zone, keeping the
// server's UTC text as the hover title; runs on load and after a fragment
// is swapped in (by htmx, or `grove:swapped` from progress.js). Without
// JavaScript the UTC text stays.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
    hour12: false, timeZoneName: "short"
  });
  function localise(root) {
    var times = root.querySelectorAll("time[datetime]:not([data-local])");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var at = new Date(el.getAttribute("datetime"));
      if (isNaN(at.getTime()) || el.getAttribute("datetime").length < 11) continue;
      el.title = el.textContent.trim();
      el.textContent = format.format(at);
      el.setAttribute("data-local", "");
    }
  }
  document.addEventListener("DOMContentLoaded", function () { localise(document); });
  document.addEventListener("htmx:afterSwap", function (e) { localise(e.target); });
  document.addEventListener("grove:swapped", function (e) { localise(e.target); });
})();
