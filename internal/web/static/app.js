// Rapport web UI niceties. Everything works without this file: it only
// asks before destructive actions and lets Ctrl+Enter send a composer.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var msg = form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.tagName === "TEXTAREA" && e.target.form) {
      e.preventDefault();
      if (e.target.form.requestSubmit) {
        e.target.form.requestSubmit();
      } else {
        e.target.form.submit();
      }
    }
  });
})();

// Reply quality. As the agent types, the draft goes (debounced) to
// POST /tickets/{id}/analyze and the findings show beside it; a finding
// can be dismissed with a reason. Nothing here touches the send button.
// Without this script the "Check reply" button shows the same findings
// with a page load.
(function () {
  "use strict";
  var panel = document.getElementById("reply-findings");
  var box = document.getElementById("reply-body");
  if (!panel || !box || !box.form || !window.fetch || !window.JSON) {
    return;
  }
  var list = document.getElementById("finding-list");
  var status = document.getElementById("findings-status");
  var tpl = document.getElementById("finding-template");
  var csrf = box.form.querySelector('input[name="csrf"]');
  var token = csrf ? csrf.value : "";
  var delay = 450; // ms of quiet before the draft is read
  var dismissed = {}; // rule + NUL + quote: hidden for the rest of the visit
  var seq = 0; // the latest request; older answers are dropped
  var timer = null;
  var lastText = null;
  var analysedText = box.value; // the text the shown findings are about
  var controller = null;

  function key(rule, quote) {
    return rule + "\u0000" + String(quote).trim().toLowerCase();
  }

  function say(name) {
    status.textContent = panel.getAttribute("data-" + name) || "";
  }

  function post(url, body, signal) {
    var opts = {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify(body)
    };
    if (signal) {
      opts.signal = signal;
    }
    return fetch(url, opts);
  }

  function isJSON(res) {
    return (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  function analyse() {
    var text = box.value;
    if (text === lastText) {
      return;
    }
    lastText = text;
    var mine = ++seq;
    if (controller) {
      controller.abort();
      controller = null;
    }
    if (text.trim() === "") {
      render([], text);
      return;
    }
    controller = window.AbortController ? new AbortController() : null;
    panel.setAttribute("aria-busy", "true");
    say("checking");
    post(panel.getAttribute("data-analyze"), {text: text}, controller && controller.signal)
      .then(function (res) {
        if (!res.ok || !isJSON(res)) {
          throw new Error("analyze: " + res.status);
        }
        return res.json();
      })
      .then(function (data) {
        if (mine === seq) {
          render(data.findings || [], text);
        }
      })
      .catch(function (err) {
        if (mine !== seq || (err && err.name === "AbortError")) {
          return;
        }
        lastText = null; // try again on the next keystroke
        say("unavailable");
      })
      .then(function () {
        if (mine === seq) {
          panel.removeAttribute("aria-busy");
        }
      });
  }

  function render(findings, text) {
    analysedText = text;
    list.textContent = "";
    var shown = 0;
    findings.forEach(function (f) {
      if (!dismissed[key(f.rule, f.quote)]) {
        list.appendChild(item(f));
        shown++;
      }
    });
    if (text.trim() === "") {
      say("hint");
    } else {
      say(shown ? "found" : "none");
    }
  }

  function item(f) {
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.classList.add("sin-" + f.sin);
    li.setAttribute("data-rule", f.rule);
    li.querySelector(".f-sin").textContent = f.label;
    var q = li.querySelector(".f-quote");
    q.textContent = f.quote;
    q.setAttribute("data-start", f.rune_start);
    q.setAttribute("data-end", f.rune_end);
    li.querySelector(".f-expl").textContent = f.explanation;
    li.querySelector(".f-sugg").textContent = f.suggestion;
    var form = li.querySelector(".dismiss-form");
    if (form) {
      form.elements.sin.value = f.sin;
      form.elements.rule.value = f.rule;
      form.elements.quote.value = f.quote;
    }
    return li;
  }

  // utf16 turns a count of code points into a JavaScript string offset.
  function utf16(text, runes) {
    var i = 0;
    for (var n = 0; n < runes && i < text.length; n++) {
      var c = text.charCodeAt(i);
      i += (c >= 0xd800 && c <= 0xdbff) ? 2 : 1;
    }
    return i;
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(analyse, delay);
  });

  panel.addEventListener("click", function (e) {
    // Clicking the quoted words selects them in the draft, while the draft
    // is the one the findings are about.
    var q = e.target.closest ? e.target.closest(".f-quote") : null;
    if (!q || box.value !== analysedText || !q.hasAttribute("data-start")) {
      return;
    }
    var text = box.value;
    box.focus();
    box.setSelectionRange(utf16(text, +q.getAttribute("data-start")), utf16(text, +q.getAttribute("data-end")));
  });

  panel.addEventListener("submit", function (e) {
    var form = e.target;
    var url = panel.getAttribute("data-dismiss");
    if (!form.classList.contains("dismiss-form") || !url) {
      return;
    }
    e.preventDefault();
    var el = form.elements;
    var body = {sin: el.sin.value, rule: el.rule.value, quote: el.quote.value, reason: el.reason.value, note: el.note.value};
    var problem = form.querySelector(".field-error");
    if (!problem) {
      problem = document.createElement("p");
      problem.className = "field-error";
      form.appendChild(problem);
    }
    problem.hidden = true;
    post(url, body)
      .then(function (res) {
        if (res.status === 201) {
          dismissed[key(body.rule, body.quote)] = true;
          var li = form.closest("li");
          li.parentNode.removeChild(li);
          say("dismissed");
          return;
        }
        if (!isJSON(res)) {
          throw new Error("dismiss: " + res.status);
        }
        return res.json().then(function (data) {
          var f = data.fields || {};
          problem.textContent = f.note || f.reason || data.error || "";
          problem.hidden = false;
        });
      })
      .catch(function () {
        problem.textContent = panel.getAttribute("data-unavailable") || "";
        problem.hidden = false;
      });
  });

  if (box.value.trim() !== "" && list.children.length === 0) {
    analyse();
  } else {
    lastText = box.value;
  }
})();

// Presence on the ticket page: a heartbeat tells the server this agent has
// the ticket open, and whether they are writing a reply; the answer says
// who else is on it, so two agents do not answer one customer at once.
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box || !box.getAttribute("data-url") || !window.fetch || !window.JSON) {
    return;
  }
  var url = box.getAttribute("data-url");
  var csrf = document.querySelector('input[name="csrf"]');
  var token = csrf ? csrf.value : "";
  var reply = document.getElementById("reply-body");
  var state = "viewing";
  var lastTyped = 0;

  var told = "";

  function beat(s) {
    var body = "state=" + encodeURIComponent(s) + "&csrf=" + encodeURIComponent(token);
    // A change of state is told to colleagues at once (live.js); a
    // heartbeat of the same state is not.
    if (s !== told) {
      body += "&change=1";
      told = s;
    }
    if (s === "left" && navigator.sendBeacon) {
      navigator.sendBeacon(url, new Blob([body], {type: "application/x-www-form-urlencoded"}));
      return;
    }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json", "X-CSRF-Token": token},
      body: body
    }).then(function (res) {
      return res.ok ? res.json() : null;
    }).then(function (data) {
      if (!data) {
        return;
      }
      box.textContent = "";
      (data.others || []).forEach(function (o) {
        var p = document.createElement("p");
        p.className = "collision presence-" + o.state;
        p.textContent = o.text;
        box.appendChild(p);
      });
      box.classList.toggle("empty", !(data.others || []).length);
    }).catch(function () {});
  }

  if (reply) {
    reply.addEventListener("input", function () {
      lastTyped = Date.now();
      if (state !== "replying") {
        state = "replying";
        beat(state);
      }
    });
  }
  window.setInterval(function () {
    if (state === "replying" && Date.now() - lastTyped > 60000) {
      state = "viewing";
    }
    if (!document.hidden) {
      beat(state);
    }
  }, 15000);
  window.addEventListener("pagehide", function () { beat("left"); });
  // live.js: a colleague opened, left or began a reply on this ticket.
  document.addEventListener("rapport:presence", function () { beat(state); });
  beat(state);
})();

