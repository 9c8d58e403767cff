// EduPulse Outbox admin page: polls the admin API (same origin, the browser's login) every 3 s.
'use strict';

// The API beside the page (/edupulse/admin/ -> /edupulse/api/outbox/), built from the origin so a
// page opened with user:password@ in its URL still gets a URL fetch() accepts.
const api = location.origin + location.pathname.replace(/\/admin\/[^/]*$/, '/api/outbox/');
const inboxApi = api.replace(/outbox\/$/, 'inbox/');

// Changes are POSTs with a JSON body: the admin API refuses any other content type (a form or a
// text/plain request from another site must never pause or retry anything).
async function call(path, options = {}, base = api) {
  const request = { credentials: 'same-origin', ...options };
  if (request.method === 'POST') {
    request.headers = { 'Content-Type': 'application/json' };
    request.body = request.body || '{}';
  }
  const response = await fetch(base + path, request);
  const text = await response.text();
  const body = text ? JSON.parse(text) : {};
  if (!response.ok) {
    throw new Error(body.detail || response.status + ' ' + response.statusText);
  }
  return body;
}

function age(seconds) {
  if (seconds < 60) return Math.round(seconds) + ' s';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min';
  return (seconds / 3600).toFixed(1) + ' h';
}

function setText(id, text, level) {
  const element = document.getElementById(id);
  element.textContent = text;
  element.classList.toggle('bad', level === 'bad');
  element.classList.toggle('warn', level === 'warn');
}

