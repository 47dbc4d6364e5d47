/**
 * Curated Parquet back to CuratedRow objects (hyparquet: pure JS, the reader the writer is built on), so
 * that compaction re-encodes with the same writer the ETL uses. Timestamps come back as Dates and INT64
 * as bigints; both return to the epoch-ms numbers the writer takes.
 */
import { parquetReadObjects } from 'hyparquet';
import { CURATED_COLUMNS } from '../../lake/curated-schema.ts';
import type { CuratedRow } from '../curated-row.ts';
import { PARQUET_DECOMPRESSORS } from './decompressors.ts';
import { CompactionError } from './errors.ts';

function toNumber(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  return value;
}

export async function readCuratedParquet(key: string, bytes: Uint8Array): Promise<CuratedRow[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let records: Record<string, unknown>[];
  try {
    records = await parquetReadObjects({ file, compressors: PARQUET_DECOMPRESSORS });
  } catch (error) {
    throw new CompactionError(`cannot read "${key}" as Parquet: left in place; inspect or remove it`, { cause: error });
  }
  return records.map((record) => {
    const row: Record<string, unknown> = {};
    for (const column of CURATED_COLUMNS) {
      const value = record[column.name];
      // A file written before a nullable column existed reads as null there (union_by_name does the same).
      if (value === undefined || value === null) {
        if (!column.nullable) throw new CompactionError(`"${key}" has no value for required column ${column.name}: left in place`);
        row[column.name] = null;
      } else {
        row[column.name] = column.type === 'timestamp' || column.type === 'bigint' ? toNumber(value) : value;
      }
    }
    return row as unknown as CuratedRow;
  });
}