// An agent with no time zone yet: the browser's is saved once, so that
// every page from the next on shows times in it (until then, and without
// JavaScript, they are in the business's zone).
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-zone-save");
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!csrf || !zone || !window.fetch) {
    return;
  }
  var body = new URLSearchParams();
  body.set("csrf", csrf);
  body.set("time_zone", zone);
  fetch("/preferences/time-zone", { method: "POST", body: body, credentials: "same-origin" });
})();

// Sidebar cards fold under their headings (<details class="fold">); the
// state of each card is remembered in this browser, by card id, across
// tickets. A card holding an error stays open, so the error is seen.
(function () {
  "use strict";
  var folds = document.querySelectorAll("details.fold[data-card]");
  var store = null;
  try {
    store = window.localStorage;
  } catch (e) {
    return; // storage refused: the cards simply start open
  }
  if (!store) {
    return;
  }
  Array.prototype.forEach.call(folds, function (d) {
    var key = "rapport.card." + d.getAttribute("data-card");
    var saved = null;
    try {
      saved = store.getItem(key);
    } catch (e) {}
    if (saved === "closed" && !d.querySelector(".alert, .field-error")) {
      d.open = false;
    }
    d.addEventListener("toggle", function () {
      try {
        store.setItem(key, d.open ? "open" : "closed");
      } catch (e) {}
    });
  });
})();

