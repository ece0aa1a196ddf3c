// The print page's button (inline handlers are refused by the CSP).
document.querySelectorAll('[data-print]').forEach(function (b) { b.addEventListener('click', function () { window.print(); }); });
