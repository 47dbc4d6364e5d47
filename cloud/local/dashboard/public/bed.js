// Bed page: the last 15 minutes of each vital as live uPlot charts, with NEWS2 over time.
import uPlot from '/vendor/uPlot.esm.js';
import {
  BAND_LABEL, clockAxis, escapeHtml, fetchJson, formatNumber, legendHooks, legendValue, openLive, renderHeader, spanAtSpeed, timeLegendSeries,
} from './common.js';

renderHeader('');

const WINDOW_MS = 15 * 60_000;
const thing = new URLSearchParams(location.search).get('thing');
const title = document.querySelector('#bed-title');
const summary = document.querySelector('#bed-summary');
const chartsEl = document.querySelector('#charts');

// The charts come from the measurement registry (GET /api/charts): blood pressure draws systolic, diastolic
// and mean arterial together, NEWS2 last. A measurement added to the registry shows up here by itself.
let CHARTS = [];

/** Columnar history: t (ms) and one array per series, kept sorted and trimmed to the window. */
const history = { t: [], series: {} };
const charts = [];

function chartWidth(figure) {
  return Math.max(240, figure.clientWidth - 16);
}

function createCharts() {
  for (const spec of CHARTS) {
    const figure = document.createElement('figure');
    figure.className = 'chart';
    figure.dataset.chart = spec.id;
    figure.dataset.points = '0';
    figure.innerHTML = `<figcaption id="cap-${spec.id}">${escapeHtml(spec.title)}</figcaption>`;
    chartsEl.appendChild(figure);
    const plot = new uPlot({
      width: chartWidth(figure),
      height: 180,
      // Every chart has a legend: the newest value while idle; the hovered time and value under the cursor.
      legend: { show: true, live: true },
      hooks: legendHooks(),
      scales: { x: { time: true } },
      axes: [clockAxis(), { size: 48 }],
      series: [
        timeLegendSeries(),
        ...spec.series.map((s) => ({
          label: s.label, stroke: s.stroke, width: 2, spanGaps: false, value: legendValue(spec.unit, spec.digits ?? 0),
          ...(spec.stepped ? { paths: uPlot.paths.stepped({ align: 1 }) } : {}),
        })),
      ],
    }, [[], ...spec.series.map(() => [])], figure);
    plot.root.setAttribute('role', 'img');
    plot.root.setAttribute('aria-labelledby', `cap-${spec.id}`);
    charts.push({ spec, figure, plot });
  }
  new ResizeObserver(() => {
    for (const { figure, plot } of charts) plot.setSize({ width: chartWidth(figure), height: 180 });
  }).observe(chartsEl);
}

function draw() {
  const xs = history.t.map((ms) => ms / 1000); // uPlot's time scale is in seconds
  for (const { spec, figure, plot } of charts) {
    plot.setData([xs, ...spec.series.map((s) => history.series[s.key] ?? [])]);
    figure.dataset.points = String(xs.length);
  }
}

function replaceHistory(series) {
  history.t = series.t;
  history.series = series.series;
}

function appendPoints(points) {
  for (const point of points) {
    // Points usually arrive in time order; an outbox replay may not: insert where it belongs.
    let index = history.t.length;
    while (index > 0 && history.t[index - 1] > point.t) index -= 1;
    history.t.splice(index, 0, point.t);
    for (const [key, value] of Object.entries(point.values)) {
      (history.series[key] ??= []).splice(index, 0, value);
    }
  }
  const newest = history.t[history.t.length - 1] ?? 0;
  let drop = 0;
  while (drop < history.t.length && history.t[drop] < newest - WINDOW_MS) drop += 1;
  if (drop > 0) {
    history.t.splice(0, drop);
    for (const values of Object.values(history.series)) values.splice(0, drop);
  }
}

function showTile(tile) {
  if (!tile) {
    if (summary.textContent === 'Loading…') summary.textContent = `${thing}: no vitals yet`;
    return;
  }
  const bed = /^\d+[a-z]?$/i.test(tile.bed ?? '') ? `Bed ${tile.bed}` : (tile.bed ?? 'Bed ?');
  title.textContent = `${bed}${tile.ward ? `, ${tile.ward}` : ''}`;
  document.title = `${title.textContent} · Bedside monitors`;
  const news2 = tile.news2;
  const latest = tile.latest;
  summary.textContent = [
    `${thing}: ${tile.connected ? 'connected' : 'disconnected'}`,
    news2 ? `NEWS2 ${news2.total} (${BAND_LABEL[news2.band]} risk${news2.complete ? '' : ', partial'})` : 'no NEWS2 yet',
    latest ? `HR ${formatNumber(latest.heart_rate)}, SpO₂ ${formatNumber(latest.spo2, 0, ' %')}, RR ${formatNumber(latest.respiratory_rate)}, T ${formatNumber(latest.temperature_c, 1, ' °C')}` : '',
  ].filter(Boolean).join(' · ');
  summary.dataset.band = news2 ? news2.band : '';
  // At 60x the chart's 15 wall-clock minutes are 15 hours of this patient's physiology: say so.
  document.querySelector('#window').textContent = spanAtSpeed(WINDOW_MS, tile.speed);
}

let drawQueued = false;
function queueDraw() {
  if (!drawQueued) {
    drawQueued = true;
    requestAnimationFrame(() => { drawQueued = false; draw(); });
  }
}

async function loadSnapshot() {
  try {
    const body = await fetchJson(`/api/beds/${encodeURIComponent(thing)}/vitals`);
    replaceHistory(body);
    showTile(body.tile);
    queueDraw();
  } catch (error) {
    summary.innerHTML = `<span class="error">${escapeHtml(error.message)}</span>`;
  }
}

if (!thing) {
  summary.innerHTML = '<span class="error">No bed chosen: open a bed from the <a href="/ward.html">ward board</a> or the <a href="/">fleet</a>.</span>';
} else {
  title.textContent = `Bed of ${thing}`;
  try {
    CHARTS = await fetchJson('/api/charts');
  } catch (error) {
    summary.innerHTML = `<span class="error">${escapeHtml(error.message)}</span>`;
  }
  createCharts();
  openLive({
    topics: ['points', 'tiles'],
    bed: thing,
    handlers: {
      points: (batch) => { if (batch.thingName === thing) { appendPoints(batch.points); queueDraw(); } },
      tiles: (list) => showTile(list.find((tile) => tile.thingName === thing)),
    },
    onSync: loadSnapshot,
  });
}
