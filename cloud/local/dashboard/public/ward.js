// Ward board: one tile per bed, latest vitals and NEWS2, sorted by risk; ground truth on request.
import { BAND_LABEL, BAND_RANK, escapeHtml, fetchJson, formatNumber, openLive, renderHeader, simulatedTimeNote, timeAgo } from './common.js';

renderHeader('/ward.html');

const tiles = new Map();
const board = document.querySelector('#board');
const wardSelect = document.querySelector('#ward');
const showTruth = document.querySelector('#show-truth');
const summary = document.querySelector('#board-summary');
const params = new URLSearchParams(location.search);
if (params.get('truth') === '1') showTruth.checked = true;
let renderQueued = false;

function risk(tile) {
  return tile.news2 ? BAND_RANK[tile.news2.band] * 100 + tile.news2.total : -1;
}

function vitalsList(latest) {
  if (!latest) return '<p class="muted">No vitals yet</p>';
  const bp = latest.systolic_bp === null || latest.diastolic_bp === null ? '—' : `${latest.systolic_bp}/${latest.diastolic_bp}`;
  // Units go with the label so values stay narrow enough for three columns on a tablet.
  const item = (label, unit, value) => `<div><dt>${label}${unit ? ` <small>${unit}</small>` : ''}</dt><dd>${value}</dd></div>`;
  const oxygen = latest.on_oxygen ? ' <small title="on supplemental oxygen">O₂</small>' : '';
  return `<dl class="vitals">
    ${item('<abbr title="Heart rate">HR</abbr>', 'bpm', formatNumber(latest.heart_rate))}
    ${item('SpO₂', '%', `${formatNumber(latest.spo2)}${oxygen}`)}
    ${item('<abbr title="Respiration rate">RR</abbr>', '/min', formatNumber(latest.respiratory_rate))}
    ${item('<abbr title="Blood pressure">BP</abbr>', 'mmHg', bp)}
    ${item('<abbr title="Temperature">Temp</abbr>', '°C', formatNumber(latest.temperature_c, 1))}
    ${item('ACVPU', '', escapeHtml(latest.consciousness ?? '—'))}
  </dl>`;
}

/** "Bed 7" for a bare number; a bed id that already says where it is ("icu-003") as it is. */
function bedLabel(bed) {
  if (bed === null || bed === undefined) return 'Bed ?';
  return /^\d+[a-z]?$/i.test(bed) ? `Bed ${bed}` : bed;
}

/** The ward beside the bed, unless the bed's name already says it ("respiratory-006" in respiratory). */
function wardShown(tile) {
  return Boolean(tile.ward) && !String(tile.bed ?? '').toLowerCase().startsWith(tile.ward.toLowerCase());
}

function tileHtml(tile) {
  const news2 = tile.news2;
  const band = news2 ? news2.band : 'low';
  const label = news2 ? `${BAND_LABEL[band]} risk${news2.complete ? '' : ' (partial)'}` : 'No score';
  const title = `${tile.ward ?? ''} ${bedLabel(tile.bed)}`.trim();
  return `<article class="tile band-${band}${tile.connected ? '' : ' disconnected'}" data-thing="${escapeHtml(tile.thingName)}" data-band="${band}" aria-label="${escapeHtml(title)}: ${escapeHtml(label)}">
    <header>
      <h2 title="${escapeHtml(title)}"><a href="/bed.html?thing=${encodeURIComponent(tile.thingName)}">${escapeHtml(bedLabel(tile.bed))}</a></h2>
      ${wardShown(tile) ? `<span class="ward muted">${escapeHtml(tile.ward)}</span>` : ''}
    </header>
    <div class="score"><span class="total" aria-label="NEWS2 score">${news2 ? news2.total : '—'}</span>
      <span class="band">${escapeHtml(label)}</span></div>
    ${tile.connected ? '' : '<p class="status disconnected">Disconnected</p>'}
    ${vitalsList(tile.latest)}
    <p class="truth" ${showTruth.checked ? '' : 'hidden'}>Scenario: ${escapeHtml(tile.scenario ?? 'not reported')}</p>
    <p class="tile-foot muted"><small>${escapeHtml(tile.thingName)} · <span class="age" data-ms="${tile.latest?.timestampMs ?? ''}">${tile.latest ? timeAgo(tile.latest.timestampMs) : 'never'}</span></small></p>
  </article>`;
}

function render() {
  renderQueued = false;
  const ward = wardSelect.value;
  const wards = [...new Set([...tiles.values()].map((tile) => tile.ward).filter(Boolean))].sort();
  if (wards.join('|') !== [...wardSelect.options].slice(1).map((option) => option.value).join('|')) {
    wardSelect.innerHTML = '<option value="">All wards</option>' +
      wards.map((name) => `<option value="${escapeHtml(name)}">${escapeHtml(name)}</option>`).join('');
    wardSelect.value = wards.includes(ward) ? ward : '';
  }
  const shown = [...tiles.values()]
    .filter((tile) => !wardSelect.value || tile.ward === wardSelect.value)
    .sort((a, b) => risk(b) - risk(a) || String(a.ward).localeCompare(String(b.ward)) || String(a.bed).localeCompare(String(b.bed), undefined, { numeric: true }));
  // Re-rendering replaces the links: keep keyboard focus on the same bed's link.
  const focused = document.activeElement?.closest?.('#board [data-thing]')?.dataset.thing;
  board.innerHTML = shown.map((tile) => `<li>${tileHtml(tile)}</li>`).join('');
  if (focused) board.querySelector(`[data-thing="${CSS.escape(focused)}"] a`)?.focus();
  const counts = { high: 0, medium: 0, 'low-medium': 0, low: 0 };
  for (const tile of shown) if (tile.news2) counts[tile.news2.band] += 1;
  summary.textContent = `${shown.length} beds: ${counts.high} high, ${counts.medium} medium, ${counts['low-medium']} low-medium, ${counts.low} low risk`;
  const note = simulatedTimeNote(shown.map((tile) => tile.speed));
  const timeNote = document.querySelector('#time-note');
  timeNote.textContent = note;
  timeNote.hidden = note === '';
}

function upsert(list) {
  for (const tile of list) tiles.set(tile.thingName, tile);
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(render);
  }
}

async function loadSnapshot() {
  try {
    upsert(await fetchJson('/api/tiles'));
  } catch (error) {
    summary.textContent = `Could not load beds: ${error.message}`;
  }
}

wardSelect.addEventListener('change', render);
// A silent monitor's tile is not re-rendered: age its "measured ... ago" text every second.
setInterval(() => {
  const now = Date.now();
  for (const age of board.querySelectorAll('.age')) age.textContent = timeAgo(age.dataset.ms ? Number(age.dataset.ms) : null, now);
}, 1000);
showTruth.addEventListener('change', () => {
  for (const truth of board.querySelectorAll('.truth')) truth.hidden = !showTruth.checked;
});

openLive({ topics: ['tiles'], handlers: { tiles: upsert }, onSync: loadSnapshot });
