// Gold collections per day, one stacked bar series per scheme (Chart.js, served by the app; no inline script under the CSP).
(function () {
  var canvas = document.getElementById('gold-collections-chart');
  if (!canvas || !window.Chart) return;
  var points = JSON.parse(canvas.getAttribute('data-points') || '[]');
  var days = [];
  var schemes = [];
  points.forEach(function (p) {
    if (days.indexOf(p.day) < 0) days.push(p.day);
    if (schemes.indexOf(p.scheme) < 0) schemes.push(p.scheme);
  });
  days.sort();
  var datasets = schemes.map(function (scheme) {
    return {
      label: scheme,
      // Minor units shown as major units for the axis; the table below has the exact figures.
      data: days.map(function (day) {
        var total = 0;
        points.forEach(function (p) { if (p.day === day && p.scheme === scheme) total += p.amount; });
        return total / 100;
      }),
    };
  });
  new window.Chart(canvas, {
    type: 'bar',
    data: { labels: days, datasets: datasets },
    options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
})();
