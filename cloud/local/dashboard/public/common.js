// Shared by every page: the site header, JSON fetches, the live event stream and formatting.
// Plain ES modules (no build step); types are documented in cloud/local/dashboard/feed-types.ts.

const PAGES = [
  { href: '/', label: 'Fleet' },
  { href: '/ward.html', label: 'Ward board' },
  { href: '/pipeline.html', label: 'Pipeline' },
  { href: '/query.html', label: 'Queries' },
];

/** Fills <header class="site"> with the brand, the navigation and the live-connection status. */
export function renderHeader(currentHref, { live = true } = {}) {
  const header = document.querySelector('header.site');
  const links = PAGES.map(({ href, label }) =>
    `<li><a href="${href}"${href === currentHref ? ' aria-current="page"' : ''}>${label}</a></li>`).join('');
  header.innerHTML = `<span class="brand">Bedside monitors · local</span>
    <nav aria-label="Dashboard pages"><ul>${links}</ul></nav>
    ${live ? '<span class="live-status" role="status" data-state="connecting">Connecting…</span>' : ''}`;
}

function setLiveStatus(state, text) {
  const status = document.querySelector('.live-status');
  if (status) {
    status.dataset.state = state;
    status.textContent = text;
  }
}

export async function fetchJson(path, init) {
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/**
 * Opens the server's event stream. `handlers` maps event names (things, tiles, points, pipeline) to
 * functions; `onSync` runs on every (re)connection and on `resync`, to (re)load the snapshot, so an
 * update that raced the snapshot is never lost (updates are latest-wins by thing).
 */
export function openLive({ topics, bed, handlers, onSync }) {
  const params = new URLSearchParams({ topics: topics.join(',') });
  if (bed) params.set('bed', bed);
  const source = new EventSource(`/api/events?${params}`);
  source.addEventListener('open', () => {
    setLiveStatus('live', 'Live');
    onSync?.();
  });
  source.addEventListener('error', () => setLiveStatus('reconnecting', 'Reconnecting…'));
  source.addEventListener('resync', () => onSync?.());
  for (const [event, handler] of Object.entries(handlers)) {
    source.addEventListener(event, (message) => handler(JSON.parse(message.data)));
  }
  window.addEventListener('pagehide', () => source.close());
  return source;
}

/**
 * What simulated time means on this page, from the monitors' reported speeds (simulated time per
 * wall-clock time): '' for real time. Timestamps and clocks stay wall-clock; the physiology runs faster.
 */
export function simulatedTimeNote(speeds) {
  const fast = [...new Set(speeds.filter((speed) => typeof speed === 'number' && speed > 1))].sort((a, b) => a - b);
  if (fast.length === 0) return '';
  const rate = fast.length === 1 ? `${formatSpeed(fast[0])}×` : `${formatSpeed(fast[0])}× to ${formatSpeed(fast[fast.length - 1])}×`;
  return `Simulated time, ${rate}: a wall-clock minute is ${simulatedSpan(60_000 * fast[fast.length - 1])} of the patients' physiology`
    + `${fast.length > 1 ? ' at the fastest' : ''}. Clocks and timestamps are wall-clock.`;
}

/** A wall-clock span shown with its simulated length at `speed`, e.g. "15 minutes (15 hours simulated at 60×)". */
export function spanAtSpeed(wallMs, speed) {
  const wall = simulatedSpan(wallMs);
  return typeof speed === 'number' && speed > 1 ? `${wall} (${simulatedSpan(wallMs * speed)} simulated at ${formatSpeed(speed)}×)` : wall;
}

function formatSpeed(speed) {
  return Number.isInteger(speed) ? String(speed) : speed.toFixed(1);
}

function simulatedSpan(ms) {
  const minutes = ms / 60_000;
  if (minutes < 120) return `${formatSpeed(Math.round(minutes * 10) / 10)} minute${minutes === 1 ? '' : 's'}`;
  const hours = minutes / 60;
  if (hours < 72) return `${formatSpeed(Math.round(hours * 10) / 10)} hours`;
  return `${formatSpeed(Math.round((hours / 24) * 10) / 10)} days`;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** "12 s ago", "3 min ago", or "never". */
export function timeAgo(ms, now = Date.now()) {
  if (ms === null || ms === undefined) return 'never';
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

export function formatNumber(value, digits = 0, unit = '') {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return `${Number(value).toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit}`;
}

export const BAND_LABEL = { low: 'Low', 'low-medium': 'Low-medium', medium: 'Medium', high: 'High' };
export const BAND_RANK = { low: 0, 'low-medium': 1, medium: 2, high: 3 };

/** A shadow value shown compactly: objects as JSON, missing as a dash. */
export function shadowText(value) {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'object') {
    if (typeof value.name === 'string') return value.name;
    return JSON.stringify(value);
  }
  return String(value);
}

/** The scenario label the shadow reports (ground truth), whatever shape the monitor uses. */
export function scenarioOf(reported) {
  const scenario = reported?.scenario;
  return scenario === undefined || scenario === null ? null : shadowText(scenario);
}

/** The sampling interval from the shadow, whichever field name the monitor reports. */
export function intervalOf(reported) {
  for (const [key, unit] of [['interval_ms', 'ms'], ['sample_interval_ms', 'ms'], ['publish_interval_ms', 'ms'], ['interval_s', 's'], ['interval', '']]) {
    if (typeof reported?.[key] === 'number') return unit === 'ms' ? `${reported[key] / 1000} s` : `${reported[key]}${unit ? ` ${unit}` : ''}`;
  }
  return '—';
}

/** uPlot x-axis labels as 24-hour clock times (the ward's convention), seconds when zoomed in. */
export function clockAxis() {
  return {
    space: 70, // px between ticks: room for "HH:MM:SS"
    values: (_plot, splits, _axis, _space, increment) => splits.map((seconds) => new Date(seconds * 1000)
      .toLocaleTimeString('en-GB', increment < 60 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' })),
  };
}

const clockTime = (seconds) => new Date(seconds * 1000).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * uPlot's x series with a legend that says something: the hovered point's time (HH:MM:SS), and nothing
 * while no point is hovered (uPlot would print "Time: --"; `legendHooks` hides the row then).
 */
export function timeLegendSeries() {
  return { label: 'Time', value: (_plot, seconds, _sidx, idx) => (idx === null || seconds === null ? '' : clockTime(seconds)) };
}

/** A series' legend value with its unit: the hovered reading, or the newest one while nothing is hovered. */
export function legendValue(unit = '', digits = 0) {
  return (plot, value, sidx, idx) => {
    if (idx === null) {
      const values = plot.data[sidx] ?? [];
      let newest = null;
      for (let i = values.length - 1; i >= 0 && newest === null; i -= 1) newest = values[i] ?? null;
      return newest === null ? '—' : `latest ${formatNumber(newest, digits, unit)}`;
    }
    return value === null || value === undefined ? 'no reading' : formatNumber(value, digits, unit);
  };
}

/** Hooks for a chart whose x series is `timeLegendSeries()`: the time row shows only while a point is hovered. */
export function legendHooks() {
  const update = (plot) => plot.root.querySelector('.u-legend .u-series')?.classList.toggle('time-idle', plot.legend.idx === null || plot.legend.idx === undefined);
  return { ready: [update], setLegend: [update] };
}
