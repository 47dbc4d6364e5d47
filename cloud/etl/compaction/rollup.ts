/**
 * The hourly rollup (schema: ROLLUP_HOURLY_COLUMNS in cloud/lake/curated-schema.ts), pure: per patient,
 * exact count, sum, min and max of the vitals over one compacted hour's rows (already one row per
 * (device_id, seq), first arrival kept, as the `vitals` view). The compactor merges an hour's rows into
 * its day's rollup file, replacing whatever that hour had before, so a late reading folded into the hour
 * by a later pass also updates its rollup.
 */
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { ROLLUP_HOURLY_COLUMNS, ROLLUP_HOURLY_PREFIX } from '../../lake/curated-schema.ts';
import type { CuratedRow } from '../curated-row.ts';
import { PARQUET_COMPRESSORS, schemaElement } from '../writers/parquet.ts';
import { PARQUET_DECOMPRESSORS } from './decompressors.ts';
import { CompactionError } from './errors.ts';

export const ROLLUP_FILE_NAME = 'rollup.parquet';

export interface RollupRow {
  patient_key: string;
  hour: string;
  readings: number;
  heart_rate_count: number; heart_rate_sum: number | null; heart_rate_min: number | null; heart_rate_max: number | null;
  spo2_count: number; spo2_sum: number | null; spo2_min: number | null;
  respiratory_rate_count: number; respiratory_rate_sum: number | null;
  systolic_bp_count: number; systolic_bp_sum: number | null;
  diastolic_bp_count: number; diastolic_bp_sum: number | null;
  temperature_c_count: number; temperature_c_sum: number | null; temperature_c_max: number | null;
  news2_max: number;
}

export function rollupKey(dt: string): string {
  return `${ROLLUP_HOURLY_PREFIX}dt=${dt}/${ROLLUP_FILE_NAME}`;
}

type Vital = 'heart_rate' | 'spo2' | 'respiratory_rate' | 'systolic_bp' | 'diastolic_bp' | 'temperature_c';

const add = (total: number | null, value: number): number => (total === null ? value : total + value);
const low = (current: number | null, value: number): number => (current === null || value < current ? value : current);
const high = (current: number | null, value: number): number => (current === null || value > current ? value : current);

function emptyRollup(patient_key: string, hour: string, news2: number): RollupRow {
  return {
    patient_key, hour, readings: 0,
    heart_rate_count: 0, heart_rate_sum: null, heart_rate_min: null, heart_rate_max: null,
    spo2_count: 0, spo2_sum: null, spo2_min: null,
    respiratory_rate_count: 0, respiratory_rate_sum: null,
    systolic_bp_count: 0, systolic_bp_sum: null,
    diastolic_bp_count: 0, diastolic_bp_sum: null,
    temperature_c_count: 0, temperature_c_sum: null, temperature_c_max: null,
    news2_max: news2,
  };
}

/** One row per patient of the hour's readings, sorted by patient_key. */
export function rollupHour(hour: string, rows: readonly CuratedRow[]): RollupRow[] {
  const byPatient = new Map<string, RollupRow>();
  for (const row of rows) {
    let rollup = byPatient.get(row.patient_key);
    if (rollup === undefined) {
      rollup = emptyRollup(row.patient_key, hour, row.news2_total);
      byPatient.set(row.patient_key, rollup);
    }
    rollup.readings += 1;
    rollup.news2_max = Math.max(rollup.news2_max, row.news2_total);
    const sumOf = (vital: Vital): void => {
      const value = row[vital];
      if (value === null) return;
      rollup[`${vital}_count`] += 1;
      rollup[`${vital}_sum`] = add(rollup[`${vital}_sum`], value);
    };
    for (const vital of ['heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c'] as const) sumOf(vital);
    if (row.heart_rate !== null) {
      rollup.heart_rate_min = low(rollup.heart_rate_min, row.heart_rate);
      rollup.heart_rate_max = high(rollup.heart_rate_max, row.heart_rate);
    }
    if (row.spo2 !== null) rollup.spo2_min = low(rollup.spo2_min, row.spo2);
    if (row.temperature_c !== null) rollup.temperature_c_max = high(rollup.temperature_c_max, row.temperature_c);
  }
  return [...byPatient.values()].sort((x, y) => (x.patient_key < y.patient_key ? -1 : x.patient_key > y.patient_key ? 1 : 0));
}

/** The day's rollup with `hour` replaced by `rows`, sorted by (hour, patient_key). */
export function replaceHour(day: readonly RollupRow[], hour: string, rows: readonly RollupRow[]): RollupRow[] {
  return [...day.filter((row) => row.hour !== hour), ...rows]
    .sort((x, y) => x.hour.localeCompare(y.hour) || (x.patient_key < y.patient_key ? -1 : x.patient_key > y.patient_key ? 1 : 0));
}

const ROLLUP_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: ROLLUP_HOURLY_COLUMNS.length },
  ...ROLLUP_HOURLY_COLUMNS.map(schemaElement),
];

/** GZIP, one row group, no statistics: queries read every row of the (small) day file. */
export function encodeRollup(rows: readonly RollupRow[]): Uint8Array {
  const columnData: ColumnSource[] = ROLLUP_HOURLY_COLUMNS.map((column) => {
    const values = rows.map((row) => row[column.name as keyof RollupRow]);
    return {
      name: column.name,
      data: (column.type === 'bigint' ? values.map((v) => (v === null ? null : BigInt(v))) : values) as ColumnSource['data'],
      nullable: column.nullable,
      statistics: false,
      offsetIndex: false,
    };
  });
  const buffer = parquetWriteBuffer({
    columnData, schema: ROLLUP_SCHEMA, codec: 'GZIP', compressors: PARQUET_COMPRESSORS,
    rowGroupSize: Math.max(1, rows.length), createdBy: 'healthcare-realtime-datalake compaction',
  });
  return new Uint8Array(buffer);
}

export async function decodeRollup(key: string, bytes: Uint8Array): Promise<RollupRow[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const records = await parquetReadObjects({ file, compressors: PARQUET_DECOMPRESSORS });
    return records.map((record) => {
      const row: Record<string, unknown> = {};
      for (const column of ROLLUP_HOURLY_COLUMNS) {
        const value = record[column.name];
        row[column.name] = typeof value === 'bigint' ? Number(value) : (value ?? null);
      }
      return row as unknown as RollupRow;
    });
  } catch (error) {
    throw new CompactionError(`cannot read the rollup "${key}" as Parquet: remove it and the next pass rebuilds the day`, { cause: error });
  }
}
