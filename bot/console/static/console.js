// What the console's pages ask for with data- attributes; the Content-Security-Policy
// allows no inline event handlers (onclick="…"), so they live here, once.
//   <form data-confirm="确定…？">   ask before submitting
//   <select data-autosubmit>       submit its form when the choice changes
//   <a data-busy-text="正在…">      say that a slow download is on its way
//   <button data-print>            print the page
(function () {
  document.addEventListener('submit', function (event) {
    var message = event.target.getAttribute('data-confirm');
    if (message && !window.confirm(message)) event.preventDefault();
  });
  document.addEventListener('change', function (event) {
    if (event.target.hasAttribute('data-autosubmit') && event.target.form) {
      event.target.form.submit();
    }
  });
  document.addEventListener('click', function (event) {
    var element = event.target.closest('[data-print], [data-busy-text]');
    if (!element) return;
    if (element.hasAttribute('data-print')) window.print();
    else element.textContent = element.getAttribute('data-busy-text');
  });
})();

// <select data-kind-from="name-field-id" data-kind-hints='[[["村",…],"branch"],…]'>:
// as the name is typed, choose the kind its ending suggests (first match wins), until
// the admin picks a kind themselves.
(function () {
  document.querySelectorAll('select[data-kind-from]').forEach(function (select) {
    var field = document.getElementById(select.getAttribute('data-kind-from'));
    var hints = JSON.parse(select.getAttribute('data-kind-hints') || '[]');
    if (!field) return;
    select.addEventListener('change', function () { select.dataset.picked = '1'; });
    field.addEventListener('input', function () {
      if (select.dataset.picked) return;
      var name = field.value.replace(/\s+/g, ''), kind = '';
      for (var i = 0; i < hints.length && !kind; i++) {
        for (var j = 0; j < hints[i][0].length; j++) {
          if (name.slice(-hints[i][0][j].length) === hints[i][0][j]) { kind = hints[i][1]; break; }
        }
      }
      if (select.querySelector('option[value="' + kind + '"]')) select.value = kind;
      else select.value = '';
    });
  });
})();
