/** A curated row written as an older ETL wrote it: a Parquet file without the columns added since. */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { schemaElement } from '../../../../cloud/etl/writers/parquet.ts';
import { CURATED_COLUMNS } from '../../../../cloud/lake/curated-schema.ts';
import type { ObjectStore } from '../../../../cloud/lake/object-store.ts';

export async function putOlderCuratedFile(store: ObjectStore, key: string, row: Record<string, unknown>, without: readonly string[]): Promise<void> {
  const older = CURATED_COLUMNS.filter((column) => !without.includes(column.name));
  const file = parquetWriteBuffer({
    schema: [{ name: 'root', num_children: older.length }, ...older.map(schemaElement)],
    columnData: older.map((column) => ({ name: column.name, nullable: column.nullable, data: [column.type === 'bigint' ? BigInt(row[column.name] as number) : row[column.name]] as never })),
  });
  await store.put(key, new Uint8Array(file), 'application/vnd.apache.parquet');
}
