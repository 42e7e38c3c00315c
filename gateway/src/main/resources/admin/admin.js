// The operator page: reads GET /api/v1/admin/overview with the admin token (kept in this tab's sessionStorage only),
// every 10 s; shows each part as its service answered. Every value goes in as text (textContent), never as markup.
(function () {
  'use strict';
  var KEY = 'kie-pipeline-admin-token';
  var REFRESH_MS = 10000;
  var timer = null;
  var $ = function (id) { return document.getElementById(id); };

  function token() { return sessionStorage.getItem(KEY); }

  function api(method, path) {
    return fetch(path, { method: method, headers: { 'Authorization': 'Bearer ' + token() }, cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401) { signOut('The token was refused.'); throw new Error('unauthorized'); }
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error((body && body.message) || ('HTTP ' + r.status)); }
          return body;
        });
      });
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function row(cells, attrs) {
    var tr = el('tr');
    cells.forEach(function (c) {
      if (c instanceof Node) { var td = el('td'); td.appendChild(c); tr.appendChild(td); }
      else if (c && typeof c === 'object') { tr.appendChild(el('td', c.text, c.cls)); }
      else { tr.appendChild(el('td', c)); }
    });
    Object.keys(attrs || {}).forEach(function (k) { tr.setAttribute(k, attrs[k]); });
    return tr;
  }

  function fill(tableId, rows, columns, empty) {
    var body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren();
    if (rows === null || rows === undefined) {
      var u = el('tr'); var td = el('td', 'unavailable', 'empty'); td.colSpan = columns; u.appendChild(td);
      body.appendChild(u); return;
    }
    if (rows.length === 0) {
      var e = el('tr'); var td2 = el('td', empty, 'empty'); td2.colSpan = columns; e.appendChild(td2);
      body.appendChild(e); return;
    }
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function money(minor, currency) {
    if (minor === null || minor === undefined) { return ''; }
    return (minor / 100).toFixed(2) + ' ' + (currency || '');
  }

  function when(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }

  function since(iso) {
    if (!iso) { return ''; }
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 120) { return s + ' s'; }
    if (s < 7200) { return Math.round(s / 60) + ' min'; }
    if (s < 172800) { return Math.round(s / 3600) + ' h'; }
    return Math.round(s / 86400) + ' d';
  }

  function ms(v) { return v === null || v === undefined ? '' : (v < 1000 ? v + ' ms' : (v / 1000).toFixed(1) + ' s'); }

  function renderFigures(stats, currencyHint) {
    var dl = $('totals');
    dl.replaceChildren();
    var t = stats && stats.totals;
    var tiles = t ? [['Requests', t.requests], ['Successes', t.successes], ['Failures', t.failures],
      ['Rejections', t.rejections], ['Late results', t.lateResults], ['Revenue', money(t.revenueMinor, t.currency)],
      ['KIE credits', t.kieCredits], ['Time to result p50', ms(t.timeToResult && t.timeToResult.p50Millis)],
      ['p95', ms(t.timeToResult && t.timeToResult.p95Millis)]]
      : [['Figures', stats ? 'no event yet' : 'unavailable']];
    tiles.forEach(function (p) {
      var d = el('div'); d.appendChild(el('dt', p[0])); d.appendChild(el('dd', p[1])); dl.appendChild(d);
    });
    if (!stats) { fill('models', null, 10); return; }
    var byModel = Object.create(null); // model names are data: never a prototype's keys
    (stats.minutes || []).forEach(function (m) {
      var a = byModel[m.model] || (byModel[m.model] = { requests: 0, successes: 0, failures: 0, rejections: 0,
        revenue: 0, currency: m.currency, credits: 0, buckets: {} });
      a.requests += m.requests; a.successes += m.successes; a.failures += m.failures; a.rejections += m.rejections;
      a.revenue += m.revenueMinor; a.credits += m.kieCredits; a.currency = a.currency || m.currency;
      var b = (m.timeToResult && m.timeToResult.buckets) || {};
      Object.keys(b).forEach(function (k) { a.buckets[k] = (a.buckets[k] || 0) + b[k]; });
    });
    var rows = Object.keys(byModel).sort().map(function (model) {
      var a = byModel[model];
      var ended = a.successes + a.failures;
      var rate = ended ? Math.round(100 * a.successes / ended) + ' %' : '';
      return row([model, { text: a.requests, cls: 'num' }, { text: a.successes, cls: 'num' },
        { text: a.failures, cls: a.failures ? 'num bad' : 'num' }, { text: a.rejections, cls: 'num' },
        { text: rate, cls: 'num' }, { text: money(a.revenue, a.currency), cls: 'num' },
        { text: a.credits, cls: 'num' }, { text: ms(quantile(a.buckets, 0.5)), cls: 'num' },
        { text: ms(quantile(a.buckets, 0.95)), cls: 'num' }], { 'data-model': model });
    });
    fill('models', rows, 10, 'no job in the last hour');
  }

  // the bound of the bucket holding the q-th job: buckets of several minutes add up (docs/events.md)
  function quantile(buckets, q) {
    var bounds = Object.keys(buckets).map(Number).sort(function (a, b) { return a - b; });
    var total = bounds.reduce(function (s, k) { return s + buckets[k]; }, 0);
    if (!total) { return null; }
    var rank = Math.max(1, Math.ceil(q * total)), seen = 0;
    for (var i = 0; i < bounds.length; i++) { seen += buckets[bounds[i]]; if (seen >= rank) { return bounds[i]; } }
    return bounds[bounds.length - 1];
  }

  function render(o) {
    var missing = o.unavailable || [];
    $('unavailable').hidden = missing.length === 0;
    $('unavailable').textContent = missing.length ? 'Not answering now: ' + missing.join(', ')
      + ' (shown as unavailable; the rest is current).' : '';
    renderFigures(o.stats);
    fill('stuck-jobs', o.stuckJobs && o.stuckJobs.map(function (j) {
      return row([el('span', j.jobId, 'id'), j.userId, j.model, j.status, j.holdState, { text: j.why, cls: 'bad' },
        when(j.deadlineAt), when(j.nextCheckAt)], { 'data-job-id': j.jobId });
    }), 8, 'none: the timer is moving every job on');
    fill('open-holds', o.openHolds && o.openHolds.map(function (h) {
      return row([el('span', h.holdId, 'id'), el('span', h.jobId, 'id'), h.userId,
        { text: money(h.amountMinor, h.currency), cls: 'num' }, when(h.placedAt), since(h.placedAt)],
        { 'data-hold-id': h.holdId });
    }), 6, 'none');
    fill('dead-letters', o.deadLetters && o.deadLetters.map(function (d) {
      var actions = el('span');
      if (d.pending > 0) {
        var show = el('button', 'Show', 'show'); show.type = 'button';
        show.addEventListener('click', function () { showLetters(d.topic); });
        var replay = el('button', 'Replay ' + d.pending, 'replay danger'); replay.type = 'button';
        replay.addEventListener('click', function () { replayLetters(d.topic, replay); });
        actions.appendChild(show); actions.appendChild(document.createTextNode(' ')); actions.appendChild(replay);
      }
      return row([el('code', d.topic), { text: d.pending, cls: d.pending ? 'num pending bad' : 'num pending' },
        actions], { 'data-topic': d.topic });
    }), 3, 'none');
    var kie = o.kie;
    fill('kie-keys', kie && (kie.keys || []).map(function (k) {
      return row([el('code', k.keyId), { text: k.available ? 'yes' : 'no', cls: k.available ? 'good' : 'bad' },
        k.reason || '', { text: k.credits === null || k.credits === undefined ? '' : k.credits,
          cls: k.creditsLow ? 'num bad' : 'num' }, when(k.creditsAt)], { 'data-key': k.keyId });
    }), 5, 'no key has been checked yet');
    fill('recent-failures', o.recentFailures && o.recentFailures.map(function (f) {
      return row([when(f.finishedAt), el('span', f.jobId, 'id'), f.userId, f.model, f.status, f.reason || '',
        f.detail || ''], { 'data-job-id': f.jobId });
    }), 7, 'none');
    $('status').textContent = 'Updated ' + when(o.at);
  }

  function showLetters(topic) {
    api('GET', '/api/v1/admin/dead-letters/' + encodeURIComponent(topic)).then(function (letters) {
      $('letters').hidden = false;
      $('letters-title').textContent = topic + '-dlt';
      var body = document.querySelector('#letters tbody');
      body.replaceChildren();
      letters.forEach(function (l) {
        body.appendChild(row([l.partition, l.offset, el('code', l.key), l.type || '', el('span', l.eventId, 'id'),
          l.reason || ''], { 'data-event-id': l.eventId || '' }));
      });
      if (!letters.length) { body.appendChild(row([{ text: 'none', cls: 'empty' }])); }
    }).catch(function (e) { $('action').textContent = 'Could not read the letters: ' + e.message; });
  }

  function replayLetters(topic, button) {
    if (button.dataset.armed !== 'yes') {
      button.dataset.armed = 'yes';
      button.textContent = 'Confirm: replay to ' + topic;
      return;
    }
    button.disabled = true;
    api('POST', '/api/v1/admin/dead-letters/' + encodeURIComponent(topic) + '/replay').then(function (r) {
      $('action').textContent = 'Replayed ' + r.replayed + ' dead letter(s) to ' + r.topic;
      load();
    }).catch(function (e) { $('action').textContent = 'Replay failed: ' + e.message; button.disabled = false; });
  }

  var loading = false;

  // one refresh at a time: while the services are slow, a refresh that is still waiting is not joined by another
  function load() {
    if (loading) { return Promise.resolve(); }
    loading = true;
    return api('GET', '/api/v1/admin/overview').then(render).catch(function (e) {
      if (e.message !== 'unauthorized') { $('status').textContent = 'Could not refresh: ' + e.message; }
    }).then(function () { loading = false; });
  }

  function signOut(why) {
    sessionStorage.removeItem(KEY);
    if (timer) { clearInterval(timer); timer = null; }
    $('board').hidden = true; $('sign-out').hidden = true; $('sign-in').hidden = false;
    $('sign-in-error').hidden = !why; $('sign-in-error').textContent = why || '';
  }

  function open() {
    $('sign-in').hidden = true; $('board').hidden = false; $('sign-out').hidden = false;
    load();
    timer = setInterval(load, REFRESH_MS);
  }

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem(KEY, $('token').value.trim());
    $('token').value = '';
    open();
  });
  $('sign-out').addEventListener('click', function () { signOut(null); });
  if (token()) { open(); } else { signOut(null); }
}());
