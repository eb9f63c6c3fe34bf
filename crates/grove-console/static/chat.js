// Streams a chat answer: sends the form to its data-stream address, shows
// `delta` events as they arrive, then puts the server-rendered turn (with
// its citation links) in their place. Without this script the form posts
// normally and the answer comes with the next page.
(function () {
  "use strict";
  var form = document.getElementById("ask");
  if (!form || !window.fetch || !window.TextDecoder) { return; }
  var turns = document.getElementById("turns");

  function show(text, className) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    turns.appendChild(p);
    return p;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    var question = form.elements.question.value;
    var button = form.querySelector("button");
    button.disabled = true;
    show("You: " + question, "question");
    var answer = show("", "answer streaming");
    fetch(form.getAttribute("data-stream"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "text/event-stream" }
    }).then(function (response) {
      if (response.redirected || response.url.indexOf("/login") >= 0) {
        throw new Error("your session has ended; reload the page and sign in again");
      }
      var type = response.headers.get("content-type") || "";
      if (!response.ok || type.indexOf("text/event-stream") !== 0) {
        throw new Error("the server answered " + response.status);
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function handle(frame) {
        var name = "message", lines = [];
        frame.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
          else if (line.indexOf("data:") === 0) { lines.push(line.slice(5).replace(/^ /, "")); }
        });
        var payload = lines.join("\n");
        if (name === "delta") { answer.textContent += payload; }
        else if (name === "done") {
          var done = JSON.parse(payload);
          answer.previousSibling.remove();
          answer.remove();
          turns.insertAdjacentHTML("beforeend", done.html);
          form.elements.session.value = done.session;
          form.elements.question.value = "";
        } else if (name === "error") { answer.textContent = payload; answer.className = "notice"; }
      }
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { return; }
          buffer += decoder.decode(chunk.value, { stream: true });
          var at;
          while ((at = buffer.indexOf("\n\n")) >= 0) {
            handle(buffer.slice(0, at));
            buffer = buffer.slice(at + 2);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function (error) {
      answer.textContent = "The answer could not be shown: " + error.message;
      answer.className = "notice";
    }).then(function () { button.disabled = false; });
  });
}());
