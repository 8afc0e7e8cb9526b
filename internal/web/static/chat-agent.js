// The agent's side of a live chat (issue 15), on a chat ticket's page:
// shows that the visitor is typing (never what: their words arrive only
// when sent) and when they have read the replies, and tells the visitor
// when the agent types and what the agent has seen. Events come through
// live.js ("rapport:chat"); without JavaScript the page works as any.
(function () {
  "use strict";
  var box = document.getElementById("chat-state");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-url");
  var csrf = document.querySelector('input[name="csrf"]');
  var token = csrf ? csrf.value : "";
  var reply = document.getElementById("reply-body");
  var thread = document.querySelector(".thread");
  var typingText = box.getAttribute("data-typing");
  var readText = box.getAttribute("data-read");
  var hideTimer = 0;
  var readUpTo = 0;

  function post(path, body) {
    return fetch(url + path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token},
      body: body + "&csrf=" + encodeURIComponent(token)
    }).catch(function () {});
  }

  // What the visitor does.
  function lastReply() {
    var all = thread ? thread.querySelectorAll("article.msg-reply") : [];
    return all.length ? parseInt(all[all.length - 1].id.slice(1), 10) : 0;
  }
  function show() {
    if (box.getAttribute("data-state") === "typing") {
      box.textContent = typingText;
    } else if (readUpTo && readUpTo >= lastReply() && lastReply()) {
      box.textContent = readText;
    } else {
      box.textContent = "";
    }
  }
  document.addEventListener("rapport:chat", function (e) {
    var ev = e.detail;
    if (ev.agent) {
      return; // a colleague's typing or reading, not the visitor's
    }
    if (ev.kind === "chat.typing") {
      box.setAttribute("data-state", ev.typing ? "typing" : "");
      clearTimeout(hideTimer);
      if (ev.typing) {
        // A visitor who left stops "typing" after a while.
        hideTimer = setTimeout(function () { box.setAttribute("data-state", ""); show(); }, 15000);
      }
    } else if (ev.kind === "chat.read") {
      readUpTo = Math.max(readUpTo, ev.message || 0);
    }
    show();
  });

  // What the agent has seen: the last message on the page.
  var told = 0;
  function seen() {
    var all = thread ? thread.querySelectorAll("article.msg") : [];
    if (!all.length || document.hidden) {
      return;
    }
    var id = parseInt(all[all.length - 1].id.slice(1), 10);
    if (id > told) {
      told = id;
      post("/read", "message=" + id);
    }
    // A new message from the visitor ends their "typing".
    box.setAttribute("data-state", "");
    show();
  }
  if (thread && window.MutationObserver) {
    new MutationObserver(seen).observe(thread, {childList: true});
  }
  document.addEventListener("visibilitychange", seen);
  seen();

  // What the agent does: typing, told on the first key and after a pause.
  var typing = false;
  var idle = 0;
  function stop() {
    clearTimeout(idle);
    if (typing) {
      typing = false;
      post("/typing", "typing=0");
    }
  }
  if (reply) {
    reply.addEventListener("input", function () {
      if (!typing && reply.value) {
        typing = true;
        post("/typing", "typing=1");
      }
      clearTimeout(idle);
      idle = setTimeout(stop, 4000);
    });
    if (reply.form) {
      reply.form.addEventListener("submit", stop);
    }
  }
})();
