// Pipeline page: throughput, lags, latency and quarantine, live; a rate chart of the last 5 minutes.
import uPlot from '/vendor/uPlot.esm.js';
import {
  clockAxis, escapeHtml, fetchJson, formatNumber, legendHooks, legendValue, openLive, renderHeader, timeLegendSeries,
} from './common.js';

renderHeader('/pipeline.html');

const HISTORY_MS = 5 * 60_000;
const summary = document.querySelector('#pipeline-summary');
const figure = document.querySelector('#rate-chart');
const reasonsBody = document.querySelector('#reasons tbody');
const rate = { t: [], ingest: [], observed: [] };
/** The stack's start-up burst ({ fromMs, untilMs, latencyP99Ms }), shaded on the chart; null if not reported. */
let burst = null;
const clock = (ms) => new Date(ms).toLocaleTimeString('en-GB');

/** Shades the start-up burst where it falls in the chart's 5 minutes, labelled, so a spike there is read as one. */
function drawBurst(u) {
  if (burst === null) return;
  const { left, top, width, height } = u.bbox;
  const x0 = Math.max(left, u.valToPos(burst.fromMs / 1000, 'x', true));
  const x1 = Math.min(left + width, u.valToPos(burst.untilMs / 1000, 'x', true));
  if (!(x1 > x0)) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.fillStyle = 'rgba(237, 139, 0, 0.16)';
  ctx.fillRect(x0, top, x1 - x0, height);
  ctx.fillStyle = '#4c6272';
  ctx.font = `${Math.round(12 * devicePixelRatio)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  // Inside the plot: from the band's left edge, or right-aligned when the band sits at the right edge.
  const label = 'start-up burst';
  const fits = x0 + 4 * devicePixelRatio + ctx.measureText(label).width <= left + width;
  ctx.textAlign = fits ? 'left' : 'right'; // uPlot leaves the axes' alignment on the context
  ctx.fillText(label, fits ? x0 + 4 * devicePixelRatio : left + width - 4 * devicePixelRatio, top + 4 * devicePixelRatio);
  ctx.restore();
}

const plot = new uPlot({
  width: Math.max(240, figure.clientWidth - 16),
  height: 200,
  // A fixed 5-minute window from 0 msg/s up: a dip reads as a dip, not as a cliff.
  scales: {
    x: { time: true, range: (_plot, _min, max) => [max - HISTORY_MS / 1000, max] },
    y: { range: (_plot, _min, max) => [0, Math.max(10, Math.ceil(max * 1.15))] },
  },
  axes: [clockAxis(), {}],
  hooks: { ...legendHooks(), draw: [drawBurst] },
  series: [
    timeLegendSeries(),
    { label: 'Ingest', stroke: '#005eb8', width: 2, value: legendValue(' msg/s') },
    { label: 'Seen by dashboard', stroke: '#007f3b', width: 2, value: legendValue(' msg/s') },
  ],
}, [[], [], []], figure);
plot.root.setAttribute('role', 'img');
plot.root.setAttribute('aria-labelledby', 'cap-rate');
new ResizeObserver(() => plot.setSize({ width: Math.max(240, figure.clientWidth - 16), height: 200 })).observe(figure);

const ms = (value) => (value === null ? '—' : value >= 10_000 ? `${formatNumber(value / 1000, 1)} s` : `${formatNumber(value)} ms`);

function show(stats) {
  document.querySelector('#ingest').textContent = stats.ingestMsgPerSec === null ? '—' : `${formatNumber(stats.ingestMsgPerSec)} /s`;
  document.querySelector('#observed').textContent = `${formatNumber(stats.observedMsgPerSec)} /s`;
  document.querySelector('#stream-lag').textContent = ms(stats.streamLagMs);
  document.querySelector('#etl-lag').textContent = ms(stats.etlLagMs);
  document.querySelector('#latency-p50').textContent = ms(stats.latencyMs.p50);
  document.querySelector('#latency-p99').textContent = ms(stats.latencyMs.p99);
  showBurst(stats);
  document.querySelector('#curated').textContent = formatNumber(stats.curatedRecords);
  document.querySelector('#quarantined').textContent = formatNumber(stats.quarantined.total);
  const reasons = Object.entries(stats.quarantined.byReason).sort((a, b) => b[1] - a[1]);
  reasonsBody.innerHTML = reasons.length === 0
    ? '<tr><td colspan="2" class="muted">None yet</td></tr>'
    : reasons.map(([reason, count]) => `<tr><th scope="row"><code>${escapeHtml(reason)}</code></th><td class="num">${formatNumber(count)}</td></tr>`).join('');
  summary.textContent = `As of ${new Date(stats.asOfMs).toLocaleTimeString('en-GB')}`;

  addSamples([{ t: stats.asOfMs, ingestMsgPerSec: stats.ingestMsgPerSec, observedMsgPerSec: stats.observedMsgPerSec }]);
}

/** The latency cards say which figures they are: the burst's while it lasts, the steady state after it. */
function showBurst(stats) {
  burst = stats.startupBurst;
  const during = burst !== null && stats.asOfMs < burst.untilMs;
  for (const phase of document.querySelectorAll('.latency-phase')) {
    phase.textContent = burst === null ? '' : during ? '(start-up burst)' : '(steady state)';
  }
  document.querySelector('#startup-burst').textContent = burst === null ? ''
    : during ? `Start-up burst until ${clock(burst.untilMs)}: monitors connecting, backlog replaying; steady-state figures follow.`
      : `Start-up burst left out: ${clock(burst.fromMs)}–${clock(burst.untilMs)}, p99 ${ms(burst.latencyP99Ms)}.`;
  document.querySelector('#burst-caption').textContent = burst === null ? '' : ' (shaded: the start-up burst)';
}

/** Appends samples newer than the chart's newest and keeps the last 5 minutes. */
function addSamples(samples) {
  for (const sample of samples) {
    if (rate.t.length > 0 && sample.t / 1000 <= rate.t[rate.t.length - 1]) continue;
    rate.t.push(sample.t / 1000);
    rate.ingest.push(sample.ingestMsgPerSec);
    rate.observed.push(sample.observedMsgPerSec);
  }
  const newest = rate.t[rate.t.length - 1] ?? 0;
  while (rate.t.length > 0 && rate.t[0] < newest - HISTORY_MS / 1000) {
    rate.t.shift(); rate.ingest.shift(); rate.observed.shift();
  }
  plot.setData([rate.t, rate.ingest, rate.observed]);
  figure.dataset.points = String(rate.t.length);
}

async function loadSnapshot() {
  try {
    // The server keeps the last 5 minutes: a page opened (or reloaded) now starts with them.
    const [history, stats] = await Promise.all([fetchJson('/api/pipeline/history'), fetchJson('/api/pipeline')]);
    rate.t = []; rate.ingest = []; rate.observed = [];
    addSamples(history);
    show(stats);
  } catch (error) {
    summary.textContent = `Could not load pipeline figures: ${error.message}`;
  }
}

openLive({ topics: ['pipeline'], handlers: { pipeline: show }, onSync: loadSnapshot });
