/**
 * The local lake as Athena sees it: DuckDB over ./data/lake's curated Parquet with the Glue table's name
 * and types (curated_vitals), the same `vitals` view text as Athena, and macros giving DuckDB the Athena
 * spelling of a few functions (cloud/sql/duckdb-shims.ts). The named queries then run unchanged.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LAKE_PREFIXES, ROLLUP_HOURLY_PREFIX } from '../lake/curated-schema.ts';
import { curatedViewSql, emptyRollupViewSql, rollupViewSql } from '../sql/duckdb-curated-view.ts';
import { DUCKDB_SHIMS } from '../sql/duckdb-shims.ts';
import { VITALS_VIEW_SQL } from '../sql/named-queries.ts';
import { LakeEmptyError, SqlError } from './errors.ts';

export interface QueryResult {
  columns: string[];
  /** DuckDB type names, e.g. VARCHAR, BIGINT, TIMESTAMP. */
  types: string[];
  /** JSON-friendly cells: numbers (BIGINT too, when exact), strings (timestamps as "YYYY-MM-DD HH:MM:SS.sss"), booleans, null. */
  rows: (string | number | boolean | null)[][];
}

export interface Lake {
  readonly lakeDir: string;
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

const INTEGER_TYPES = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'UHUGEINT']);

async function hasParquet(dir: string): Promise<boolean> {
  try {
    const entries = await readdir(dir, { recursive: true });
    return entries.some((entry) => entry.endsWith('.parquet'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function toCell(value: unknown, type: string): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && (INTEGER_TYPES.has(type) || type.startsWith('DECIMAL'))) {
    const number = Number(value);
    return Number.isSafeInteger(number) || (type.startsWith('DECIMAL') && Number.isFinite(number)) ? number : value;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/**
 * Points vitals_hourly_rollup at the rollup files once there are any (the compaction pass writes the first
 * one after the lake was opened, in a long-running `npm start`); until then the view is empty.
 */
function rollupViewKeeper(connection: DuckDBConnection, root: string): () => Promise<void> {
  let overFiles = false;
  return async () => {
    if (overFiles) return;
    overFiles = await hasParquet(join(root, ROLLUP_HOURLY_PREFIX));
    await connection.run(overFiles ? rollupViewSql(root) : emptyRollupViewSql());
  };
}

async function run(connection: DuckDBConnection, sql: string): Promise<QueryResult> {
  let reader;
  try {
    reader = await connection.runAndReadAll(sql);
  } catch (error) {
    throw new SqlError(`DuckDB rejected the query: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const columns = reader.columnNames();
  const types = reader.columnTypes().map((type) => type.toString());
  const rows = reader.getRowsJson().map((row) => row.map((cell, i) => toCell(cell, types[i]!)));
  return { columns, types, rows };
}

/** Opens the lake in an in-memory DuckDB; throws LakeEmptyError when there is no curated data yet. */
export async function openLake(lakeDir: string): Promise<Lake> {
  const root = resolve(lakeDir);
  const curatedDir = join(root, LAKE_PREFIXES.curated);
  if (!(await hasParquet(curatedDir))) throw new LakeEmptyError(root, curatedDir);
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const refreshRollupView = rollupViewKeeper(connection, root);
  try {
    // Athena sessions are UTC; the TIMESTAMPTZ -> TIMESTAMP cast in the view and current_date depend on it.
    await connection.run("SET TimeZone = 'UTC'");
    for (const shim of DUCKDB_SHIMS) await connection.run(shim.sql);
    await connection.run(curatedViewSql(root));
    await connection.run(VITALS_VIEW_SQL);
    await refreshRollupView();
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw new SqlError(`cannot set up the lake views over ${curatedDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return {
    lakeDir: root,
    query: async (sql) => {
      await refreshRollupView();
      return run(connection, sql);
    },
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