function say(text) {
  document.getElementById('message').textContent = text;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderParked(items) {
  const body = document.getElementById('parked-events');
  body.replaceChildren();
  document.getElementById('no-parked').hidden = items.length > 0;
  for (const event of items) {
    const row = body.insertRow();
    row.dataset.eventId = event.id;
    const what = cell(row, '');
    what.append(document.createTextNode(event.eventType + ' '));
    const id = document.createElement('code');
    id.textContent = event.id;
    what.append(id);
    cell(row, event.aggregateType + ' / ' + event.aggregateId + ' #' + event.aggregateSeq);
    cell(row, String(event.attempts));
    cell(row, event.lastError || '', 'error');
    cell(row, new Date(event.parkedAt).toLocaleString());
    const actions = cell(row, '', 'actions');
    const retry = document.createElement('button');
    retry.textContent = 'Retry';
    retry.className = 'retry';
    retry.onclick = () => act(() => call('events/' + event.id + '/retry', { method: 'POST' }), 'Retried ' + event.id);
    const discard = document.createElement('button');
    discard.textContent = 'Discard';
    discard.className = 'danger discard';
    discard.onclick = () => {
      const reason = prompt('Why discard this event? (kept on the row)');
      if (reason && reason.trim()) {
        act(() => call('events/' + event.id + '/discard', { method: 'POST', body: JSON.stringify({ reason }) }),
          'Discarded ' + event.id);
      }
    };
    actions.append(retry, ' ', discard);
  }
}

function button(text, className, onclick) {
  const element = document.createElement('button');
  element.textContent = text;
  element.className = className;
  element.onclick = onclick;
  return element;
}

// The inbox's open events: every consumer's parked, retrying and held events, with their actions.
async function refreshInbox() {
  const inbox = await call('', {}, inboxApi);
  const rows = [];
  for (const consumer of inbox.consumers) {
    for (const status of ['parked', 'retry', 'held']) {
      if (consumer[status] > 0) {
        const listed = await call(encodeURIComponent(consumer.name) + '/events?status=' + status + '&limit=50', {}, inboxApi);
        for (const event of listed.events) rows.push({ consumer: consumer.name, event });
      }
    }
  }
  const body = document.getElementById('inbox-events');
  body.replaceChildren();
  document.getElementById('no-inbox').hidden = rows.length > 0;
  for (const { consumer, event } of rows) {
    const row = body.insertRow();
    row.dataset.messageId = event.messageId;
    cell(row, consumer);
    const what = cell(row, event.eventType + ' ');
    const id = document.createElement('code');
    id.textContent = event.messageId;
    what.append(id);
    cell(row, event.aggregateType + ' / ' + event.aggregateId + ' #' + event.aggregateSeq
      + ' (applied up to #' + event.lastAppliedSeq + ')');
    cell(row, event.status, 'status');
    cell(row, String(event.attempts));
    cell(row, event.lastError || '', 'error');
    const actions = cell(row, '', 'actions');
    const path = encodeURIComponent(consumer) + '/events/' + event.messageId;
    if (event.status === 'parked') {
      actions.append(button('Retry', 'retry', () => act(() => call(path + '/retry', { method: 'POST' }, inboxApi),
        'Retried ' + event.messageId)), ' ');
    }
    if (event.status === 'parked' || event.status === 'retry') {
      actions.append(button('Discard', 'danger discard', () => {
        if (confirm('Discard this event? ' + consumer + ' will never apply it.')) {
          act(() => call(path + '/discard', { method: 'POST' }, inboxApi), 'Discarded ' + event.messageId);
        }
      }));
    }
    if (event.status === 'held' && event.aggregateSeq > event.lastAppliedSeq + 1) {
      const query = '?aggregateType=' + encodeURIComponent(event.aggregateType)
        + '&aggregateId=' + encodeURIComponent(event.aggregateId);
      actions.append(button('Skip gap', 'danger skip', () => {
        if (confirm('Skip #' + (event.lastAppliedSeq + 1) + ' to #' + (event.aggregateSeq - 1) + ' of this aggregate?')) {
          act(() => call(encodeURIComponent(consumer) + '/aggregates/skip-gap' + query, { method: 'POST' }, inboxApi),
            'Gap skipped');
        }
      }));
    }
  }
}

// Replay jobs: the recent ones with their progress, a cancel button for a running one.
async function refreshReplays() {
  const listed = await call('replays');
  const body = document.getElementById('replays');
  body.replaceChildren();
  document.getElementById('no-replays').hidden = listed.replays.length > 0;
  for (const job of listed.replays) {
    const row = body.insertRow();
    row.dataset.id = job.id;
    row.dataset.status = job.status;
    cell(row, job.queue);
    cell(row, job.eventTypes.join(', '));
    cell(row, job.status + (job.notBefore ? ', waits until ' + new Date(job.notBefore).toLocaleTimeString() : '')
        + (job.lastError ? ' (' + job.lastError + ')' : ''), job.status === 'failed' ? 'bad' : null);
    cell(row, job.done + ' / ' + job.total);
    cell(row, job.eventsPerSecond + '/s of ' + job.rate + '/s');
    cell(row, job.requestedBy + ', ' + new Date(job.requestedAt).toLocaleString());
    const actions = row.insertCell();
    if (job.status === 'running') {
      actions.append(button('Cancel', 'cancel', () => act(() => call('replays/' + job.id + '/cancel', { method: 'POST' }),
          'Replay cancelled')));
    }
  }
}

function optional(id) {
  const value = document.getElementById(id).value.trim();
  return value === '' ? null : value;
}

document.getElementById('replay-form').onsubmit = event => {
  event.preventDefault();
  const rate = optional('replay-rate');
  const request = {
    queue: optional('replay-queue'),
    eventTypes: (optional('replay-types') || '').split(',').map(t => t.trim()).filter(t => t !== ''),
    from: optional('replay-from'),
    to: optional('replay-to'),
    rate: rate === null ? null : Number(rate),
  };
  act(() => call('replays', { method: 'POST', body: JSON.stringify(request) }), 'Replay started');
};

async function act(action, done) {
  try {
    await action();
    say(done);
  } catch (e) {
    say('Failed: ' + e.message);
  }
  refresh();
}

// The last hour's charts: inline SVG drawn here (the page's policy allows no inline script or
// style, and no other origin). One slot per minute, oldest on the left, the current minute last.
const SVG = 'http://www.w3.org/2000/svg';
const CHART = { width: 600, height: 150, left: 44, right: 8, top: 8, bottom: 20 };

function svg(name, attributes, parent) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (parent) parent.append(element);
  return element;
}

