// Live view of the balancer: polls /lb/stats every second, derives rates, error rates and latency percentiles
// from the counters' and histogram buckets' deltas between two polls, keeps the last 5 minutes and draws them
// with uPlot (served by the balancer itself), one row of charts per pool with one series per backend.
(function () {
  'use strict';
  var POLL_MS = 1000;
  var WINDOW_S = 300;
  var MAX_EVENTS = 40;
  var STATE_COLOURS = { UP: '#1d7a36', DOWN: '#b3261e', DRAINING: '#8a5a00', EJECTED: '#7a3e9d' };
  var PALETTE = ['#2563eb', '#d97706', '#0d9488', '#c026d3', '#65a30d', '#dc2626', '#7c3aed', '#0891b2'];
  var POOL_COLOUR = '#1d232b';

  var previous = null; // last /lb/stats answer, for deltas
  var samples = []; // one per poll: { t: seconds, backends: { key: derived }, pools: { name: derived } }
  var events = []; // state changes: { t, pool, backend (null for the pool), label, from, to }
  var lastStates = {}; // key or 'pool ' + name -> state
  var charts = {}; // pool name -> { signature, rps, errors, latency, active } (uPlot instances)
  var rows = document.getElementById('rows');
  var summary = document.getElementById('summary');
  var updated = document.getElementById('updated');
  var chartsRoot = document.getElementById('charts');
  var eventList = document.getElementById('events');

  function text(value) { return value === null || value === undefined ? '–' : String(value); }

  function fixed(value, digits) { return value === null || value === undefined || isNaN(value) ? '–' : value.toFixed(digits); }

  function millis(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) { return '–'; }
    var ms = seconds * 1000;
    return (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)) + ' ms';
  }

  function keyOf(b) { return b.pool + ' ' + b.id; }

  /**
   * The q-quantile of the requests counted in one interval, from the cumulative counts at or below each bound
   * and the total (the +Inf bucket), interpolated linearly inside the bucket it falls in, as Prometheus'
   * histogram_quantile does; beyond the last bound, the last bound. Null without requests.
   */
  function quantile(q, bounds, cumulative, total) {
    if (!total || total <= 0) { return null; }
    var rank = q * total;
    for (var i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= rank) {
        var lower = i === 0 ? 0 : bounds[i - 1];
        var below = i === 0 ? 0 : cumulative[i - 1];
        var inBucket = cumulative[i] - below;
        return inBucket <= 0 ? bounds[i] : lower + (bounds[i] - lower) * (rank - below) / inBucket;
      }
    }
    return bounds.length ? bounds[bounds.length - 1] : null;
  }

  /** Bucket and count deltas of one backend's latency between two polls; null if unknown or reset. */
  function latencyDelta(now, old) {
    if (!now || !old || !now.buckets || !old.buckets || now.buckets.length !== old.buckets.length) { return null; }
    var count = now.count - old.count;
    if (count < 0) { return null; }
    var buckets = now.buckets.map(function (c, i) { return c - old.buckets[i]; });
    return { bounds: now.bucketBounds, buckets: buckets, count: count, seconds: now.totalSeconds - old.totalSeconds };
  }

  /** One point per backend and per pool from two polls. */
  function derive(stats, prev) {
    var seconds = prev ? (stats.time - prev.time) / 1000 : 0;
    var before = {};
    if (prev) { prev.backends.forEach(function (b) { before[keyOf(b)] = b; }); }
    var sample = { t: stats.time / 1000, backends: {}, pools: {} };
    stats.backends.forEach(function (b) {
      var old = before[keyOf(b)];
      var point = { active: b.activeConnections, rps: null, eps: null, errorRate: null, mean: null, p50: null, p99: null };
      var pool = sample.pools[b.pool] || (sample.pools[b.pool] = {
        active: 0, requests: 0, errors: 0, known: false, latency: null, rps: null, errorRate: null, p50: null, p99: null });
      pool.active += b.activeConnections;
      if (old && seconds > 0) {
        var requests = b.requests - old.requests;
        var errors = b.errors - old.errors;
        if (requests >= 0 && errors >= 0) {
          point.rps = requests / seconds;
          point.eps = errors / seconds;
          point.errorRate = requests > 0 ? 100 * errors / requests : null;
          pool.requests += requests;
          pool.errors += errors;
          pool.known = true;
        }
        var delta = latencyDelta(b.latency, old.latency);
        if (delta && delta.count > 0) {
          point.mean = delta.seconds / delta.count;
          point.p50 = quantile(0.5, delta.bounds, delta.buckets, delta.count);
          point.p99 = quantile(0.99, delta.bounds, delta.buckets, delta.count);
        }
        if (delta) {
          if (!pool.latency) {
            pool.latency = { bounds: delta.bounds, buckets: delta.buckets.slice(), count: delta.count };
          } else if (pool.latency.buckets.length === delta.buckets.length) {
            delta.buckets.forEach(function (c, i) { pool.latency.buckets[i] += c; });
            pool.latency.count += delta.count;
          }
        }
      }
      sample.backends[keyOf(b)] = point;
    });
    Object.keys(sample.pools).forEach(function (name) {
      var pool = sample.pools[name];
      if (pool.known) {
        pool.rps = pool.requests / seconds;
        pool.errorRate = pool.requests > 0 ? 100 * pool.errors / pool.requests : null;
      }
      if (pool.latency && pool.latency.count > 0) {
        pool.p50 = quantile(0.5, pool.latency.bounds, pool.latency.buckets, pool.latency.count);
        pool.p99 = quantile(0.99, pool.latency.bounds, pool.latency.buckets, pool.latency.count);
      }
    });
    return sample;
  }

  function recordStateChanges(stats) {
    var t = stats.time / 1000;
    function note(key, pool, backend, label, state) {
      var from = lastStates[key];
      if (from !== undefined && from !== state) {
        events.push({ t: t, pool: pool, backend: backend, label: label, from: from, to: state });
        if (events.length > MAX_EVENTS) { events.shift(); }
      }
      lastStates[key] = state;
    }
    stats.backends.forEach(function (b) { note(keyOf(b), b.pool, b.id, b.shortId || b.id, b.state); });
    (stats.pools || []).forEach(function (p) { note('pool ' + p.name, p.name, null, 'pool ' + p.name, p.state); });
  }

  // ---- charts ---------------------------------------------------------------------------------------------

  /** Dashed vertical lines at the pool's state changes, coloured by the new state and labelled. */
  function stateMarkers(poolName) {
    return {
      hooks: {
        draw: function (u) {
          var ctx = u.ctx;
          var ratio = window.devicePixelRatio || 1;
          events.forEach(function (e) {
            if (e.pool !== poolName || e.t < u.scales.x.min || e.t > u.scales.x.max) { return; }
            var x = Math.round(u.valToPos(e.t, 'x', true));
            ctx.save();
            ctx.strokeStyle = STATE_COLOURS[e.to] || '#555';
            ctx.fillStyle = ctx.strokeStyle;
            ctx.lineWidth = 2 * ratio;
            ctx.setLineDash([5 * ratio, 3 * ratio]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.font = 'bold ' + Math.round(10 * ratio) + 'px system-ui, sans-serif';
            var label = e.to;
            var width = ctx.measureText(label).width;
            var right = u.bbox.left + u.bbox.width;
            ctx.fillText(label, x + 3 * ratio + width > right ? x - width - 3 * ratio : x + 3 * ratio, u.bbox.top + 11 * ratio);
            ctx.restore();
          });
        }
      }
    };
  }

  function chartWidth(row) {
    var gap = 10;
    return Math.max(200, Math.floor((row.clientWidth - 3 * gap) / 4) - 8);
  }

  function makeChart(row, poolName, title, series, unit) {
    var box = document.createElement('div');
    box.className = 'chart';
    box.setAttribute('data-chart', title);
    row.appendChild(box);
    var opts = {
      title: title,
      width: chartWidth(row),
      height: 150,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      scales: {
        x: { time: true, range: function () { var end = latestTime(); return [end - shownSpan(end), end]; } },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } }
      },
      axes: [
        { size: 24, font: '10px system-ui, sans-serif', ticks: { size: 3 }, space: 60,
          values: function (u, values) { return values.map(clock); } },
        { size: 44, font: '10px system-ui, sans-serif', ticks: { size: 3 },
          values: function (u, values) { return values.map(function (v) { return formatTick(v) + unit; }); } }
      ],
      series: [{}].concat(series),
      plugins: [stateMarkers(poolName)]
    };
    return new uPlot(opts, emptyData(series.length), box);
  }

  function formatTick(v) {
    if (v === 0) { return '0'; }
    if (Math.abs(v) >= 1000) { return (v / 1000).toFixed(v % 1000 === 0 ? 0 : 1) + 'k'; }
    return Math.abs(v) < 10 ? String(+v.toFixed(2)) : String(Math.round(v));
  }

  function emptyData(count) {
    var data = [[]];
    for (var i = 0; i < count; i++) { data.push([]); }
    return data;
  }

  /** The time shown: the history there is, at least a minute and at most WINDOW_S. */
  function shownSpan(end) {
    var span = samples.length ? end - samples[0].t : 0;
    return Math.min(WINDOW_S, Math.max(60, span));
  }

  function clock(seconds) {
    var d = new Date(seconds * 1000);
    function two(n) { return n < 10 ? '0' + n : String(n); }
    return two(d.getHours()) + ':' + two(d.getMinutes()) + (d.getSeconds() ? ':' + two(d.getSeconds()) : '');
  }

  function latestTime() {
    return samples.length ? samples[samples.length - 1].t : Date.now() / 1000;
  }

  function line(label, colour, width, dash) {
    var s = { label: label, stroke: colour, width: width || 1.5, spanGaps: false, points: { show: false } };
    if (dash) { s.dash = dash; }
    return s;
  }

  /** A pool's row of charts, made again when its backends or their states change (labels show the state). */
  function chartsFor(pool, backends) {
    var signature = backends.map(function (b) { return keyOf(b) + '=' + b.state; }).join('|') + '|' + pool.state;
    var existing = charts[pool.name];
    if (existing && existing.signature === signature) { return existing; }
    if (existing) {
      ['rps', 'errors', 'latency', 'active'].forEach(function (k) { existing[k].destroy(); });
      existing.section.remove();
    }
    var section = document.createElement('section');
    section.className = 'pool-charts pool-' + pool.state;
    section.setAttribute('data-pool', pool.name);
    var heading = document.createElement('h2');
    var down = backends.filter(function (b) { return b.state === 'DOWN'; }).length;
    heading.textContent = 'Pool ' + pool.name + ' · ';
    var state = document.createElement('span');
    state.className = 'pool-state';
    state.textContent = (pool.state || '') + (down ? ' · ' + down + ' of ' + backends.length + ' backends DOWN' : '');
    heading.appendChild(state);
    section.appendChild(heading);
    var row = document.createElement('div');
    row.className = 'chart-row';
    section.appendChild(row);
    chartsRoot.appendChild(section);

    function backendLines(suffix) {
      return backends.map(function (b, i) {
        var label = (b.shortId || b.id) + (b.state !== 'UP' ? ' ' + b.state : '') + (suffix || '');
        return line(label, PALETTE[i % PALETTE.length], 1.5, b.state === 'UP' ? null : [2, 2]);
      });
    }
    var made = {
      signature: signature,
      section: section,
      keys: backends.map(keyOf),
      rps: makeChart(row, pool.name, 'Requests/s', [line('pool', POOL_COLOUR, 2)].concat(backendLines()), ''),
      errors: makeChart(row, pool.name, 'Error rate', [line('pool', POOL_COLOUR, 2)].concat(backendLines()), '%'),
      latency: makeChart(row, pool.name, 'Latency p50 / p99 (ms)',
        [line('pool p50', POOL_COLOUR, 2), line('pool p99', POOL_COLOUR, 2, [6, 3])].concat(backendLines(' p99')), ''),
      active: makeChart(row, pool.name, 'Active connections', [line('pool', POOL_COLOUR, 2)].concat(backendLines()), '')
    };
    charts[pool.name] = made;
    return made;
  }

  function updateCharts(stats) {
    var byPool = {};
    var order = [];
    stats.backends.forEach(function (b) {
      if (!byPool[b.pool]) { byPool[b.pool] = []; order.push(b.pool); }
      byPool[b.pool].push(b);
    });
    (stats.pools || []).forEach(function (p) { if (!byPool[p.name]) { byPool[p.name] = []; order.push(p.name); } });
    var pools = {};
    (stats.pools || []).forEach(function (p) { pools[p.name] = p; });
    Object.keys(charts).forEach(function (name) {
      if (!byPool[name]) {
        ['rps', 'errors', 'latency', 'active'].forEach(function (k) { charts[name][k].destroy(); });
        charts[name].section.remove();
        delete charts[name];
      }
    });
    var ts = samples.map(function (s) { return s.t; });
    function column(getter) { return samples.map(getter); }
    function ms(v) { return v === null || v === undefined ? null : v * 1000; }
    order.forEach(function (name) {
      var c = chartsFor(pools[name] || { name: name, state: '' }, byPool[name]);
      chartsRoot.appendChild(c.section); // keep the pools in the order of the table
      function pool(field, scale) {
        return column(function (s) { var p = s.pools[name]; return p ? (scale ? scale(p[field]) : p[field]) : null; });
      }
      function each(field, scale) {
        return c.keys.map(function (key) {
          return column(function (s) { var p = s.backends[key]; return p ? (scale ? scale(p[field]) : p[field]) : null; });
        });
      }
      c.rps.setData([ts, pool('rps')].concat(each('rps')));
      c.errors.setData([ts, pool('errorRate')].concat(each('errorRate')));
      c.latency.setData([ts, pool('p50', ms), pool('p99', ms)].concat(each('p99', ms)));
      c.active.setData([ts, pool('active')].concat(each('active')));
    });
  }

  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (name) {
      var c = charts[name];
      var width = chartWidth(c.section.querySelector('.chart-row'));
      ['rps', 'errors', 'latency', 'active'].forEach(function (k) { c[k].setSize({ width: width, height: 150 }); });
    });
  });

  // ---- table ----------------------------------------------------------------------------------------------

  function cell(row, className, content) {
    var td = document.createElement('td');
    if (className) { td.className = className; }
    if (content instanceof Node) { td.appendChild(content); } else { td.textContent = content; }
    row.appendChild(td);
    return td;
  }

  function demoFor(stats, backend) {
    if (!stats.demo) { return null; }
    for (var i = 0; i < stats.demo.length; i++) {
      if (stats.demo[i].backend === backend.id) { return stats.demo[i]; }
    }
    return null;
  }

  function demoButton(demo) {
    var button = document.createElement('button');
    var action = demo.running ? 'stop' : 'start';
    button.textContent = demo.running ? 'Stop ' + demo.name : 'Start ' + demo.name;
    button.setAttribute('data-action', action);
    button.addEventListener('click', function () {
      button.disabled = true;
      fetch('/lb/demo/' + encodeURIComponent(demo.name) + '/' + action, { method: 'POST' })
        .finally(function () { poll(true); });
    });
    return button;
  }

  /** A pool's heading row: its name, whether it can serve, and the routes that lead to it. */
  function poolRow(pool) {
    var row = document.createElement('tr');
    row.className = 'pool-row pool-' + pool.state;
    row.setAttribute('data-pool', pool.name);
    var routes = (pool.routes || []).map(function (r) {
      return r.name + ' (' + (r.host || 'any host') + r.pathPrefix + (r.stripPrefix ? ', prefix stripped' : '') + ')';
    });
    var heading = cell(row, '', 'Pool ' + pool.name + (pool.state ? ' · ' + pool.state : '')
      + (routes.length ? ' · routes: ' + routes.join(', ') : ' · no route leads here'));
    heading.colSpan = 12;
    return row;
  }

  function renderTable(stats, sample) {
    var hasDemo = !!stats.demo;
    document.querySelectorAll('.demo-col').forEach(function (th) { th.hidden = !hasDemo; });
    var fragment = document.createDocumentFragment();
    var down = 0;
    var pools = {};
    (stats.pools || []).forEach(function (p) { pools[p.name] = p; });
    var currentPool = null;
    stats.backends.forEach(function (b) {
      if (b.pool !== currentPool) {
        currentPool = b.pool;
        fragment.appendChild(poolRow(pools[b.pool] || { name: b.pool, state: '', routes: [] }));
      }
      var point = sample.backends[keyOf(b)];
      var row = document.createElement('tr');
      row.className = 'row-' + b.state;
      row.setAttribute('data-backend', b.id);
      row.setAttribute('data-state', b.state);
      if (b.state === 'DOWN') { down++; }
      var badge = document.createElement('span');
      badge.className = 'state state-' + b.state;
      badge.textContent = b.state;
      cell(row, '', badge);
      cell(row, 'url', b.url);
      cell(row, 'num active', text(b.activeConnections));
      cell(row, 'num rps', fixed(point.rps, 1));
      cell(row, 'num eps', fixed(point.eps, 1));
      cell(row, 'num error-rate', point.errorRate === null ? '–' : point.errorRate.toFixed(1) + ' %');
      var mean = point.mean !== null ? point.mean : (b.latency ? b.latency.meanSeconds : null);
      cell(row, 'num latency-mean', b.latency ? millis(mean) : 'n/a');
      cell(row, 'num latency-p50', b.latency ? millis(point.p50) : 'n/a');
      cell(row, 'num latency-p99', b.latency ? millis(point.p99) : 'n/a');
      cell(row, 'num', text(b.weight));
      var check = b.lastCheck;
      var checkCell = cell(row, 'check' + (check && !check.healthy ? ' bad' : ''),
        check ? (check.healthy ? 'ok' : 'failed') + (check.detail ? ': ' + check.detail : '') + ' at ' + new Date(check.at).toLocaleTimeString() : 'none yet');
      checkCell.title = check ? check.at : '';
      if (hasDemo) {
        var demo = demoFor(stats, b);
        cell(row, 'demo-col', demo ? demoButton(demo) : '');
      }
      fragment.appendChild(row);
    });
    if (!stats.backends.length) {
      var empty = document.createElement('tr');
      empty.className = 'empty';
      cell(empty, '', 'no backends').colSpan = 12;
      fragment.appendChild(empty);
    }
    rows.replaceChildren(fragment);
    var total = stats.backends.length;
    summary.textContent = down ? down + ' of ' + total + ' backends DOWN' : total + ' backends, none DOWN';
    summary.className = down ? 'summary bad' : 'summary';
    updated.textContent = 'updated ' + new Date(stats.time).toLocaleTimeString();
    updated.className = 'updated';
  }

  function renderEvents() {
    if (!events.length) { return; }
    var fragment = document.createDocumentFragment();
    events.slice().reverse().forEach(function (e) {
      var li = document.createElement('li');
      li.className = 'to-' + e.to;
      li.setAttribute('data-to', e.to);
      li.textContent = new Date(e.t * 1000).toLocaleTimeString() + '  ' + (e.backend ? e.label + ' (pool ' + e.pool + ')' : e.label)
        + ': ' + e.from + ' → ' + e.to;
      fragment.appendChild(li);
    });
    eventList.replaceChildren(fragment);
  }

  function render(stats) {
    recordStateChanges(stats);
    var sample = derive(stats, previous);
    samples.push(sample);
    while (samples.length && samples[0].t < sample.t - WINDOW_S) { samples.shift(); }
    previous = stats;
    renderTable(stats, sample);
    renderEvents();
    updateCharts(stats);
  }

  var timer = null;
  function poll(now) {
    if (timer !== null && now) { clearTimeout(timer); }
    timer = null;
    // the demo backends' controls exist in dev mode only: elsewhere /lb/demo answers 404
    var demo = fetch('/lb/demo', { cache: 'no-store' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
    fetch('/lb/stats', { cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.json();
      })
      .then(function (stats) {
        return demo.then(function (backends) {
          if (backends) { stats.demo = backends; }
          return stats;
        });
      })
      .then(render)
      .catch(function (error) {
        updated.textContent = 'stats unavailable (' + error.message + ')';
        updated.className = 'updated stale';
      })
      .finally(function () {
        if (timer === null) { timer = setTimeout(poll, POLL_MS); }
      });
  }

  // for the browser test and the curious: the charts (uPlot instances), the history and the estimator
  window.lbDashboard = { charts: charts, samples: samples, events: events, quantile: quantile };
  poll();
}());
