/**
 * The DuckDB stand-in for the Glue table: a view named like it (curated_vitals) over the curated Parquet
 * files, derived from the same schema (cloud/lake/curated-schema.ts). Every column is cast to its declared
 * type so that the view has exactly the Glue table's columns and types whatever the writer chose for a
 * physical type (a test compares the two); union_by_name tolerates files written before a column existed.
 */
import { join } from 'node:path';
import {
  CURATED_COLUMNS, CURATED_PARTITIONS, CURATED_TABLE, LAKE_PREFIXES, ROLLUP_HOURLY_COLUMNS, ROLLUP_HOURLY_PARTITIONS,
  ROLLUP_HOURLY_PREFIX, ROLLUP_HOURLY_TABLE, type Column, type ColumnType,
} from '../lake/curated-schema.ts';

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

/** The glob of the hourly rollup's day files under a local lake directory. */
export function rollupParquetGlob(lakeDir: string): string {
  return join(lakeDir, ROLLUP_HOURLY_PREFIX, '**', '*.parquet');
}

interface LakeTable { name: string; columns: readonly Column[]; partitions: readonly Column[]; glob: (lakeDir: string) => string }

const CURATED: LakeTable = { name: CURATED_TABLE, columns: CURATED_COLUMNS, partitions: CURATED_PARTITIONS, glob: curatedParquetGlob };
const ROLLUP: LakeTable = { name: ROLLUP_HOURLY_TABLE, columns: ROLLUP_HOURLY_COLUMNS, partitions: ROLLUP_HOURLY_PARTITIONS, glob: rollupParquetGlob };

/**
 * CREATE VIEW <table> over the lake's Parquet files, every column cast to its declared type. Partition
 * columns come from the hive paths as strings (dt=2026-01-02, hour=07), as Athena's projection renders
 * them. Needs TimeZone=UTC in the session so that a TIMESTAMPTZ column cast to TIMESTAMP keeps its UTC
 * wall-clock.
 */
function tableViewSql(table: LakeTable, lakeDir: string): string {
  const columns = [...table.columns, ...table.partitions]
    .map((column) => `  CAST(${quoteIdentifier(column.name)} AS ${DUCKDB_TYPES[column.type]}) AS ${quoteIdentifier(column.name)}`)
    .join(',\n');
  const hiveTypes = table.partitions.map((column) => `${quoteLiteral(column.name)}: ${quoteLiteral(DUCKDB_TYPES[column.type])}`).join(', ');
  return `CREATE OR REPLACE VIEW ${table.name} AS\nSELECT\n${columns}\nFROM read_parquet(${quoteLiteral(table.glob(lakeDir))}, hive_partitioning = true, union_by_name = true, hive_types = {${hiveTypes}})`;
}

/** CREATE VIEW curated_vitals over the lake (the stand-in for the Glue table). */
export function curatedViewSql(lakeDir: string): string {
  return tableViewSql(CURATED, lakeDir);
}

/** CREATE VIEW vitals_hourly_rollup over the rollup's day files (the stand-in for its Glue table). */
export function rollupViewSql(lakeDir: string): string {
  return tableViewSql(ROLLUP, lakeDir);
}

/**
 * The same view with no rows, for a lake the compaction pass has not rolled up yet: DuckDB refuses a
 * read_parquet glob that matches no file, where Athena reads an empty table.
 */
export function emptyRollupViewSql(): string {
  const columns = [...ROLLUP.columns, ...ROLLUP.partitions]
    .map((column) => `  CAST(NULL AS ${DUCKDB_TYPES[column.type]}) AS ${quoteIdentifier(column.name)}`)
    .join(',\n');
  return `CREATE OR REPLACE VIEW ${ROLLUP.name} AS\nSELECT\n${columns}\nWHERE false`;
}
