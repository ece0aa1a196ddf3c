// A large batch of codes is made by a job: follow its progress until it is done, then show the count.
(function () {
  var card = document.getElementById('coupon-batch');
  if (!card || card.getAttribute('data-status') === 'done') return;
  var id = card.getAttribute('data-batch');
  var bar = card.querySelector('progress');
  var generated = card.querySelector('[data-test="batch-generated"]');
  var status = card.querySelector('[data-test="batch-status"]');
  function poll() {
    fetch('/api/v1/loyalty/coupons/batches/' + id, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) {
        if (!b) return setTimeout(poll, 3000);
        bar.value = b.progress;
        generated.textContent = b.generated;
        status.textContent = b.status;
        if (b.status !== 'done') setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
