/**
 * Curated rows -> one Parquet file (DESIGN §5): typed columns derived from cloud/lake/curated-schema.ts,
 * timestamps as INT64 TIMESTAMP(MILLIS, isAdjustedToUTC), Snappy, one row group (a Lambda batch is at
 * most 10,000 records). Written by the direct writer when it takes the plan (the ETL's always), else by
 * hyparquet-writer; the two write the same bytes for the same plan.
 */
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { gzipSync } from 'node:zlib';
import { CuratedColumns } from '../curated-columns.ts';
import type { CuratedRow } from '../curated-row.ts';
import { directWriterTakes, writeCuratedFile } from './parquet-direct.ts';
import { writeCuratedFileGeneral } from './parquet-general.ts';
import { CURATED_PARQUET_SCHEMA, curatedColumnPlans, type CuratedParquetOptions } from './parquet-plan.ts';

export { CURATED_PARQUET_SCHEMA, schemaElement, type CuratedParquetOptions, type ParquetCodec, type ParquetEncoding } from './parquet-plan.ts';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/** hyparquet-writer brings Snappy; GZIP goes through node:zlib. */
export const PARQUET_COMPRESSORS = { GZIP: (input: Uint8Array): Uint8Array => gzipSync(input) };
const COMPRESSORS: Record<string, (bytes: Uint8Array) => Uint8Array> = { SNAPPY: snappyCompress, ...PARQUET_COMPRESSORS };

const CREATED_BY = 'healthcare-realtime-datalake etl';

/** Rows from anywhere (the compactor reads them back from Parquet) -> one Parquet file. */
export function encodeCuratedParquet(rows: readonly CuratedRow[], options: CuratedParquetOptions = {}): Uint8Array {
  return encodeCuratedColumns(CuratedColumns.fromRows(rows), null, options);
}

/** Rows `positions` of a columnar batch (all of them when null) -> one Parquet file. */
export function encodeCuratedColumns(columns: CuratedColumns, positions: ArrayLike<number> | null, options: CuratedParquetOptions = {}): Uint8Array {
  const rowCount = positions === null ? columns.length : positions.length;
  const plans = curatedColumnPlans(options);
  const codec = options.codec ?? 'SNAPPY';
  const rowGroupSize = Math.max(1, options.rowGroupSize ?? rowCount);
  if (rowGroupSize >= rowCount && plans.every(directWriterTakes)) {
    const file = writeCuratedFile(columns, positions, plans, { codec, compress: COMPRESSORS[codec], createdBy: CREATED_BY, schema: CURATED_PARQUET_SCHEMA });
    if (file !== undefined) return file;
  }
  return encodeCuratedColumnsGeneral(columns, positions, options);
}

/** The same file through hyparquet-writer's general API, whatever the options (and the direct writer's reference). */
export function encodeCuratedColumnsGeneral(columns: CuratedColumns, positions: ArrayLike<number> | null, options: CuratedParquetOptions = {}): Uint8Array {
  const rowCount = positions === null ? columns.length : positions.length;
  return writeCuratedFileGeneral(columns, positions, curatedColumnPlans(options), {
    codec: options.codec ?? 'SNAPPY',
    compressors: PARQUET_COMPRESSORS,
    rowGroupSize: Math.max(1, options.rowGroupSize ?? rowCount),
    createdBy: CREATED_BY,
  });
}
