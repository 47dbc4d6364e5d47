/**
 * Renders a query result for a terminal (aligned table, numbers right-aligned, long cells cut with an
 * ellipsis), as CSV (RFC 4180 quoting) or as JSON (an array of row objects). Pure.
 */
import type { QueryResult } from './lake.ts';

export type OutputFormat = 'table' | 'csv' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json'];

type Cell = QueryResult['rows'][number][number];

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

function text(cell: Cell): string {
  if (cell === null) return '';
  return String(cell);
}

function cut(value: string, width: number): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

export function formatTable(result: QueryResult, maxCellWidth = 40): string {
  const numeric = result.types.map((type) => NUMERIC.test(type));
  const cells = result.rows.map((row) => row.map((cell) => (cell === null ? 'NULL' : cut(text(cell), maxCellWidth))));
  const widths = result.columns.map((name, i) => Math.max(name.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ').trimEnd();
  const lines = [line(result.columns), widths.map((width) => '-'.repeat(width)).join('-+-'), ...cells.map(line)];
  lines.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
  return lines.join('\n');
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatCsv(result: QueryResult): string {
  return [result.columns, ...result.rows.map((row) => row.map(text))].map((row) => row.map(csvField).join(',')).join('\n');
}

export function formatJson(result: QueryResult): string {
  const objects = result.rows.map((row) => Object.fromEntries(result.columns.map((name, i) => [name, row[i] ?? null])));
  return JSON.stringify(objects, null, 2);
}

export function formatResult(result: QueryResult, format: OutputFormat): string {
  switch (format) {
    case 'table': return formatTable(result);
    case 'csv': return formatCsv(result);
    case 'json': return formatJson(result);
  }
}
