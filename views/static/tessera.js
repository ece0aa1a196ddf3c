/*
 * Tessera shell: progressive enhancements only. Every page works without this file; with it, forms
 * ask before destructive actions, job progress updates live and data-chart elements become charts (chart.js).
 * The CSP allows scripts from 'self' only, so nothing here relies on inline scripts or handlers.
 */
(function () {
  'use strict';

  document.documentElement.classList.add('js');

  // ---- Confirmations ------------------------------------------------------------------------

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-confirm]') : null;
    if (!target || target.tagName === 'FORM') return;
    if (!window.confirm(target.getAttribute('data-confirm') || 'Are you sure?')) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-confirm')) return;
    if (!window.confirm(form.getAttribute('data-confirm') || 'Are you sure?')) event.preventDefault();
  }, true);

  // ---- Lists: a header checkbox ticks every row of the page ---------------------------------

  document.addEventListener('change', function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.hasAttribute('data-check-all')) return;
    var name = box.getAttribute('data-check-all');
    var table = box.closest('table');
    if (!table) return;
    table.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (row) { row.checked = box.checked; });
  });

  // ---- Auto-submitting selects (the company switcher) ---------------------------------------

  document.addEventListener('change', function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute('data-autosubmit') || !select.form) return;
    if (typeof select.form.requestSubmit === 'function') select.form.requestSubmit();
    else select.form.submit();
  });

  // ---- Job progress -------------------------------------------------------------------------

  var FINAL = { completed: true, failed: true };

  function describeDetail(detail) {
    if (!detail || typeof detail !== 'object') return '';
    if (typeof detail.message === 'string') return detail.message;
    return Object.keys(detail).slice(0, 4).map(function (key) {
      var value = detail[key];
      return key + ': ' + (typeof value === 'object' ? JSON.stringify(value) : String(value));
    }).join(', ');
  }

  function updateProgress(el, state) {
    var percent = Math.max(0, Math.min(100, Math.round(Number(state.progress) || 0)));
    var status = String(state.status || '');
    el.setAttribute('data-status', status);
    var bar = el.querySelector('progress');
    if (bar) { bar.value = percent; bar.textContent = percent + '%'; }
    var badge = el.querySelector('[data-job-status]');
    if (badge) { badge.textContent = status; badge.className = 'badge badge-' + status; }
    var text = el.querySelector('[data-job-percent]');
    if (text) text.textContent = percent + '%';
    var detail = el.querySelector('[data-job-detail]');
    if (detail) detail.textContent = describeDetail(state.detail);
  }

  function pollJob(el) {
    var url = el.getAttribute('data-job-url');
    if (!url || FINAL[el.getAttribute('data-status')]) return;
    var delay = 1000;
    var failures = 0;
    function tick() {
      fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (state) {
          failures = 0;
          updateProgress(el, state);
          if (FINAL[state.status]) {
            el.dispatchEvent(new CustomEvent('tessera:job-finished', { bubbles: true, detail: state }));
            if (el.hasAttribute('data-reload-when-done') && state.status === 'completed') window.location.reload();
            return;
          }
          delay = Math.min(delay * 1.3, 5000);
          window.setTimeout(tick, delay);
        })
        .catch(function () {
          // A few misses are a restart or a blip; after that, stop hammering the server.
          failures += 1;
          if (failures < 5) window.setTimeout(tick, 3000 * failures);
        });
    }
    window.setTimeout(tick, delay);
  }

  // ---- Charts -------------------------------------------------------------------------------

  /**
   * spec: { type: 'bar' | 'line', labels: [..], series: [{ name, values: [..] }], stacked?: bool, unit?: text }
   * drawn by chart.js, which the app serves itself (/static/vendor/chart.umd.js, CSP 'self'); it is
   * loaded only on pages that have a chart. Without it the table named by data-chart-fallback stays.
   */
  var chartLib = null;

  function loadChartLib() {
    if (window.Chart) return Promise.resolve(window.Chart);
    if (chartLib) return chartLib;
    chartLib = new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = '/static/vendor/chart.umd.js';
      script.onload = function () { resolve(window.Chart); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return chartLib;
  }

  function cssColor(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#2456c7';
  }

  function chartConfig(spec) {
    var series = spec.series || [];
    var unit = spec.unit ? ' ' + spec.unit : '';
    return {
      type: spec.type === 'line' ? 'line' : 'bar',
      data: {
        labels: spec.labels || [],
        datasets: series.map(function (s, k) {
          var color = cssColor('--chart-' + ((k % 6) + 1));
          return { label: String(s.name || ''), data: (s.values || []).map(Number), backgroundColor: color, borderColor: color, borderWidth: spec.type === 'line' ? 2 : 0, tension: 0.25 };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: series.length > 1 || Boolean(series[0] && series[0].name), position: 'bottom' },
          tooltip: { callbacks: { label: function (item) { return item.dataset.label + ': ' + item.formattedValue + unit; } } },
        },
        scales: { x: { stacked: Boolean(spec.stacked) }, y: { stacked: Boolean(spec.stacked), beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }

  function renderChart(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute('data-chart') || '{}'); } catch (e) { return Promise.resolve(); }
    return loadChartLib().then(function (Chart) {
      var canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', spec.title || 'Chart');
      el.textContent = '';
      el.appendChild(canvas);
      el.chart = new Chart(canvas, chartConfig(spec));
      el.setAttribute('data-charted', 'true');
      var fallbackId = el.getAttribute('data-chart-fallback');
      var fallback = fallbackId ? document.getElementById(fallbackId) : null;
      if (fallback) fallback.classList.add('is-charted');
    });
  }

  // ---- Start --------------------------------------------------------------------------------

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-job-url]'), pollJob);
    Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), renderChart);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();

  window.Tessera = { renderChart: renderChart, pollJob: pollJob };
})();
