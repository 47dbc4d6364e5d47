/**
 * Curated Parquet through hyparquet-writer's general API: for what the direct writer does not do (several
 * row groups or pages, BYTE_STREAM_SPLIT), and the reference the direct writer is tested against byte for
 * byte. hyparquet-writer: pure JS, about 200 KB with its reader dependency, no WASM or native code to
 * bundle; chosen over parquet-wasm after measuring both (cloud/etl/README.md).
 */
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { Column } from '../../lake/curated-schema.ts';
import { valueAt, type CuratedColumns } from '../curated-columns.ts';
import { CURATED_PARQUET_SCHEMA, type ColumnPlan, type ParquetCodec } from './parquet-plan.ts';

/** Largest magnitude the writer's INT64 delta encoder takes as plain numbers (no BigInt per value). */
const INT32_MAX = 2 ** 31 - 1;

export interface GeneralWriteOptions {
  readonly codec: ParquetCodec;
  readonly compressors: Record<string, (bytes: Uint8Array) => Uint8Array>;
  readonly rowGroupSize: number;
  readonly createdBy: string;
}

export function writeCuratedFileGeneral(columns: CuratedColumns, positions: ArrayLike<number> | null, plans: readonly ColumnPlan[], options: GeneralWriteOptions): Uint8Array {
  const columnData: ColumnSource[] = plans.map(({ column, encoding, statistics }) => ({
    name: column.name,
    data: columnValues(columns, column, positions, encoding),
    nullable: column.nullable,
    statistics,
    // One page per column chunk: an offset index would locate that one page, which readers find anyway.
    offsetIndex: false,
    encoding,
  }));
  const buffer = parquetWriteBuffer({
    columnData,
    schema: [...CURATED_PARQUET_SCHEMA],
    codec: options.codec,
    compressors: options.compressors,
    rowGroupSize: options.rowGroupSize,
    createdBy: options.createdBy,
  });
  return new Uint8Array(buffer);
}

/**
 * The values of one column for hyparquet-writer, rows `positions` (all rows when null), in the form it
 * encodes fastest: dictionary strings as the batch's own string objects, unique strings as UTF-8 bytes cut
 * from one buffer, INT64 values that fit in 32 bits as numbers for the delta encoder (it gives the same
 * bytes as for BigInt values), timestamps as epoch ms.
 */
function columnValues(columns: CuratedColumns, column: Column, positions: ArrayLike<number> | null, encoding: string): ColumnSource['data'] {
  const data = columns.column(column.name);
  const count = positions === null ? columns.length : positions.length;
  if (data.kind === 'string') return utf8Values(data.values, positions, count);
  // Only the delta encoder has the number path; PLAIN and dictionary INT64 pages take bigints.
  const deltaInt64 = column.type === 'bigint' && encoding === 'DELTA_BINARY_PACKED';
  if (data.kind === 'number' && data.nulls === null && (column.type !== 'bigint' || deltaInt64)) {
    const picked = new Float64Array(count);
    for (let i = 0; i < count; i += 1) picked[i] = data.values[positions === null ? i : positions[i]!]!;
    if ((column.type === 'int' || deltaInt64) && picked.every((value) => (value | 0) === value)) return Int32Array.from(picked);
    if (column.type === 'timestamp' || column.type === 'double') return picked;
  }
  const values: unknown[] = new Array(count);
  let int32 = deltaInt64;
  for (let i = 0; i < count; i += 1) {
    const value = valueAt(data, positions === null ? i : positions[i]!);
    if (int32 && value !== null && ((value as number) > INT32_MAX || (value as number) < -INT32_MAX)) int32 = false;
    values[i] = value;
  }
  if (column.type === 'bigint' && !int32) {
    for (let i = 0; i < count; i += 1) if (values[i] !== null) values[i] = BigInt(values[i] as number);
  }
  return values as ColumnSource['data'];
}

function utf8Values(strings: readonly (string | null)[], positions: ArrayLike<number> | null, count: number): ColumnSource['data'] {
  let bytes = 0;
  for (let i = 0; i < count; i += 1) bytes += Buffer.byteLength(strings[positions === null ? i : positions[i]!] ?? '', 'utf8');
  const buffer = Buffer.allocUnsafe(bytes);
  const values: (Uint8Array | null)[] = new Array(count);
  let offset = 0;
  for (let i = 0; i < count; i += 1) {
    const text = strings[positions === null ? i : positions[i]!] ?? null;
    if (text === null) {
      values[i] = null;
      continue;
    }
    const length = buffer.write(text, offset, 'utf8');
    values[i] = buffer.subarray(offset, offset + length);
    offset += length;
  }
  return values as ColumnSource['data'];
}
