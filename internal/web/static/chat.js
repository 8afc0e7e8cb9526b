// Live chat for agents (issue 15): greeting countdowns tick, and a new
// chat rings (a tone made with WebAudio, no file) and shows on the header
// badge. The server decides which chats ring for this agent
// (GET /chats/ringing); live.js says when to ask again ("rapport:live").
// Without JavaScript the countdowns show the time at render and /chats
// lists the waiting chats.
(function () {
  "use strict";
  var body = document.body;

  // ---- Greeting countdowns ----------------------------------------------
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(ms) {
    var s = Math.ceil(Math.abs(ms) / 1000);
    if (s >= 3600) {
      return Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    }
    return Math.floor(s / 60) + ":" + pad(s % 60);
  }
  function tick() {
    var clocks = document.querySelectorAll(".greet[data-due]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      if (el.rapportSkew === undefined) {
        // The server's clock at render against this browser's.
        el.rapportSkew = Date.parse(el.getAttribute("data-now")) - Date.now();
      }
      var now = Date.now() + el.rapportSkew;
      var due = Date.parse(el.getAttribute("data-due"));
      var risk = Date.parse(el.getAttribute("data-risk"));
      var cls = now >= due ? "greet-over" : (now >= risk ? "greet-risk" : "greet-ok");
      if (!el.classList.contains(cls)) {
        el.classList.remove("greet-ok", "greet-risk", "greet-over");
        el.classList.add(cls);
      }
      var text = el.querySelector(".greet-text") || el;
      var tpl = el.getAttribute(now >= due ? "data-over" : "data-left") || "{t}";
      text.textContent = tpl.replace("{t}", clock(due - now));
    }
  }
  tick();
  window.setInterval(tick, 1000);

  // ---- The ring -----------------------------------------------------------
  var ringURL = body.getAttribute("data-chat-ring");
  if (!ringURL || !window.fetch) {
    return;
  }
  var state = {rings: 0, sounds: 0, count: 0, muted: false};
  window.rapportChat = state;
  var rung = [];
  try {
    rung = JSON.parse(window.sessionStorage.getItem("rapport-rung") || "[]");
  } catch (e) {
    rung = [];
  }

  var audio = null;
  function tone() {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) {
      return;
    }
    try {
      audio = audio || new AC();
      if (audio.state === "suspended") {
        audio.resume();
      }
      var t = audio.currentTime;
      [660, 880].forEach(function (freq, i) {
        var start = t + i * 0.18;
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.17);
      });
      state.sounds++;
    } catch (e) {
      // No sound device: the badge still shows.
    }
  }

  var said = null;
  function say(text) {
    if (!said) {
      said = document.createElement("div");
      said.className = "sr-only";
      said.setAttribute("role", "status");
      said.setAttribute("aria-live", "assertive");
      said.id = "chat-said";
      body.appendChild(said);
    }
    said.textContent = "";
    window.setTimeout(function () { said.textContent = text; }, 50);
  }

  function badge(data) {
    var count = document.getElementById("chat-count");
    if (!count) {
      return;
    }
    count.title = data.title || "";
    count.textContent = data.count ? String(data.count) : "";
    count.hidden = !data.count;
    var link = document.getElementById("chat-link");
    if (link) {
      link.classList.toggle("ringing", data.count > 0);
    }
  }

  function refresh() {
    fetch(ringURL, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (res) {
      return res.ok ? res.json() : Promise.reject(res.status);
    }).then(function (data) {
      state.count = data.count;
      state.muted = data.muted;
      badge(data);
      var fresh = data.chats.filter(function (c) { return rung.indexOf(c.id) < 0; });
      if (!fresh.length) {
        return;
      }
      rung = rung.concat(fresh.map(function (c) { return c.id; })).slice(-200);
      try {
        window.sessionStorage.setItem("rapport-rung", JSON.stringify(rung));
      } catch (e) {
        // Private mode: it may ring again on the next page.
      }
      state.rings++;
      body.setAttribute("data-chat-rings", String(state.rings));
      if (!data.muted) {
        tone();
      }
      say((body.getAttribute("data-chat-said") || "New chat") + ": " + fresh[0].subject);
    }).catch(function () {});
  }

  var pending = null;
  function soon() {
    if (pending) {
      return;
    }
    pending = window.setTimeout(function () {
      pending = null;
      refresh();
    }, 150);
  }
  document.addEventListener("rapport:live", function (e) {
    var kind = (e.detail && e.detail.kind) || "";
    if (kind === "resync" || kind.indexOf("ticket.") === 0) {
      soon();
    }
  });
  refresh();
})();
