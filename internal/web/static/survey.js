// The survey page of a one-click link shows the customer's choice in a form
// that the page submits by itself, so that the answer is recorded by a POST
// (link scanners that only fetch the page record nothing) and the customer
// still clicks only once. Without JavaScript the form's button does it.
(function () {
  "use strict";
  function send() {
    var form = document.querySelector("form[data-autosubmit]");
    if (!form || form.dataset.sent) {
      return;
    }
    form.dataset.sent = "1";
    form.submit();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", send);
  } else {
    send();
  }
})();
