// Fleet page: one row per thing, updated live from presence, shadow and vitals events.
import { escapeHtml, fetchJson, formatNumber, intervalOf, openLive, renderHeader, scenarioOf, timeAgo } from './common.js';

renderHeader('/');

const things = new Map();
const rows = new Map();
const tbody = document.querySelector('#fleet tbody');
const filter = document.querySelector('#filter');
const summary = document.querySelector('#fleet-summary');
let renderQueued = false;

function cells(thing) {
  const status = thing.connected ? 'connected' : 'disconnected';
  const statusTitle = thing.connected ? '' : ` title="${escapeHtml(thing.disconnectReason ?? '')}"`;
  return `<th scope="row"><a href="/bed.html?thing=${encodeURIComponent(thing.thingName)}">${escapeHtml(thing.thingName)}</a></th>
    <td>${escapeHtml(thing.ward ?? '—')}</td>
    <td>${escapeHtml(thing.bed ?? '—')}</td>
    <td><span class="status ${status}" data-status="${status}"${statusTitle}>${thing.connected ? 'Connected' : 'Disconnected'}</span>${takeoverBadge(thing)}</td>
    <td class="last-seen" data-ms="${thing.lastSeenMs ?? ''}">${timeAgo(thing.lastSeenMs)}</td>
    <td>${escapeHtml(thing.firmware ?? '—')}</td>
    <td>${escapeHtml(intervalOf(thing.reported))}</td>
    <td>${escapeHtml(scenarioOf(thing.reported) ?? '—')}</td>
    <td class="num">${formatNumber(thing.battery, 0, ' %')}</td>
    <td class="num">${formatNumber(thing.messages)}</td>
    <td class="num">${formatNumber(thing.rejected)}</td>`;
}

/** A thing whose session another connection took over runs in two places: say so where the status is. */
function takeoverBadge(thing) {
  if (!thing.takeovers) return '';
  const times = thing.takeovers === 1 ? 'once' : `${thing.takeovers} times`;
  return ` <span class="takeover" title="Another connection with this client id took the session over (DUPLICATE_CLIENTID) ${times}: is this thing running in two places?">taken over ${times}</span>`;
}

function matches(thing, text) {
  if (!text) return true;
  const haystack = [thing.thingName, thing.ward, thing.bed, thing.firmware, thing.model, thing.connected ? 'connected' : 'disconnected']
    .filter(Boolean).join(' ').toLowerCase();
  return text.toLowerCase().split(/\s+/).every((word) => haystack.includes(word));
}

function render() {
  renderQueued = false;
  const text = filter.value.trim();
  // Rows are rebuilt as they change: keep keyboard focus on the same thing's link.
  const focused = document.activeElement?.closest?.('#fleet tr[data-thing]')?.dataset.thing;
  const names = [...things.keys()].sort();
  let shown = 0;
  let connected = 0;
  for (const name of names) {
    const thing = things.get(name);
    if (thing.connected) connected += 1;
    let row = rows.get(name);
    if (!row) {
      row = document.createElement('tr');
      row.dataset.thing = name;
      rows.set(name, row);
    }
    if (row.dataset.version !== String(thing.__version)) {
      row.innerHTML = cells(thing);
      row.dataset.version = String(thing.__version);
    }
    row.hidden = !matches(thing, text);
    if (!row.hidden) shown += 1;
    tbody.appendChild(row); // keeps rows in name order; a no-op move for rows already in place
  }
  if (focused && !tbody.contains(document.activeElement)) rows.get(focused)?.querySelector('a')?.focus();
  summary.textContent = `${things.size} things, ${connected} connected, ${things.size - connected} disconnected` +
    (text ? `; ${shown} match the filter` : '');
  summary.dataset.connected = String(connected);
  summary.dataset.total = String(things.size);
}

let version = 0;
function upsert(list) {
  for (const thing of list) things.set(thing.thingName, { ...thing, __version: ++version });
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(render);
  }
}

async function loadSnapshot() {
  try {
    upsert(await fetchJson('/api/things'));
  } catch (error) {
    summary.textContent = `Could not load things: ${error.message}`;
  }
}

filter.addEventListener('input', () => render());
// "Last seen" ages without events: refresh the text every second.
setInterval(() => {
  const now = Date.now();
  for (const cell of tbody.querySelectorAll('td.last-seen')) cell.textContent = timeAgo(cell.dataset.ms ? Number(cell.dataset.ms) : null, now);
}, 1000);

openLive({ topics: ['things'], handlers: { things: upsert }, onSync: loadSnapshot });
