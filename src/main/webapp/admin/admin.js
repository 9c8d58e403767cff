// EduPulse Outbox admin page: polls the admin API (same origin, the browser's login) every 3 s.
'use strict';

// The API beside the page (/edupulse/admin/ -> /edupulse/api/outbox/), built from the origin so a
// page opened with user:password@ in its URL still gets a URL fetch() accepts.
const api = location.origin + location.pathname.replace(/\/admin\/[^/]*$/, '/api/outbox/');

// Changes are POSTs with a JSON body: the admin API refuses any other content type (a form or a
// text/plain request from another site must never pause or retry anything).
async function call(path, options = {}) {
  const request = { credentials: 'same-origin', ...options };
  if (request.method === 'POST') {
    request.headers = { 'Content-Type': 'application/json' };
    request.body = request.body || '{}';
  }
  const response = await fetch(api + path, request);
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

async function act(action, done) {
  try {
    await action();
    say(done);
  } catch (e) {
    say('Failed: ' + e.message);
  }
  refresh();
}

async function refresh() {
  try {
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
