/**
 * What the FHIR export reads of each `vitals` row, and the SQL that reads it: one window of measurement
 * time, optionally one ward, in (device_id, seq) order so that the output is the same on every run.
 */
import { MEASUREMENT_FIELDS, type MeasurementValues } from '../../device/contract/measurements.ts';
import { VITALS_VIEW } from '../lake/curated-schema.ts';

export interface VitalsRow extends MeasurementValues {
  readonly device_id: string;
  readonly seq: number;
  readonly patient_key: string;
  /** ISO-8601 UTC with milliseconds, e.g. 2026-01-01T08:00:05.000Z. */
  readonly measured_at: string;
  readonly ingested_at: string;
  readonly on_oxygen: boolean | null;
  readonly spo2_scale: number;
  /** Comma-separated, as in the lake. */
  readonly quality_flags: string | null;
  readonly news2_total: number;
  readonly news2_band: string;
  readonly news2_complete: boolean;
  readonly news2_missing: string | null;
}

export interface ExportWindow {
  /** Inclusive, epoch ms. */
  readonly fromMs: number;
  /** Exclusive, epoch ms. */
  readonly toMs: number;
  readonly ward?: string;
}

const ISO_MS = "'%Y-%m-%dT%H:%M:%S.%gZ'";

/** An SQL literal of `text` (quotes doubled). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function sqlTimestamp(ms: number): string {
  return `TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;
}

/** The filter of a window: measured_at in it, the day partitions it touches (pruning), the ward. */
export function windowWhere({ fromMs, toMs, ward }: ExportWindow): string {
  const firstDay = new Date(fromMs).toISOString().slice(0, 10);
  const lastDay = new Date(toMs - 1).toISOString().slice(0, 10);
  return [
    `dt BETWEEN '${firstDay}' AND '${lastDay}'`,
    `measured_at >= ${sqlTimestamp(fromMs)}`,
    `measured_at < ${sqlTimestamp(toMs)}`,
    ...(ward === undefined ? [] : [`ward = ${sqlString(ward)}`]),
  ].join(' AND ');
}

/** How many readings the window holds, and the first and last measurement time (epoch ms; DuckDB SQL). */
export function extentSql(window: ExportWindow): string {
  return `SELECT count(*) AS readings, epoch_ms(min(measured_at)) AS first_ms, epoch_ms(max(measured_at)) AS last_ms FROM ${VITALS_VIEW} WHERE ${windowWhere(window)}`;
}

/** The columns of VitalsRow, in its order. */
export const VITALS_ROW_COLUMNS = [
  'device_id', 'seq', 'patient_key', 'measured_at', 'ingested_at', ...MEASUREMENT_FIELDS,
  'on_oxygen', 'spo2_scale', 'quality_flags', 'news2_total', 'news2_band', 'news2_complete', 'news2_missing',
] as const;

export function rowsSql(window: ExportWindow): string {
  const columns = VITALS_ROW_COLUMNS.map((name) =>
    name === 'measured_at' || name === 'ingested_at' ? `strftime(${name}, ${ISO_MS}) AS ${name}` : name);
  return `SELECT ${columns.join(', ')} FROM ${VITALS_VIEW} WHERE ${windowWhere(window)} ORDER BY device_id, seq`;
}

/** A result row (cells in VITALS_ROW_COLUMNS order) as a VitalsRow. */
export function toVitalsRow(cells: readonly (string | number | boolean | null)[]): VitalsRow {
  return Object.fromEntries(VITALS_ROW_COLUMNS.map((name, i) => [name, cells[i] ?? null])) as unknown as VitalsRow;
}
