/*
 * Tessera shell: progressive enhancements only. Every page works without this file; with it, forms
 * ask before destructive actions, job progress updates live and data-chart elements become SVG charts.
 * The CSP allows scripts from 'self' only, so nothing here relies on inline scripts or handlers.
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
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

  function svg(name, attrs, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    var magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i += 1) if (steps[i] * magnitude >= value) return steps[i] * magnitude;
    return 10 * magnitude;
  }

  function formatTick(value) {
    if (Math.abs(value) >= 1e6) return (value / 1e6).toFixed(1).replace(/\.0$/, '') + 'M';
    if (Math.abs(value) >= 1e4) return (value / 1e3).toFixed(1).replace(/\.0$/, '') + 'k';
    return String(Math.round(value * 100) / 100);
  }

  /**
   * spec: { type: 'bar' | 'line', labels: [..], series: [{ name, values: [..] }], stacked?: bool,
   *         height?: px, unit?: text appended to tooltips }
   */
  function renderChart(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute('data-chart') || '{}'); } catch (e) { return; }
    var labels = Array.isArray(spec.labels) ? spec.labels : [];
    var series = (Array.isArray(spec.series) ? spec.series : []).filter(function (s) { return s && Array.isArray(s.values); });
    if (labels.length === 0 || series.length === 0) return;
    var type = spec.type === 'line' ? 'line' : 'bar';
    var stacked = type === 'bar' && Boolean(spec.stacked);
    var unit = spec.unit ? ' ' + spec.unit : '';

    var width = Math.max(el.clientWidth || 0, 320);
    var height = Number(spec.height) || 220;
    var pad = { top: 10, right: 10, bottom: 28, left: 44 };
    var plotW = width - pad.left - pad.right;
    var plotH = height - pad.top - pad.bottom;

    var max = 0;
    labels.forEach(function (_, i) {
      var values = series.map(function (s) { return Number(s.values[i]) || 0; });
      var top = stacked ? values.reduce(function (a, b) { return a + b; }, 0) : Math.max.apply(null, values);
      if (top > max) max = top;
    });
    max = niceMax(max);
    var y = function (v) { return pad.top + plotH - (v / max) * plotH; };

    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': spec.title || 'Chart' });
    var grid = svg('g', { class: 'axis' }, root);
    for (var t = 0; t <= 4; t += 1) {
      var value = (max / 4) * t;
      svg('line', { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), class: 'grid-line' }, grid);
      var label = svg('text', { x: pad.left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'tick-label' }, grid);
      label.textContent = formatTick(value);
    }

    var band = plotW / labels.length;
    labels.forEach(function (name, i) {
      var text = svg('text', { x: pad.left + band * i + band / 2, y: height - 8, 'text-anchor': 'middle', class: 'tick-label' }, grid);
      text.textContent = String(name).length > 16 ? String(name).slice(0, 15) + '…' : String(name);
    });

    var plot = svg('g', {}, root);
    if (type === 'bar') {
      var inner = band * 0.72;
      var barW = stacked ? inner : inner / series.length;
      labels.forEach(function (name, i) {
        var x0 = pad.left + band * i + (band - inner) / 2;
        var base = 0;
        series.forEach(function (s, k) {
          var v = Number(s.values[i]) || 0;
          var top = stacked ? base + v : v;
          var x = stacked ? x0 : x0 + barW * k;
          var rect = svg('rect', {
            x: x, y: y(top), width: Math.max(barW - 1, 1), height: Math.max(y(stacked ? base : 0) - y(top), v > 0 ? 1 : 0),
            class: 'bar series-' + (k % 6),
          }, plot);
          svg('title', {}, rect).textContent = name + ' · ' + (s.name || '') + ': ' + v + unit;
          base = top;
        });
      });
    } else {
      series.forEach(function (s, k) {
        var points = labels.map(function (_, i) { return [pad.left + band * i + band / 2, y(Number(s.values[i]) || 0)]; });
        svg('polyline', { points: points.map(function (p) { return p.join(','); }).join(' '), class: 'line series-' + (k % 6) }, plot);
        points.forEach(function (p, i) {
          var dot = svg('circle', { cx: p[0], cy: p[1], r: 3, class: 'point series-' + (k % 6) }, plot);
          svg('title', {}, dot).textContent = labels[i] + ' · ' + (s.name || '') + ': ' + (Number(s.values[i]) || 0) + unit;
        });
      });
    }

    el.textContent = '';
    el.appendChild(root);
    if (series.length > 1 || series[0].name) {
      var legend = document.createElement('ul');
      legend.className = 'chart-legend';
      series.forEach(function (s, k) {
        var item = document.createElement('li');
        var swatch = document.createElement('span');
        swatch.className = 'swatch series-' + (k % 6);
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(String(s.name || 'Series ' + (k + 1))));
        legend.appendChild(item);
      });
      el.appendChild(legend);
    }
    var fallbackId = el.getAttribute('data-chart-fallback');
    var fallback = fallbackId ? document.getElementById(fallbackId) : null;
    if (fallback) fallback.classList.add('is-charted');
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
