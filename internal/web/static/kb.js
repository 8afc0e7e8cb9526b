// The knowledge base's small helpers (issue 16); the pages work without
// them.
//
// On the contact form: while the customer types a subject, the articles
// matching it are fetched (/help/suggest) and shown under it; opening one
// counts, on the server, for the deflection report.
(function () {
  "use strict";
  var box = document.getElementById("kb-suggest");
  var subject = document.getElementById("contact-subject");
  if (!box || !subject) return;
  var timer = null, last = "", seq = 0;
  function ask() {
    var q = subject.value.trim();
    if (q === last) return;
    last = q;
    if (q.length < 3) { box.hidden = true; box.innerHTML = ""; return; }
    var mine = ++seq;
    var url = "/help/suggest?lang=" + encodeURIComponent(box.dataset.lang || "") + "&q=" + encodeURIComponent(q);
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (html) {
      if (mine !== seq) return;
      box.innerHTML = html;
      box.hidden = html.trim() === "";
    }).catch(function () {});
  }
  subject.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
})();
