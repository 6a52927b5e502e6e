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

// List tables on phones (issue 25): every <table> with a header row gets each cell
// labelled with its column's header (data-label), and the class "cards"; the base
// layout's CSS turns such a table into one card per row on narrow screens, the column
// whose <th> says data-first first (a meeting's 状态). Done here, once, for every page
// and for rows a page reloads in place (the live attendance list); a table marked
// data-keep-table (a printed sheet) stays a table.
(function () {
  function label(table) {
    if (table.hasAttribute('data-keep-table')) return;
    var heads = table.querySelectorAll('thead th');
    if (!heads.length) return;
    var labels = [], first = -1;
    Array.prototype.forEach.call(heads, function (th) {
      for (var n = 0; n < (th.colSpan || 1); n++) {
        if (th.hasAttribute('data-first')) first = labels.length;
        labels.push(th.textContent.trim());
      }
    });
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (!cell.hasAttribute('data-label')) cell.setAttribute('data-label', labels[column] || '');
        if (column === first) cell.classList.add('card-first');
        column += cell.colSpan || 1;
      });
    });
    table.classList.add('cards');
  }
  function labelAll() {
    Array.prototype.forEach.call(document.querySelectorAll('main table'), label);
  }
  labelAll();
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      if (changes.some(function (c) { return c.addedNodes.length; })) labelAll();
    }).observe(document.querySelector('main') || document.body, {childList: true, subtree: true});
  }
})();
