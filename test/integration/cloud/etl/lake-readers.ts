/** Reads the lake back the way analysts will: DuckDB over the curated Parquet, and hyparquet as a second reader. */
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { join } from 'node:path';

export async function duckdbQuery(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A read_parquet over every curated object under a lake root, with the dt/hour partitions. */
export function curatedScan(root: string): string {
  return `read_parquet('${join(root, 'curated', 'vitals', '**', '*.parquet').replaceAll("'", "''")}', hive_partitioning = true)`;
}

export async function hyparquetRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file });
}

export function hyparquetSchema(bytes: Uint8Array): ReturnType<typeof parquetMetadata>['schema'] {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetMetadata(file).schema;
}
