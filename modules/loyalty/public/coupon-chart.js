// Coupon use per company day: uses (bars) and discount in major units (line), Chart.js served by the app.
(function () {
  var canvas = document.getElementById('coupon-use-chart');
  if (!canvas || !window.Chart) return;
  var points = JSON.parse(canvas.getAttribute('data-points') || '[]');
  new window.Chart(canvas, {
    data: {
      labels: points.map(function (p) { return p.day; }),
      datasets: [
        { type: 'bar', label: 'Uses', data: points.map(function (p) { return p.uses; }), yAxisID: 'uses' },
        { type: 'line', label: 'Discount', data: points.map(function (p) { return p.discount / 100; }), yAxisID: 'discount' },
      ],
    },
    options: {
      animation: false,
      scales: { uses: { position: 'left', beginAtZero: true, ticks: { precision: 0 } }, discount: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } },
    },
  });
})();
