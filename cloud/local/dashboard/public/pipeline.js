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

const plot = new uPlot({
  width: Math.max(240, figure.clientWidth - 16),
  height: 200,
  // A fixed 5-minute window from 0 msg/s up: a dip reads as a dip, not as a cliff.
  scales: {
    x: { time: true, range: (_plot, _min, max) => [max - HISTORY_MS / 1000, max] },
    y: { range: (_plot, _min, max) => [0, Math.max(10, Math.ceil(max * 1.15))] },
  },
  axes: [clockAxis(), {}],
  hooks: legendHooks(),
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
  document.querySelector('#curated').textContent = formatNumber(stats.curatedRecords);
  document.querySelector('#quarantined').textContent = formatNumber(stats.quarantined.total);
  const reasons = Object.entries(stats.quarantined.byReason).sort((a, b) => b[1] - a[1]);
  reasonsBody.innerHTML = reasons.length === 0
    ? '<tr><td colspan="2" class="muted">None yet</td></tr>'
    : reasons.map(([reason, count]) => `<tr><th scope="row"><code>${escapeHtml(reason)}</code></th><td class="num">${formatNumber(count)}</td></tr>`).join('');
  summary.textContent = `As of ${new Date(stats.asOfMs).toLocaleTimeString('en-GB')}`;

  rate.t.push(stats.asOfMs / 1000);
  rate.ingest.push(stats.ingestMsgPerSec);
  rate.observed.push(stats.observedMsgPerSec);
  while (rate.t.length > 0 && rate.t[0] < (stats.asOfMs - HISTORY_MS) / 1000) {
    rate.t.shift(); rate.ingest.shift(); rate.observed.shift();
  }
  plot.setData([rate.t, rate.ingest, rate.observed]);
}

async function loadSnapshot() {
  try {
    show(await fetchJson('/api/pipeline'));
  } catch (error) {
    summary.textContent = `Could not load pipeline figures: ${error.message}`;
  }
}

openLive({ topics: ['pipeline'], handlers: { pipeline: show }, onSync: loadSnapshot });
