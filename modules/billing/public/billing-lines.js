// Recomputes line amounts and totals as you type, with the server's rule: integer minor units, the
// tax rounded half-up once per line. The server recomputes on save and is the truth.
(function () {
  var form = document.querySelector('.billing-doc-form');
  if (!form) return;
  var digits = 2;
  var products = {};
  document.querySelectorAll('#billing-products option').forEach(function (o) {
    products[o.value.toUpperCase()] = { price: o.getAttribute('data-price'), rate: Number(o.getAttribute('data-rate')) };
  });
  function toMinor(text) {
    var m = /^(-)?(\d+)(?:[.,](\d*))?$/.exec(String(text || '').trim());
    if (!m) return null;
    var frac = (m[3] || '').slice(0, digits);
    while (frac.length < digits) frac += '0';
    var v = Number(m[2] + frac);
    return m[1] ? -v : v;
  }
  function show(minor) {
    var neg = minor < 0, s = String(Math.abs(minor));
    while (s.length <= digits) s = '0' + s;
    return (neg ? '-' : '') + s.slice(0, -digits) + '.' + s.slice(-digits);
  }
  function rate(value, bp) {
    var p = value * bp, m = Math.abs(p), r = Math.floor((m * 2 + 10000) / 20000);
    return p < 0 ? -r : r;
  }
  function recompute() {
    var sum = { subtotal: 0, tax: 0, total: 0 };
    form.querySelectorAll('.billing-line').forEach(function (row) {
      var code = row.querySelector('[name=product_code]').value.trim().toUpperCase();
      var product = products[code];
      var qty = parseInt(row.querySelector('[name=quantity]').value, 10) || 0;
      var priceText = row.querySelector('[name=unit_price]').value;
      var price = priceText.trim() === '' ? (product ? toMinor(product.price) : null) : toMinor(priceText);
      var cell = row.querySelector('.line-amount');
      if (!product || price === null || !qty) { cell.textContent = ''; return; }
      var subtotal = qty * price, tax = rate(subtotal, product.rate);
      sum.subtotal += subtotal; sum.tax += tax; sum.total += subtotal + tax;
      cell.textContent = show(subtotal + tax);
    });
    Object.keys(sum).forEach(function (k) { form.querySelector('[data-total=' + k + ']').textContent = show(sum[k]); });
  }
  form.addEventListener('input', recompute);
  form.querySelector('.billing-add-line').addEventListener('click', function () {
    var rows = form.querySelectorAll('.billing-line');
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll('input').forEach(function (i) { i.value = i.name === 'quantity' ? '1' : ''; });
    copy.querySelector('.line-amount').textContent = '';
    rows[rows.length - 1].parentNode.appendChild(copy);
  });
  digits = form.getAttribute('data-currency') === 'JPY' ? 0 : 2;
  recompute();
})();