// A round top for the axis: 1, 2 or 5 times a power of ten, at least the largest value (and 1).
function roundUp(value) {
  if (!(value > 1)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

// Axes and frame; returns the functions placing a minute and a value.
function frame(chart, count, top, label) {
  chart.replaceChildren();
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const x = i => CHART.left + (i * plotWidth) / count;
  const y = v => CHART.top + plotHeight - (v / top) * plotHeight;
  for (const [value, text] of [[0, '0'], [top / 2, ''], [top, label(top)]]) {
    svg('line', { class: 'grid', x1: CHART.left, x2: CHART.width - CHART.right, y1: y(value), y2: y(value) }, chart);
    svg('text', { x: CHART.left - 4, y: y(value) + 4, 'text-anchor': 'end' }, chart).textContent = text;
  }
  const bottom = CHART.height - 4;
  svg('text', { x: CHART.left, y: bottom }, chart).textContent = '−60 min';
  svg('text', { x: x(count / 2), y: bottom, 'text-anchor': 'middle' }, chart).textContent = '−30 min';
  svg('text', { x: CHART.width - CHART.right, y: bottom, 'text-anchor': 'end' }, chart).textContent = 'now';
  return { x, y, slot: plotWidth / count };
}

function minuteLabel(minute) {
  return new Date(minute.startMillis).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function drawThroughput(minutes) {
  const chart = document.getElementById('chart-throughput');
  const top = roundUp(Math.max(...minutes.map(m => Math.max(m.published, m.failed))));
  const { x, y, slot } = frame(chart, minutes.length, top, v => String(Math.round(v)));
  const width = Math.max(1, slot / 2 - 0.5);
  minutes.forEach((minute, i) => {
    for (const [key, offset] of [['published', 0], ['failed', width]]) {
      const value = minute[key];
      if (value > 0) {
        const bar = svg('rect', { class: key, x: x(i) + offset, y: y(value), width, height: y(0) - y(value),
          'data-value': value }, chart);
        svg('title', {}, bar).textContent = minuteLabel(minute) + ': ' + value + ' ' + key;
      }
    }
  });
  chart.dataset.published = String(minutes.reduce((sum, m) => sum + m.published, 0));
  chart.dataset.failed = String(minutes.reduce((sum, m) => sum + m.failed, 0));
}

// A line through the minutes that have a value; a minute without one breaks it.
function drawLine(id, minutes, key, className, label) {
  const chart = document.getElementById(id);
  const values = minutes.map(m => m[key]);
  const top = roundUp(Math.max(0, ...values.filter(v => v !== null)));
  const { x, y, slot } = frame(chart, minutes.length, top, label);
  let path = '';
  let previous = null;
  let points = 0;
  values.forEach((value, i) => {
    if (value === null) {
      previous = null;
      return;
    }
    const px = (x(i) + slot / 2).toFixed(1);
    const py = y(value).toFixed(1);
    path += (previous === null ? 'M' : 'L') + px + ' ' + py + ' ';
    previous = value;
    points++;
  });
  if (points > 0) {
    svg('path', { class: className, d: path.trim() }, chart);
    const last = values.length - 1 - [...values].reverse().findIndex(v => v !== null);
    const dot = svg('circle', { class: className.replace('line', 'last'), cx: x(last) + slot / 2, cy: y(values[last]), r: 3 }, chart);
    svg('title', {}, dot).textContent = minuteLabel(minutes[last]) + ': ' + label(values[last]);
  }
  chart.dataset.points = String(points);
}

function drawHistory(minutes) {
  drawThroughput(minutes);
  drawLine('chart-backlog', minutes, 'pending', 'line', v => String(Math.round(v)));
  drawLine('chart-age', minutes, 'oldestPendingAgeSeconds', 'line age', age);
  drawLine('chart-inbox', minutes, 'inboxApplied', 'line inbox', v => String(Math.round(v)));
  const chart = document.getElementById('chart-inbox');
  chart.dataset.applied = String(minutes.reduce((sum, m) => sum + m.inboxApplied, 0));
}

async function refresh() {
  try {
    // the charts are drawn on their own: a failing history leaves the cards and the table current
    call('history').then(history => drawHistory(history.minutes), e => say('Cannot draw the last hour: ' + e.message));
    refreshInbox().catch(e => say('Cannot read the inbox: ' + e.message));
    refreshReplays().catch(e => say('Cannot read the replays: ' + e.message));
    const [summary, parked] = await Promise.all([call('summary'), call('events?status=parked&size=100')]);
    setText('pending', String(summary.pending));
    setText('oldest', age(summary.oldestPendingAgeSeconds), summary.oldestPendingAgeSeconds > 300 ? 'bad' : null);
    setText('parked', String(summary.parked), summary.parked > 0 ? 'warn' : null);
    setText('published', String(summary.publishedLastHour));
    setText('unroutable', String(summary.unroutableLastHour));
    setText('broker', summary.broker, summary.broker === 'CONNECTED' ? null : 'bad');
    setText('dead', String(summary.deadTuples));
    const state = document.getElementById('dispatch-state');
    state.textContent = summary.paused ? 'Paused by ' + (summary.pausedBy || 'an operator') : 'Dispatching';
    state.classList.toggle('paused', summary.paused);
    document.body.dataset.paused = String(summary.paused);
    renderParked(parked.items);
    document.getElementById('refreshed').textContent = new Date().toLocaleTimeString();
  } catch (e) {
    say('Cannot refresh: ' + e.message);
  }
}

document.getElementById('pause').onclick = () => act(() => call('pause', { method: 'POST' }), 'Dispatch paused on every instance');
document.getElementById('resume').onclick = () => act(() => call('resume', { method: 'POST' }), 'Dispatch resumed');
refresh();
setInterval(refresh, 3000);
