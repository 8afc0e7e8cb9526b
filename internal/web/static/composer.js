// The reply composer: "Insert" puts the chosen saved reply into the draft
// where the cursor is, without reloading the page (without this script the
// button posts the form and the page comes back with it inserted); files
// over the size limit are refused before anything is sent.
(function () {
  "use strict";
  var box = document.getElementById("reply-body");
  var pick = document.getElementById("saved-reply");
  var insert = document.getElementById("saved-insert");
  if (box && pick && insert) {
    insert.addEventListener("click", function (ev) {
      var opt = pick.options[pick.selectedIndex];
      var body = opt ? opt.getAttribute("data-body") : null;
      ev.preventDefault();
      if (!body) {
        pick.focus();
        return;
      }
      var start = box.selectionStart, end = box.selectionEnd;
      var text = box.value;
      if (typeof start !== "number" || document.activeElement !== box && start === 0 && end === 0) {
        start = end = text.length; // not placed yet: after what is written
      }
      var before = text.slice(0, start).replace(/\s+$/, "");
      var after = text.slice(end);
      var sep = before === "" ? "" : "\n\n";
      box.value = before + sep + body + after;
      var caret = (before + sep + body).length;
      box.focus();
      box.setSelectionRange(caret, caret);
      pick.selectedIndex = 0;
      // Tell the reply analyzer and the presence script.
      box.dispatchEvent(new Event("input", {bubbles: true}));
    });
  }

  var files = document.getElementById("reply-files");
  if (files && files.form) {
    var limit = Number(files.getAttribute("data-max-mb")) * 1024 * 1024;
    var check = function () {
      var total = 0;
      for (var i = 0; i < files.files.length; i++) {
        total += files.files[i].size;
      }
      files.setCustomValidity(limit && total > limit ? files.getAttribute("data-too-large") : "");
    };
    files.addEventListener("change", function () {
      check();
      files.reportValidity();
    });
  }
})();
