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
import type { RollupFields } from '../../../device/contract/measurements.ts';
import { ROLLUP_AGGREGATES, ROLLUP_HOURLY_COLUMNS, ROLLUP_HOURLY_PREFIX } from '../../lake/curated-schema.ts';
import type { CuratedRow } from '../curated-row.ts';
import { PARQUET_COMPRESSORS, schemaElement } from '../writers/parquet.ts';
import { PARQUET_DECOMPRESSORS } from './decompressors.ts';
import { CompactionError } from './errors.ts';

export const ROLLUP_FILE_NAME = 'rollup.parquet';

/** One patient-hour: each measurement's aggregates (measurements.ts) as `<field>_<aggregate>`. */
export type RollupRow = RollupFields & {
  patient_key: string;
  hour: string;
  readings: number;
  news2_max: number;
};

export function rollupKey(dt: string): string {
  return `${ROLLUP_HOURLY_PREFIX}dt=${dt}/${ROLLUP_FILE_NAME}`;
}

function emptyRollup(patient_key: string, hour: string, news2: number): RollupRow {
  const row: Record<string, unknown> = { patient_key, hour, readings: 0 };
  for (const { column } of ROLLUP_AGGREGATES) row[column.name] = column.nullable ? null : 0;
  row.news2_max = news2;
  return row as RollupRow;
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
    const fields = rollup as unknown as Record<string, number | null>;
    for (const { vital, aggregate, column: { name } } of ROLLUP_AGGREGATES) {
      const value = row[vital];
      if (value === null) continue;
      const current = fields[name]!;
      if (aggregate === 'count') fields[name] = current + 1;
      else if (current === null) fields[name] = value;
      else if (aggregate === 'sum') fields[name] = current + value;
      else if (aggregate === 'min') fields[name] = Math.min(current, value);
      else fields[name] = Math.max(current, value);
    }
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
        // A day file written before a measurement joined the registry: none of it measured in that hour.
        row[column.name] = typeof value === 'bigint' ? Number(value) : (value ?? (column.nullable ? null : 0));
      }
      return row as unknown as RollupRow;
    });
  } catch (error) {
    throw new CompactionError(`cannot read the rollup "${key}" as Parquet: remove it and the next pass rebuilds the day`, { cause: error });
  }
}
