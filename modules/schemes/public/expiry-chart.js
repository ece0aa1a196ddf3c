// Expiry over time on a plan page: each payment, bonus or reversal moves the expiry (Chart.js, served by the app).
(function () {
  var canvas = document.getElementById('expiry-chart');
  if (!canvas || !window.Chart) return;
  var points = JSON.parse(canvas.getAttribute('data-points') || '[]');
  new window.Chart(canvas, {
    type: 'line',
    data: {
      labels: points.map(function (p) { return p.at.slice(0, 16).replace('T', ' '); }),
      datasets: [{ label: 'Expiry', data: points.map(function (p) { return Date.parse(p.expiry); }), stepped: true }],
    },
    options: {
      animation: false,
      scales: { y: { ticks: { callback: function (v) { return new Date(v).toISOString().slice(0, 10); } } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return new Date(c.parsed.y).toISOString().slice(0, 16).replace('T', ' '); } } } },
    },
  });
})();
