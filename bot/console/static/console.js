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
