/**
 * Curated rows -> one Parquet file (DESIGN §5) through hyparquet-writer's public API: typed columns derived
 * from cloud/lake/curated-schema.ts, timestamps as INT64 TIMESTAMP(MILLIS, isAdjustedToUTC), Snappy, one row
 * group unless asked (a Lambda batch is at most 10,000 records). hyparquet-writer: pure JS, about 200 KB
 * with its reader dependency, no WASM or native code to bundle (cloud/etl/README.md).
 */
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { gzipSync } from 'node:zlib';
import type { CuratedRow } from '../curated-row.ts';
import { CURATED_PARQUET_SCHEMA, curatedColumnPlans, type CuratedParquetOptions } from './parquet-plan.ts';

export { CURATED_PARQUET_SCHEMA, schemaElement, type CuratedParquetOptions, type ParquetCodec, type ParquetEncoding } from './parquet-plan.ts';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/** hyparquet-writer brings Snappy; GZIP goes through node:zlib. */
export const PARQUET_COMPRESSORS = { GZIP: (input: Uint8Array): Uint8Array => gzipSync(input) };

export function encodeCuratedParquet(rows: readonly CuratedRow[], options: CuratedParquetOptions = {}): Uint8Array {
  const columnData: ColumnSource[] = curatedColumnPlans(options).map(({ column, encoding, statistics }) => {
    const values = rows.map((row) => row[column.name as keyof CuratedRow] as ColumnSource['data'][number]);
    return {
      name: column.name,
      // INT64 columns take bigints (timestamps are converted by the writer from epoch ms).
      data: (column.type === 'bigint' ? values.map((value) => (value === null ? null : BigInt(value as number))) : values) as ColumnSource['data'],
      nullable: column.nullable,
      statistics,
      // One page per column chunk: an offset index would locate that one page, which readers find anyway.
      offsetIndex: false,
      encoding,
    };
  });
  const buffer = parquetWriteBuffer({
    columnData,
    schema: [...CURATED_PARQUET_SCHEMA],
    codec: options.codec ?? 'SNAPPY',
    compressors: PARQUET_COMPRESSORS,
    rowGroupSize: Math.max(1, options.rowGroupSize ?? rows.length),
    createdBy: 'healthcare-realtime-datalake etl',
  });
  return new Uint8Array(buffer);
}
