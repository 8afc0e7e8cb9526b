// Rapport's live-chat widget (issue 15). A business pastes one tag:
//   <script src="https://RAPPORT/widget.js" data-widget="KEY" async></script>
// Options: data-lang (en, it, ru, lv, ca; else the browser's), and for a
// signed-in visitor data-user-id / data-user-email with data-user-hash
// (hex HMAC-SHA256 of the id, else the email, with the widget's secret;
// made on the business's server), data-name, data-transport (websocket,
// events or poll: force one; else WebSocket, then Server-Sent Events, then
// long-poll where a proxy holds the events back).
// Plain JavaScript, no build step; everything lives in a shadow root, so
// the page's CSS cannot reach it. No cookie: the session's token is kept
// in this site's localStorage.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !document.body.attachShadow) {
    return;
  }
  var key = script.getAttribute("data-widget");
  if (!key) {
    return;
  }
  var base = new URL(script.src, window.location.href).origin;
  var api = base + "/chat/v1/w/" + encodeURIComponent(key);
  var attr = function (n) { return script.getAttribute("data-" + n) || ""; };
  var storeKey = "rapport-chat-" + key;
  var saved = {};
  try { saved = JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { saved = {}; }
  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify({token: state.token, last: state.last, kb: state.kb})); } catch (e) {}
  }

  var state = {
    token: saved.token || "", last: saved.last || 0, kb: saved.kb || "", cfg: null, t: {}, read: 0, ended: false,
    seen: {}, pending: [], typingSent: false, typingTimer: 0, ticket: false
  };

  // ---- Elements ---------------------------------------------------------
  var host = document.createElement("div");
  host.id = "rapport-chat";
  var root = host.attachShadow({mode: "open"});
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (kids || []).forEach(function (k) { e.appendChild(k); });
    return e;
  }
  function tr(k) { return state.t[k] || k; }

  function css(c, side) {
    return ":host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,-apple-system,sans-serif}" +
      ".btn{position:fixed;bottom:20px;" + side + ":20px;width:56px;height:56px;border-radius:50%;border:0;background:" + c +
      ";color:#fff;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3);z-index:2147483000;font-size:24px}" +
      ".btn:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #f5a623;outline-offset:2px}" +
      ".panel{position:fixed;bottom:88px;" + side + ":20px;width:340px;max-width:calc(100vw - 40px);height:480px;max-height:calc(100vh - 110px);" +
      "background:#fff;color:#222;border-radius:12px;box-shadow:0 4px 20px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden;z-index:2147483000}" +
      ".panel[hidden],[hidden]{display:none!important}" +
      "header{background:" + c + ";color:#fff;padding:10px 12px;display:flex;align-items:center;gap:8px}" +
      "header h2{margin:0;font-size:15px;font-weight:600;flex:1;color:#fff}header button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}" +
      ".log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px;background:#f6f7f8}" +
      ".m{max-width:80%;padding:6px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}" +
      ".m.visitor{align-self:flex-end;background:" + c + ";color:#fff}.m.agent{align-self:flex-start;background:#fff;border:1px solid #ddd}" +
      ".who{display:flex;gap:6px;align-items:center;font-size:12px;color:#555}.av{width:22px;height:22px;border-radius:50%;background:#ccc;color:#222;" +
      "display:inline-flex;align-items:center;justify-content:center;font-size:11px;font-weight:600}" +
      ".st{font-size:11px;opacity:.8;text-align:right}.m a{color:inherit}.note{font-size:13px;color:#444;padding:6px;text-align:center}" +
      ".typing{font-size:12px;color:#555;padding:0 12px;min-height:18px}" +
      "form{display:flex;flex-direction:column;gap:6px;padding:10px;border-top:1px solid #eee}" +
      ".row{display:flex;gap:6px;align-items:flex-end}textarea,input{width:100%;border:1px solid #bbb;border-radius:6px;padding:6px;color:#222;background:#fff}" +
      "textarea{resize:none;height:40px}form button,.act{background:" + c + ";color:#fff;border:0;border-radius:6px;padding:7px 10px;cursor:pointer}" +
      "label{font-size:13px;color:#333}.stars{display:flex;gap:4px}.stars button{flex:1;background:#eee;color:#222}" +
      ".stars button[aria-pressed=true]{background:" + c + ";color:#fff}.attach{background:#eee!important;color:#222!important}" +
      ".kb{padding:6px 10px;border-top:1px solid #eee;font-size:13px}.kb p{margin:0 0 4px}.kb ul{margin:0;padding-left:18px}.kb a{color:" + c + "}" +
      ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";
  }

  var style = el("style");
  var launcher = el("button", {"class": "btn", type: "button", "aria-expanded": "false", "aria-controls": "panel", text: "\uD83D\uDCAC"});
  var title = el("h2", {id: "title"});
  var closeBtn = el("button", {type: "button", text: "\u00D7"});
  var log = el("div", {"class": "log", role: "log", "aria-live": "polite", "aria-relevant": "additions"});
  var typing = el("div", {"class": "typing", "aria-live": "polite"});
  var panel = el("div", {"class": "panel", id: "panel", role: "dialog", "aria-labelledby": "title", hidden: ""},
    [el("header", {}, [title, closeBtn]), log, typing]);

  // The pre-chat form.
  var preName = el("input", {id: "pre-name", autocomplete: "name", maxlength: "100"});
  var preEmail = el("input", {id: "pre-email", type: "email", autocomplete: "email", maxlength: "254"});
  var preIntro = el("p", {"class": "note"});
  var preLName = el("label", {"for": "pre-name"});
  var preLEmail = el("label", {"for": "pre-email"});
  var preQ = el("textarea", {id: "pre-q", maxlength: "4000"});
  var preLQ = el("label", {"for": "pre-q"});
  var preBtn = el("button", {type: "submit"});
  var pre = el("form", {"class": "pre", hidden: ""}, [preIntro, preLName, preName, preLEmail, preEmail, preLQ, preQ, preBtn]);

  // Articles of the help center that may answer the question being typed.
  var kbTitle = el("p", {id: "kb-title"});
  var kbList = el("ul", {"aria-labelledby": "kb-title"});
  var kbBox = el("div", {"class": "kb", role: "region", "aria-live": "polite", hidden: ""}, [kbTitle, kbList]);

  // The composer.
  var input = el("textarea", {id: "text", rows: "2", maxlength: "4000"});
  var sendBtn = el("button", {type: "submit"});
  var file = el("input", {type: "file", hidden: "", accept: "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"});
  var attachBtn = el("button", {type: "button", "class": "attach", text: "\uD83D\uDCCE"});
  var composer = el("form", {"class": "composer", hidden: ""}, [el("div", {"class": "row"}, [attachBtn, input, sendBtn]), file]);

  // Closed: leave a message, which becomes an email ticket.
  var offName = el("input", {id: "off-name", autocomplete: "name", maxlength: "100"});
  var offEmail = el("input", {id: "off-email", type: "email", autocomplete: "email", required: "", maxlength: "254"});
  var offText = el("textarea", {id: "off-text", required: "", maxlength: "4000"});
  var offNote = el("p", {"class": "note"});
  var offBtn = el("button", {type: "submit"});
  var offLName = el("label", {"for": "off-name"});
  var offLEmail = el("label", {"for": "off-email"});
  var offLText = el("label", {"for": "off-text"});
  var offline = el("form", {"class": "offline", hidden: ""}, [offNote, offLName, offName, offLEmail, offEmail, offLText, offText, offBtn]);

  // Ended: the rating and the transcript.
  var rateNote = el("p", {"class": "note"});
  var stars = el("div", {"class": "stars", role: "group"});
  var score = 0;
  for (var i = 1; i <= 5; i++) {
    (function (n) {
      var b = el("button", {type: "button", "aria-pressed": "false", "data-score": String(n), text: String(n)});
      b.addEventListener("click", function () {
        score = n;
        Array.prototype.forEach.call(stars.children, function (s) { s.setAttribute("aria-pressed", s === b ? "true" : "false"); });
      });
      stars.appendChild(b);
    })(i);
  }
  var comment = el("textarea", {id: "comment", maxlength: "2000"});
  var lComment = el("label", {"for": "comment"});
  var rateBtn = el("button", {type: "submit"});
  var rating = el("form", {"class": "rating", hidden: ""}, [rateNote, stars, lComment, comment, rateBtn]);
  var trEmail = el("input", {id: "tr-email", type: "email", maxlength: "254"});
  var lTr = el("label", {"for": "tr-email"});
  var trBtn = el("button", {type: "submit"});
  var transcript = el("form", {"class": "transcript", hidden: ""}, [lTr, el("div", {"class": "row"}, [trEmail, trBtn])]);
  var newBtn = el("button", {type: "button", "class": "act", hidden: ""});
  [kbBox, pre, composer, offline, rating, transcript, newBtn].forEach(function (f) { panel.appendChild(f); });
  root.appendChild(style);
  root.appendChild(launcher);
  root.appendChild(panel);

  function applyTexts() {
    var c = state.cfg;
    style.textContent = css(c.color, c.position === "left" ? "left" : "right");
    launcher.setAttribute("aria-label", tr("open"));
    closeBtn.setAttribute("aria-label", tr("close"));
    title.textContent = c.name;
    panel.setAttribute("lang", c.language);
    log.setAttribute("aria-label", tr("title"));
    preIntro.textContent = tr("prechat_intro");
    preLName.textContent = tr("name");
    preLEmail.textContent = tr("email");
    preBtn.textContent = tr("start");
    preLQ.textContent = tr("question");
    kbTitle.textContent = tr("articles");
    kbBox.setAttribute("aria-label", tr("articles_label"));
    input.setAttribute("placeholder", tr("placeholder"));
    input.setAttribute("aria-label", tr("placeholder"));
    sendBtn.textContent = tr("send");
    attachBtn.setAttribute("aria-label", tr("attach"));
    attachBtn.title = tr("attach");
    offNote.textContent = c.closed === "nobody" ? tr("nobody") : tr("offline");
    offLName.textContent = tr("name");
    offLEmail.textContent = tr("email");
    offLText.textContent = tr("leave_message");
    offBtn.textContent = tr("send");
    rateNote.textContent = tr("ended") + " " + tr("rate");
    stars.setAttribute("aria-label", tr("rate"));
    Array.prototype.forEach.call(stars.children, function (b) { b.setAttribute("aria-label", tr("rate_" + b.getAttribute("data-score"))); });
    lComment.textContent = tr("comment");
    rateBtn.textContent = tr("submit_rating");
    lTr.textContent = tr("transcript");
    trBtn.textContent = tr("send");
    newBtn.textContent = tr("new_chat");
  }

  // ---- Talking to Rapport -----------------------------------------------
  function call(method, path, body, isForm) {
    var h = {};
    if (state.token) { h.Authorization = "Bearer " + state.token; }
    if (body && !isForm) { h["Content-Type"] = "application/json"; }
    return fetch(api + path, {method: method, headers: h, credentials: "omit", mode: "cors",
      body: body ? (isForm ? body : JSON.stringify(body)) : undefined}).then(function (res) {
      if (res.status === 204) { return {}; }
      return res.json().then(function (j) {
        if (!res.ok) { var e = new Error(j.error || "error"); e.status = res.status; e.code = j.error; throw e; }
        return j;
      });
    });
  }
  function newID() {
    var a = new Uint8Array(12);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function say(text) {
    log.appendChild(el("p", {"class": "note", text: text}));
    log.scrollTop = log.scrollHeight;
  }

  // ---- Messages ---------------------------------------------------------
  function statusOf(m) {
    if (!m.id) { return m.failed ? tr("failed") : tr("sending"); }
    return m.id <= state.read ? tr("read") : tr("delivered");
  }
  function render(m) {
    var id = m.id ? "m" + m.id : "c" + m.client_id;
    var old = (m.client_id && root.getElementById("c" + m.client_id)) || (m.id && root.getElementById("m" + m.id));
    var box = el("div", {"class": "m " + m.from, id: id, "data-id": String(m.id || 0)});
    if (m.from === "agent") {
      box.appendChild(el("div", {"class": "who"}, [el("span", {"class": "av", "aria-hidden": "true", text: m.initials || "?"}), el("span", {text: m.name})]));
    }
    box.appendChild(el("div", {"class": "tx", text: m.text}));
    (m.files || []).forEach(function (f) {
      var a = el("a", {href: api + "/files/" + f.id + "?token=" + encodeURIComponent(state.token), download: f.name, text: "\uD83D\uDCCE " + f.name});
      box.appendChild(el("div", {}, [a]));
    });
    if (m.from === "visitor") {
      box.appendChild(el("div", {"class": "st", text: statusOf(m)}));
      if (m.client_id) { box.setAttribute("data-client", m.client_id); }
    }
    if (old) { old.replaceWith(box); } else { log.appendChild(box); }
    log.scrollTop = log.scrollHeight;
  }
  // received shows m once. The resume point moves only with what came from
  // the server's stream (own is a reply to a send), so a message stored
  // between the last one heard and one's own is still asked for.
  function received(m, own) {
    if (!own && m.id > state.last) { state.last = m.id; save(); }
    if (state.seen[m.id]) { return; }
    state.seen[m.id] = true;
    if (m.client_id) {
      state.pending = state.pending.filter(function (p) { return p.client_id !== m.client_id; });
    }
    render(m);
    if (m.from === "agent") { typing.textContent = ""; markRead(); }
  }
  function markRead() {
    if (panel.hidden || document.hidden || !state.last) { return; }
    call("POST", "/read", {message: state.last}).catch(function () {});
  }
  function refreshStatus() {
    Array.prototype.forEach.call(log.querySelectorAll(".m.visitor"), function (b) {
      var id = parseInt(b.getAttribute("data-id"), 10);
      var st = b.querySelector(".st");
      if (id && st) { st.textContent = id <= state.read ? tr("read") : tr("delivered"); }
    });
  }

  function sendPending(p) {
    var first = !state.ticket;
    var q = first && state.kb ? "?kb=" + state.kb : "";
    var req = p.file ? (function () {
      var fd = new FormData();
      fd.append("client_id", p.client_id);
      fd.append("text", p.text);
      fd.append("file", p.file);
      return call("POST", "/files" + q, fd, true);
    })() : call("POST", "/messages" + q, {client_id: p.client_id, text: p.text});
    return req.then(function (j) {
      p.failed = false;
      received(j.message, true);
      if (first) { state.ticket = true; kbBox.hidden = true; reconnect(); }
    }).catch(function (e) {
      p.failed = true;
      if (e.status && e.status !== 429 && e.status < 500) {
        // Refused for good (too large, wrong type): said, not retried.
        state.pending = state.pending.filter(function (q) { return q !== p; });
        var b = root.getElementById("c" + p.client_id);
        if (b) { b.remove(); }
        say(e.code === "too_large" ? tr("file_too_large") : e.code === "file_type" ? tr("file_type") : tr("error"));
        return;
      }
      render(p);
      if (e.status === 429) { say(tr("too_many")); }
    });
  }
  function queue(text, f) {
    var p = {client_id: newID(), text: text, from: "visitor", file: f || null, files: f ? [{id: 0, name: f.name}] : []};
    state.pending.push(p);
    render(p);
    return ensureSession().then(function () { return sendPending(p); });
  }

  // ---- Session ----------------------------------------------------------
  var starting = null;
  function ensureSession(name, email) {
    if (state.token) { return Promise.resolve(); }
    if (starting) { return starting; }
    starting = call("POST", "/sessions", {
      name: name || attr("name"), email: email || attr("user-email"), user_id: attr("user-id"),
      user_hash: attr("user-hash"), language: state.cfg.language
    }).then(function (j) {
      state.token = j.token;
      state.last = 0;
      save();
      connect();
    }).finally(function () { starting = null; });
    return starting;
  }

  // ---- The live connection: WebSocket, else Server-Sent Events, else long-poll
  var via = attr("transport"), conn = null, failures = 0, timer = 0;
  var usePoll = via === "poll", useEvents = usePoll || via === "events" || !window.WebSocket;
  function later() {
    var wait = Math.min(30000, 1000 * Math.pow(2, Math.min(failures, 5)));
    failures++;
    clearTimeout(timer);
    timer = setTimeout(connect, wait / 2 + Math.random() * wait);
  }
  function onEvent(data) {
    var ev;
    try { ev = JSON.parse(data); } catch (e) { return; }
    switch (ev.kind) {
    case "hello":
      hello();
      return;
    case "message":
      received(ev.message);
      return;
    case "typing":
      typing.textContent = ev.typing ? tr("agent_typing") : "";
      return;
    case "read":
      if (ev.read > state.read) { state.read = ev.read; refreshStatus(); }
      return;
    case "ended":
      end();
      return;
    case "reconnect":
      drop();
      later();
      return;
    }
  }
  function hello() {
    failures = 0;
    typing.textContent = "";
    // Anything not yet stored is sent again: the same client id is
    // stored once, however often it is sent.
    state.pending.forEach(function (p) { if (p.failed) { sendPending(p); } });
  }
  function drop() {
    if (conn) { var c = conn; conn = null; c.onclose = c.onerror = null; c.close(); }
  }
  function reconnect() { drop(); failures = 0; connect(); }
  function connect() {
    if (!state.token || state.ended) { return; }
    drop();
    var q = "/live?token=" + encodeURIComponent(state.token) + "&after=" + state.last;
    if (!useEvents) {
      var ws = new WebSocket(api.replace(/^http/, "ws") + q);
      var opened = false;
      conn = ws;
      ws.onopen = function () { opened = true; };
      ws.onmessage = function (m) { onEvent(m.data); };
      ws.onclose = function () {
        if (conn !== ws) { return; }
        conn = null;
        if (!opened && failures >= 1 && !via) { useEvents = true; }
        if (!state.ended) { typing.textContent = tr("reconnecting"); later(); }
      };
      return;
    }
    if (usePoll) { poll(true); return; }
    var es = new EventSource(api + q), heard = false;
    conn = es;
    // A proxy that buffers the stream lets nothing through, not even the
    // greeting the server sends at once: then long-poll.
    var check = via ? 0 : setTimeout(function () {
      if (conn === es && !heard) { usePoll = true; reconnect(); }
    }, 5000);
    es.onmessage = function (m) { heard = true; clearTimeout(check); onEvent(m.data); };
    es.onerror = function () {
      if (conn !== es) { return; }
      clearTimeout(check);
      es.close();
      conn = null;
      later();
    };
  }
  // poll asks for what came after the last message heard, and again as
  // soon as the answer is in; the server holds each ask up to 25 s.
  function poll(fresh) {
    var ctl = new AbortController(), me = {close: function () { ctl.abort(); }};
    conn = me;
    fetch(api + "/poll?after=" + state.last, {headers: {Authorization: "Bearer " + state.token},
      credentials: "omit", mode: "cors", signal: ctl.signal}).then(function (res) {
      return res.ok ? res.json() : Promise.reject(res.status);
    }).then(function (j) {
      if (conn !== me) { return; }
      if (fresh) { hello(); }
      j.messages.forEach(function (m) { received(m); });
      if (j.typing !== undefined) { typing.textContent = j.typing ? tr("agent_typing") : ""; }
      if (j.read > state.read) { state.read = j.read; refreshStatus(); }
      if (j.ended) { end(); } else { poll(false); }
    }).catch(function () {
      if (conn !== me) { return; }
      conn = null;
      typing.textContent = tr("reconnecting");
      later();
    });
  }
  window.addEventListener("online", reconnect);

  // ---- Articles offered before the chat starts ----------------------------
  // What the visitor types before their first message is searched in the
  // help center (a pause in typing, at least three characters); an article
  // opened from here and no chat started after counts as a deflection.
  var kbTimer = 0, kbAsked = "";
  function suggest(text) {
    clearTimeout(kbTimer);
    text = text.trim();
    if (state.ticket || text.length < 3) { kbBox.hidden = true; kbAsked = ""; return; }
    kbTimer = setTimeout(function () {
      if (text === kbAsked) { return; }
      kbAsked = text;
      fetch(api + "/articles?lang=" + encodeURIComponent(state.cfg.language) + "&q=" + encodeURIComponent(text),
        {credentials: "omit", mode: "cors"}).then(function (res) {
        return res.ok ? res.json() : Promise.reject(res.status);
      }).then(function (j) {
        if (text !== kbAsked || state.ticket) { return; }
        kbList.textContent = "";
        j.articles.forEach(function (a) {
          var link = el("a", {href: base + a.path, target: "_blank", rel: "noopener", text: a.title}, [el("span", {"class": "sr", text: " " + tr("new_tab")})]);
          link.addEventListener("click", function () { opened(a); });
          kbList.appendChild(el("li", {}, [link]));
        });
        kbBox.hidden = !j.articles.length;
      }).catch(function () {});
    }, 300);
  }
  function opened(a) {
    if (!state.kb) { state.kb = newID() + newID().slice(0, 8); save(); }
    fetch(api + "/articles/opened", {method: "POST", credentials: "omit", mode: "cors", keepalive: true,
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({lang: a.lang, slug: a.slug, visitor: state.kb})}).catch(function () {});
  }

  // ---- Views --------------------------------------------------------------
  function show(view) {
    [pre, composer, offline, rating, transcript, newBtn].forEach(function (f) { f.hidden = true; });
    view.forEach(function (f) { f.hidden = false; });
  }
  function end() {
    state.ended = true;
    kbBox.hidden = true;
    drop();
    typing.textContent = "";
    say(tr("ended"));
    show([rating, transcript, newBtn]);
    if (attr("user-email") && !trEmail.value) { trEmail.value = attr("user-email"); }
  }
  function start() {
    if (!state.cfg.open) { show([offline]); return; }
    if (state.token) { show([composer]); return; }
    if (state.cfg.prechat && !attr("user-hash")) { show([pre]); return; }
    show([composer]);
  }
  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var f = panel.querySelector("form:not([hidden]) input, form:not([hidden]) textarea");
      if (f) { f.focus(); }
      markRead();
    } else {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { toggle(panel.hidden); });
  closeBtn.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { toggle(false); } });
  pre.addEventListener("submit", function (e) {
    e.preventDefault();
    preBtn.disabled = true;
    ensureSession(preName.value, preEmail.value).then(function () {
      if (!trEmail.value) { trEmail.value = preEmail.value; }
      show([composer]);
      input.focus();
      var q = preQ.value.trim();
      preQ.value = "";
      if (q) { queue(q).catch(function () { say(tr("error")); }); }
    }).catch(function () { say(tr("error")); }).finally(function () { preBtn.disabled = false; });
  });
  function stopTyping() {
    clearTimeout(state.typingTimer);
    if (state.typingSent) {
      state.typingSent = false;
      call("POST", "/typing", {typing: false}).catch(function () {});
    }
  }
  preQ.addEventListener("input", function () { suggest(preQ.value); });
  offText.addEventListener("input", function () { suggest(offText.value); });
  input.addEventListener("input", function () {
    if (!state.ticket) { suggest(input.value); return; }
    if (!state.typingSent && input.value) {
      state.typingSent = true;
      call("POST", "/typing", {typing: true}).catch(function () {});
    }
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(stopTyping, 4000);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); }
  });
  composer.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    stopTyping();
    queue(text).catch(function () { say(tr("error")); });
  });
  attachBtn.addEventListener("click", function () { file.click(); });
  file.addEventListener("change", function () {
    var f = file.files[0];
    file.value = "";
    if (!f) { return; }
    if (f.size > state.cfg.max_file) { say(tr("file_too_large")); return; }
    queue("", f).catch(function () { say(tr("error")); });
  });
  offline.addEventListener("submit", function (e) {
    e.preventDefault();
    offBtn.disabled = true;
    ensureSession(offName.value, "").then(function () {
      return call("POST", "/offline" + (state.kb ? "?kb=" + state.kb : ""), {client_id: newID(), name: offName.value, email: offEmail.value, text: offText.value});
    }).then(function () {
      show([]);
      kbBox.hidden = true;
      say(tr("offline_sent"));
    }).catch(function () { say(tr("error")); }).finally(function () { offBtn.disabled = false; });
  });
  rating.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!score) { stars.firstChild.focus(); return; }
    call("POST", "/rating", {score: score, comment: comment.value}).then(function () {
      rating.hidden = true;
      say(tr("thanks"));
    }).catch(function (err) {
      if (err.code === "already_rated") { rating.hidden = true; say(tr("thanks")); } else { say(tr("error")); }
    });
  });
  transcript.addEventListener("submit", function (e) {
    e.preventDefault();
    call("POST", "/transcript", {email: trEmail.value}).then(function () {
      transcript.hidden = true;
      say(tr("transcript_sent"));
    }).catch(function () { say(tr("error")); });
  });
  newBtn.addEventListener("click", function () {
    state.token = "";
    state.last = 0;
    state.ended = false;
    state.ticket = false;
    state.read = 0;
    state.seen = {};
    save();
    log.textContent = "";
    score = 0;
    start();
  });

  // ---- Start --------------------------------------------------------------
  var lang = attr("lang") || (navigator.language || "en");
  fetch(api + "/config?lang=" + encodeURIComponent(lang), {credentials: "omit", mode: "cors"}).then(function (res) {
    return res.ok ? res.json() : Promise.reject(res.status);
  }).then(function (cfg) {
    state.cfg = cfg;
    state.t = cfg.texts || {};
    applyTexts();
    document.body.appendChild(host);
    start();
    if (state.token) {
      // A page reload: the chat so far, then live.
      var last = state.last;
      state.last = 0;
      call("GET", "/messages?after=0").then(function (j) {
        state.ticket = j.ticket;
        state.read = j.read || 0;
        j.messages.forEach(received);
        if (j.ended) { end(); } else { connect(); }
      }).catch(function (e) {
        if (e.status === 401) { state.token = ""; state.last = last; save(); start(); }
      });
    }
  }).catch(function () {});

  // For the page and for tests: the state of the connection.
  window.RapportChat = {
    open: function () { toggle(true); },
    transport: function () { return conn ? (window.WebSocket && conn instanceof window.WebSocket ? "websocket" : usePoll ? "poll" : "events") : ""; },
    disconnect: function () { if (conn) { conn.close(); } }
  };
})();
