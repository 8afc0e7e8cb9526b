// The business's time zone field starts as the browser's zone when empty;
// the person can still change it. Without JavaScript the field is typed.
(function () {
  'use strict';
  var zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
  document.querySelectorAll('input[data-browser-zone]').forEach(function (input) {
    if (!input.value && zone) { input.value = zone; }
  });
})();
