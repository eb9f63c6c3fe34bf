// Live sync progress on a data source's page. The server pushes the
// progress fragment as server-sent events (`progress` whenever it changes,
// `done` when the sync is over; a stream that ends without `done` is
// reopened by EventSource itself); where the stream cannot be opened, the
// page asks for the fragment every two seconds instead. Without
// JavaScript the page shows the progress as it was when loaded.
(function () {
  "use strict";
  var POLL_MS = 2000;

  function box() { return document.getElementById("progress"); }

  // Puts the server's fragment in place of the current one.
  function swap(html) {
    var current = box();
    if (!current) return;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var next = holder.firstElementChild;
    if (!next) return;
    current.replaceWith(next);
    next.dispatchEvent(new CustomEvent("grove:swapped", { bubbles: true }));
  }

  function poll(url) {
    var timer = setInterval(function () {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          swap(html);
          var now = box();
          if (!now || !now.dataset.poll) clearInterval(timer);
        })
        .catch(function () { clearInterval(timer); });
    }, POLL_MS);
  }

  function follow() {
    var el = box();
    if (!el || !el.dataset.stream) return;
    var pollUrl = el.dataset.poll;
    if (!("EventSource" in window)) { poll(pollUrl); return; }
    var received = false;
    var events = new EventSource(el.dataset.stream);
    events.addEventListener("progress", function (e) { received = true; swap(e.data); });
    events.addEventListener("done", function () { events.close(); });
    events.onerror = function () {
      // Never connected (a proxy that buffers or refuses streams): poll.
      if (!received) { events.close(); poll(pollUrl); }
    };
  }

  document.addEventListener("DOMContentLoaded", follow);
})();
