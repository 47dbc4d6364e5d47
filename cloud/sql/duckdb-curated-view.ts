/**
 * The DuckDB stand-in for the Glue table: a view named like it (curated_vitals) over the curated Parquet
 * files, derived from the same schema (cloud/lake/curated-schema.ts). Every column is cast to its declared
 * type so that the view has exactly the Glue table's columns and types whatever the writer chose for a
 * physical type (a test compares the two); union_by_name tolerates files written before a column existed.
 */
import { join } from 'node:path';
import { CURATED_COLUMNS, CURATED_PARTITIONS, CURATED_TABLE, LAKE_PREFIXES, type ColumnType } from '../lake/curated-schema.ts';

/** DuckDB type of each curated column type (timestamps are UTC wall-clock, like Athena's timestamp). */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR', bigint: 'BIGINT', int: 'INTEGER', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP',
};

/** The glob of the curated Parquet files under a local lake directory. */
export function curatedParquetGlob(lakeDir: string): string {
  return join(lakeDir, LAKE_PREFIXES.curated, '**', '*.parquet');
}

const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * CREATE VIEW curated_vitals over the lake. Partition columns come from the hive paths as strings
 * (dt=2026-01-02, hour=07), as Athena's projection renders them. Needs TimeZone=UTC in the session
 * so that a TIMESTAMPTZ column cast to TIMESTAMP keeps its UTC wall-clock.
 */
export function curatedViewSql(lakeDir: string): string {
  const columns = [...CURATED_COLUMNS, ...CURATED_PARTITIONS]
    .map((column) => `  CAST(${quoteIdentifier(column.name)} AS ${DUCKDB_TYPES[column.type]}) AS ${quoteIdentifier(column.name)}`)
    .join(',\n');
  const hiveTypes = CURATED_PARTITIONS.map((column) => `${quoteLiteral(column.name)}: ${quoteLiteral(DUCKDB_TYPES[column.type])}`).join(', ');
  return `CREATE OR REPLACE VIEW ${CURATED_TABLE} AS\nSELECT\n${columns}\nFROM read_parquet(${quoteLiteral(curatedParquetGlob(lakeDir))}, hive_partitioning = true, union_by_name = true, hive_types = {${hiveTypes}})`;
}