// The ticket page's tabs (conversation, history) switch in place; as links
// (?tab=history) they work without this script too.
(function () {
  "use strict";
  var tabs = document.querySelectorAll('.ticket-tabs [role="tab"]');
  if (!tabs.length) {
    return;
  }
  function show(tab) {
    Array.prototype.forEach.call(tabs, function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        t.setAttribute("aria-current", "page");
      } else {
        t.removeAttribute("aria-current");
      }
      t.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) {
        panel.hidden = !on;
      }
    });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", tab.getAttribute("href"));
    }
  }
  Array.prototype.forEach.call(tabs, function (t, i) {
    t.tabIndex = t.getAttribute("aria-selected") === "true" ? 0 : -1;
    t.addEventListener("click", function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) {
        return; // a new tab or window: let the link open it
      }
      e.preventDefault();
      show(t);
    });
    t.addEventListener("keydown", function (e) {
      var to = null;
      if (e.key === "ArrowRight") {
        to = tabs[(i + 1) % tabs.length];
      } else if (e.key === "ArrowLeft") {
        to = tabs[(i + tabs.length - 1) % tabs.length];
      }
      if (to) {
        e.preventDefault();
        show(to);
        to.focus();
      }
    });
  });
  // showTab opens the tab of the panel with the given id; the shortcuts use it.
  window.rapportShowTab = function (panelID) {
    Array.prototype.forEach.call(tabs, function (t) {
      if (t.getAttribute("aria-controls") === panelID && t.getAttribute("aria-selected") !== "true") {
        show(t);
      }
    });
  };
})();

// Keyboard shortcuts of the ticket page: r reply, n internal note, s solve
// (the properties form, as the agent would submit it), j or ] next ticket,
// k or [ previous, h conversation/history, ? this list. They are ignored
// while typing in a field; Esc leaves the field.
(function () {
  "use strict";
  var help = document.getElementById("shortcuts-help");
  if (!help) {
    return;
  }
  var opener = document.getElementById("shortcuts-open");
  function openHelp() {
    if (help.open) {
      return;
    }
    if (help.showModal) {
      help.showModal();
    } else {
      help.setAttribute("open", "");
    }
  }
  if (opener) {
    opener.hidden = false;
    opener.addEventListener("click", openHelp);
  }
  function typing(el) {
    if (!el || !el.tagName) {
      return false;
    }
    return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }
  function focusField(id) {
    var el = document.getElementById(id);
    if (!el) {
      return false;
    }
    if (window.rapportShowTab) {
      window.rapportShowTab("conversation-panel");
    }
    el.focus();
    if (el.scrollIntoView) {
      el.scrollIntoView({block: "center"});
    }
    return true;
  }
  function follow(id) {
    var a = document.getElementById(id);
    if (!a) {
      return false;
    }
    window.location.href = a.href;
    return true;
  }
  function solve() {
    var sel = document.getElementById("status-select");
    if (!sel || !sel.form || sel.value === "solved" || !sel.querySelector('option[value="solved"]')) {
      return false;
    }
    sel.value = "solved";
    if (sel.form.requestSubmit) {
      sel.form.requestSubmit();
    } else {
      sel.form.submit();
    }
    return true;
  }
  function toggleTab() {
    var hist = document.getElementById("history-panel");
    if (!hist || !window.rapportShowTab) {
      return false;
    }
    window.rapportShowTab(hist.hidden ? "history-panel" : "conversation-panel");
    return true;
  }
  // swallow: a shortcut just ran; the character its key would type (sent
  // as a keypress after the keydown) must not land in the field it focused.
  var swallow = false;
  document.addEventListener("keypress", function (e) {
    if (swallow) {
      swallow = false;
      e.preventDefault();
    }
  }, true);
  document.addEventListener("keyup", function () {
    swallow = false;
  });
  document.addEventListener("keydown", function (e) {
    swallow = false;
    if (e.key === "Escape" && typing(e.target) && !help.open) {
      e.target.blur();
      return;
    }
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing || typing(e.target) || help.open) {
      return;
    }
    var done = false;
    switch (e.key) {
    case "r":
      done = focusField("reply-body");
      break;
    case "n":
      done = focusField("note-body");
      break;
    case "s":
      done = solve();
      break;
    case "j":
    case "]":
      done = follow("next-ticket");
      break;
    case "k":
    case "[":
      done = follow("previous-ticket");
      break;
    case "h":
      done = toggleTab();
      break;
    case "?":
      openHelp();
      done = true;
      break;
    }
    if (done) {
      e.preventDefault(); // the key is not typed into the field it focused
      swallow = true;
    }
  });
})();
