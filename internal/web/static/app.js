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
