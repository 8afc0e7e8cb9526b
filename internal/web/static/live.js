// Live updates of an agent's open page (issue 15). The server sends kinds
// and ids only (GET /live: a WebSocket, else Server-Sent Events); this
// script fetches what changed through the server's own pages and
// fragments, so every template stays on the server. Without JavaScript,
// or without a connection, the pages are as they were served.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-live");
  if (!url || !window.fetch || !window.JSON || !window.DOMParser) {
    return;
  }
  var texts = {
    activity: body.getAttribute("data-live-activity") || "New activity",
    changed: body.getAttribute("data-live-changed") || "This ticket changed",
    message: body.getAttribute("data-live-message") || "New message"
  };

  // A polite live region: what changed, said to screen-reader users.
  var said = document.createElement("div");
  said.className = "sr-only";
  said.setAttribute("role", "status");
  said.setAttribute("aria-live", "polite");
  said.id = "live-said";
  body.appendChild(said);
  function say(text) {
    said.textContent = "";
    window.setTimeout(function () { said.textContent = text; }, 50);
  }

  function get(path) {
    return fetch(path, {credentials: "same-origin", headers: {"Accept": "text/html"}});
  }

  // The "new activity" indicator: changes that would move content under
  // the agent's pointer or focus wait here until they ask for them.
  var waiting = [];
  var indicator = null;
  function hold(apply, where, text) {
    waiting.push(apply);
    if (indicator) {
      return;
    }
    indicator = document.createElement("button");
    indicator.type = "button";
    indicator.className = "live-activity";
    indicator.id = "live-activity";
    indicator.textContent = text;
    indicator.addEventListener("click", function () {
      var todo = waiting;
      waiting = [];
      indicator.remove();
      indicator = null;
      todo.forEach(function (f) { f(); });
    });
    where.parentNode.insertBefore(indicator, where);
    say(text);
  }

  // ---- The inbox: rows come, move and go -------------------------------
  // Only the inbox's list: the customer page and search share the table
  // but not the inbox's filters.
  var list = window.location.pathname === "/" ? document.getElementById("ticket-list") : null;
  var tbody = list ? list.querySelector("tbody") : null;
  var params = new URLSearchParams(window.location.search);
  var paged = params.has("cursor");
  params.delete("cursor");
  var sort = params.get("sort") || "updated";
  var onTop = !paged && (sort === "updated" || sort === "created");
  var busy = false; // the pointer or focus is in the list
  if (list) {
    list.addEventListener("mouseenter", function () { busy = true; });
    list.addEventListener("mouseleave", function () { busy = false; });
    list.addEventListener("focusin", function () { busy = true; });
    list.addEventListener("focusout", function () { busy = false; });
  }

  function rowFrom(html) {
    var t = document.createElement("tbody");
    t.innerHTML = html;
    return t.querySelector("tr");
  }

  function placeRow(id, row, created) {
    var old = document.getElementById("row-" + id);
    if (!row) {
      if (old) {
        old.remove();
      }
      return;
    }
    row.classList.add("live-new");
    var empty = tbody.querySelector("tr.empty");
    if (old) {
      // Moved to the top only when the list is in order of change.
      if (!paged && sort === "updated") {
        old.remove();
        tbody.insertBefore(row, tbody.firstChild);
      } else {
        old.replaceWith(row);
      }
    } else if (onTop && (created || sort === "updated")) {
      if (empty) {
        empty.remove();
      }
      tbody.insertBefore(row, tbody.firstChild);
    } else {
      // Its place is on another page of the list: only a reload shows it.
      hold(function () { window.location.reload(); }, list, texts.activity);
      return;
    }
  }

  function inboxChanged(ev) {
    var q = params.toString();
    get("/inbox/rows/" + ev.ticket + (q ? "?" + q : "")).then(function (res) {
      if (res.status === 204) {
        return null;
      }
      return res.ok ? res.text() : Promise.reject(res.status);
    }).then(function (html) {
      var row = html ? rowFrom(html) : null;
      var old = document.getElementById("row-" + ev.ticket);
      if (!row && !old) {
        return;
      }
      var apply = function () { placeRow(ev.ticket, row, ev.kind === "ticket.created"); };
      if (busy) {
        hold(apply, list, texts.activity);
      } else {
        apply();
        if (row) {
          say(texts.activity);
        }
      }
    }).catch(function () {});
  }

  // ---- The ticket page: messages, status, owner, history ---------------
  var match = window.location.pathname.match(/^\/tickets\/(\d+)$/);
  var ticketID = match ? parseInt(match[1], 10) : 0;
  var thread = document.querySelector(".thread");

  function swap(fresh, id) {
    var now = document.getElementById(id);
    var next = fresh.getElementById(id);
    if (now && next) {
      now.replaceWith(next);
    }
  }

  function ticketChanged() {
    get(window.location.pathname + window.location.search).then(function (res) {
      return res.ok ? res.text() : Promise.reject(res.status);
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      // New messages are added after the last: nothing moves.
      var added = 0;
      var freshThread = fresh.querySelector(".thread");
      if (thread && freshThread) {
        freshThread.querySelectorAll("article.msg").forEach(function (m) {
          if (!document.getElementById(m.id)) {
            m.classList.add("live-new");
            thread.appendChild(document.importNode(m, true));
            added++;
          }
        });
      }
      ["tab-conversation", "tab-history"].forEach(function (id) {
        var now = document.getElementById(id);
        var next = fresh.getElementById(id);
        var c = now && now.querySelector(".count");
        var n = next && next.querySelector(".count");
        if (c && n) {
          c.textContent = n.textContent;
        }
      });
      swap(fresh, "ticket-status");
      swap(fresh, "history");
      // Cards that ask for it are replaced whole (the chat card).
      document.querySelectorAll("[data-live-swap]").forEach(function (el) {
        if (el.id) {
          swap(fresh, el.id);
        }
      });
      // The owner card holds a form: not replaced under the agent's hand.
      var owner = document.getElementById("owner");
      if (owner && owner.contains(document.activeElement)) {
        hold(function () { ticketChanged(); }, owner, texts.changed);
      } else {
        swap(fresh, "owner");
      }
      if (added) {
        say(texts.message);
      }
    }).catch(function () {});
  }

  // ---- The notification badge ------------------------------------------
  function badge() {
    var link = document.getElementById("notif-link");
    if (!link) {
      return;
    }
    fetch("/notifications/badge", {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (res) {
      return res.ok ? res.json() : Promise.reject(res.status);
    }).then(function (data) {
      var count = link.querySelector(".count");
      if (!data.badge) {
        if (count) {
          count.remove();
        }
        return;
      }
      if (!count) {
        count = document.createElement("span");
        count.className = "count";
        link.appendChild(document.createTextNode(" "));
        link.appendChild(count);
      }
      count.title = data.title;
      count.textContent = data.badge;
    }).catch(function () {});
  }

  // ---- Events -----------------------------------------------------------
  function handle(ev) {
    // Other scripts of the page (chat.js) hear every event too.
    document.dispatchEvent(new CustomEvent("rapport:live", {detail: ev}));
    switch (ev.kind) {
    case "hello":
      return;
    case "notification":
      badge();
      return;
    case "presence":
      if (ev.ticket === ticketID) {
        document.dispatchEvent(new CustomEvent("rapport:presence"));
      }
      return;
    case "chat.typing":
    case "chat.read":
      // chat-agent.js: the chat's visitor types or has read (issue 15).
      if (ev.ticket === ticketID) {
        document.dispatchEvent(new CustomEvent("rapport:chat", {detail: ev}));
      }
      return;
    case "resync":
      if (tbody) {
        hold(function () { window.location.reload(); }, list, texts.activity);
      }
      if (ticketID) {
        ticketChanged();
      }
      badge();
      return;
    }
    if (ev.kind.indexOf("ticket.") !== 0 || !ev.ticket) {
      return;
    }
    if (tbody) {
      inboxChanged(ev);
    }
    if (ev.ticket === ticketID) {
      ticketChanged();
    }
  }

  // ---- The connection: WebSocket, else Server-Sent Events; reconnects
  // with a growing, random wait (another node may answer) ----------------
  var failures = 0;     // attempts in a row that never opened
  var useEvents = !window.WebSocket;
  var opened = false;   // some connection has opened before
  var current = null;

  function later(base) {
    var wait = Math.min(30000, base * Math.pow(2, Math.min(failures, 5)));
    failures++;
    window.setTimeout(connect, wait / 2 + Math.random() * wait);
  }

  function onOpen() {
    if (opened) {
      // Events may have passed while it was closed.
      handle({kind: "resync"});
    }
    opened = true;
    failures = 0;
  }

  function onMessage(data, close) {
    var ev;
    try {
      ev = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (ev.kind === "reconnect") {
      close();
      later(ev.retry || 1000);
      return;
    }
    handle(ev);
  }

  function connect() {
    if (document.hidden && current === null && opened) {
      // Back when the page is seen again.
      document.addEventListener("visibilitychange", function again() {
        document.removeEventListener("visibilitychange", again);
        connect();
      });
      return;
    }
    var done = false;
    var close = function () {};
    var lost = function (base) {
      if (done) {
        return;
      }
      done = true;
      current = null;
      later(base);
    };
    if (!useEvents) {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(scheme + window.location.host + url);
      var wasOpen = false;
      current = ws;
      close = function () { done = true; current = null; ws.close(); };
      ws.onopen = function () { wasOpen = true; onOpen(); };
      ws.onmessage = function (m) { onMessage(m.data, close); };
      ws.onclose = function () {
        // Never opened twice in a row: WebSocket is blocked on the way,
        // so the event stream is used instead.
        if (!wasOpen && failures >= 1) {
          useEvents = true;
        }
        lost(1000);
      };
      return;
    }
    var es = new EventSource(url);
    current = es;
    close = function () { done = true; current = null; es.close(); };
    es.onopen = onOpen;
    es.onmessage = function (m) { onMessage(m.data, close); };
    es.onerror = function () {
      es.close();
      lost(1000);
    };
  }

  // Tests and curious agents can see the state of the connection.
  window.rapportLive = {
    transport: function () { return current ? (window.WebSocket && current instanceof window.WebSocket ? "websocket" : "events") : ""; }
  };
  window.addEventListener("pagehide", function () {
    if (current) {
      current.close();
    }
  });
  connect();
})();
