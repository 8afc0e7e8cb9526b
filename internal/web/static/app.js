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

  function beat(s) {
    var body = "state=" + encodeURIComponent(s) + "&csrf=" + encodeURIComponent(token);
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
