// Query page: pick a named query, run it in the local lake, show the rows.
import { escapeHtml, fetchJson, renderHeader } from './common.js';

renderHeader('/query.html', { live: false }); // results are run on demand, not streamed

const form = document.querySelector('#query-form');
const select = document.querySelector('#query-name');
const runButton = document.querySelector('#run');
const status = document.querySelector('#query-status');
const description = document.querySelector('#query-description');
const wrap = document.querySelector('#result-wrap');
const table = document.querySelector('#result');
let queries = [];

function describeSelected() {
  description.textContent = queries.find((query) => query.name === select.value)?.description ?? '';
}

/** Hex keys (a 64-character patient_key, hashes): too long to read in a table, and nobody reads them whole. */
const LONG_KEY = /^[0-9a-f]{32,}$/i;
const KEY_SHOWN = 8;

function cell(value, column) {
  if (value === null) return '<td class="muted">null</td>';
  if (typeof value === 'number') return `<td class="num">${value.toLocaleString('en-GB')}</td>`;
  if (LONG_KEY.test(value)) {
    // Abbreviated on screen; the whole key on hover, with the Copy button and when the text is copied.
    const short = `${value.slice(0, KEY_SHOWN)}…`;
    return `<td class="key"><code title="${escapeHtml(value)}" data-full="${escapeHtml(value)}">${escapeHtml(short)}</code>`
      + ` <button type="button" class="copy" data-copy="${escapeHtml(value)}" aria-label="Copy ${escapeHtml(column)} ${escapeHtml(short)}">Copy</button></td>`;
  }
  return `<td>${escapeHtml(value)}</td>`;
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  // http:// on a LAN address is not a secure context: the old way still works there.
  const area = Object.assign(document.createElement('textarea'), { value: text });
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

table.addEventListener('click', async (event) => {
  const button = event.target.closest('button.copy');
  if (!button) return;
  try {
    await copyText(button.dataset.copy);
    button.textContent = 'Copied';
  } catch (error) {
    button.textContent = 'Copy failed';
    status.textContent = `Could not copy: ${error.message}`;
  }
  setTimeout(() => { button.textContent = 'Copy'; }, 1500);
});

// Selected rows copied with Ctrl-C carry the whole keys, tab-separated like a spreadsheet, without the buttons.
table.addEventListener('copy', (event) => {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0) return;
  const fragment = selection.getRangeAt(0).cloneContents();
  const within = selection.anchorNode?.parentElement?.closest('[data-full]');
  if (fragment.querySelector('[data-full]') === null && !within) return;
  if (within && fragment.querySelector('td') === null) {
    event.clipboardData.setData('text/plain', within.dataset.full);
  } else {
    for (const button of fragment.querySelectorAll('button.copy')) button.remove();
    for (const key of fragment.querySelectorAll('[data-full]')) key.textContent = key.dataset.full;
    const rows = [...fragment.querySelectorAll('tr')];
    const text = rows.length === 0 ? fragment.textContent
      : rows.map((row) => [...row.children].map((c) => c.textContent.trim()).join('\t')).join('\n');
    event.clipboardData.setData('text/plain', text);
  }
  event.preventDefault();
});

async function loadQueries() {
  try {
    queries = await fetchJson('/api/queries');
  } catch (error) {
    status.textContent = `Could not list queries: ${error.message}`;
    return;
  }
  select.innerHTML = queries.map((query) => `<option value="${escapeHtml(query.name)}">${escapeHtml(query.name)}</option>`).join('');
  runButton.disabled = queries.length === 0;
  if (queries.length === 0) status.textContent = 'No named queries: the query runner is not wired to this dashboard.';
  const wanted = new URLSearchParams(location.search).get('name');
  if (wanted && queries.some((query) => query.name === wanted)) select.value = wanted;
  describeSelected();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = select.value;
  runButton.disabled = true;
  status.textContent = `Running ${name}…`;
  try {
    const result = await fetchJson(`/api/queries/${encodeURIComponent(name)}/run`, { method: 'POST' });
    table.querySelector('thead').innerHTML = `<tr>${result.columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join('')}</tr>`;
    table.querySelector('tbody').innerHTML = result.rows.map((row) => `<tr>${row.map((value, i) => cell(value, result.columns[i])).join('')}</tr>`).join('');
    table.querySelector('caption').textContent = `${name}: ${result.rows.length} rows`;
    wrap.hidden = false;
    status.textContent = `${result.rows.length} rows in ${Math.round(result.elapsedMs)} ms`;
  } catch (error) {
    status.textContent = `Query failed: ${error.message}`;
  } finally {
    runButton.disabled = false;
  }
});
select.addEventListener('change', describeSelected);
loadQueries();
