// Live view of the balancer: polls /lb/stats every second and derives rates from the counters' deltas.
(function () {
  'use strict';
  var POLL_MS = 1000;
  var previous = null; // last /lb/stats answer, for rates
  var rows = document.getElementById('rows');
  var summary = document.getElementById('summary');
  var updated = document.getElementById('updated');

  function text(value) { return value === null || value === undefined ? '–' : String(value); }

  function rate(delta, seconds) { return seconds > 0 && delta >= 0 ? delta / seconds : null; }

  function fixed(value, digits) { return value === null || isNaN(value) ? '–' : value.toFixed(digits); }

  function millis(seconds) { return seconds === null || seconds === undefined || isNaN(seconds) ? '–' : (seconds * 1000).toFixed(1) + ' ms'; }

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
    heading.colSpan = 11;
    return row;
  }

  function render(stats) {
    var before = {};
    var seconds = 0;
    if (previous) {
      seconds = (stats.time - previous.time) / 1000;
      previous.backends.forEach(function (b) { before[b.pool + ' ' + b.id] = b; });
    }
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
      var old = before[b.pool + ' ' + b.id];
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
      var requests = old ? rate(b.requests - old.requests, seconds) : null;
      var errors = old ? rate(b.errors - old.errors, seconds) : null;
      cell(row, 'num rps', fixed(requests, 1));
      cell(row, 'num eps', fixed(errors, 1));
      var errorShare = old && b.requests > old.requests ? 100 * (b.errors - old.errors) / (b.requests - old.requests) : null;
      cell(row, 'num error-rate', errorShare === null ? '–' : errorShare.toFixed(1) + ' %');
      var mean = null;
      if (b.latency) {
        if (old && old.latency && b.latency.count > old.latency.count) {
          mean = (b.latency.totalSeconds - old.latency.totalSeconds) / (b.latency.count - old.latency.count);
        } else {
          mean = b.latency.meanSeconds;
        }
      }
      cell(row, 'num latency-mean', b.latency ? millis(mean) : 'n/a');
      cell(row, 'num latency-p50', b.latency ? millis(b.latency.p50Seconds) : 'n/a');
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
      cell(empty, '', 'no backends').colSpan = 11;
      fragment.appendChild(empty);
    }
    rows.replaceChildren(fragment);
    var total = stats.backends.length;
    summary.textContent = down ? down + ' of ' + total + ' backends DOWN' : total + ' backends, none DOWN';
    summary.className = down ? 'summary bad' : 'summary';
    updated.textContent = 'updated ' + new Date(stats.time).toLocaleTimeString();
    updated.className = 'updated';
    previous = stats;
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
  poll();
}());
