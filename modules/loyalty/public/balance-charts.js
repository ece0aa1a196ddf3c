// Draws each <canvas class="loyalty-chart" data-chart="{chart.js config}"> with Chart.js, served by the app itself.
window.addEventListener('DOMContentLoaded', function () {
  if (!window.Chart) return;
  document.querySelectorAll('canvas.loyalty-chart[data-chart]').forEach(function (canvas) {
    try {
      var config = JSON.parse(canvas.getAttribute('data-chart'));
      config.options = Object.assign({ responsive: true, animation: false }, config.options || {});
      canvas.chart = new window.Chart(canvas, config);
    } catch (e) {
      canvas.replaceWith(document.createTextNode('Chart unavailable'));
    }
  });
});
