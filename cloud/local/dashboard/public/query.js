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

function cell(value) {
  if (value === null) return '<td class="muted">null</td>';
  return typeof value === 'number' ? `<td class="num">${value.toLocaleString('en-GB')}</td>` : `<td>${escapeHtml(value)}</td>`;
}

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
    table.querySelector('tbody').innerHTML = result.rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('');
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
