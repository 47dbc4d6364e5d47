/**
 * DuckDB macros that give DuckDB the Athena (Trino) spelling of the few functions the named queries use
 * and DuckDB names differently, so the SQL runs unchanged on both engines. Each shim is noted in
 * cloud/sql/README.md. Functions with the same name and meaning on both (count_if, date_diff, lag,
 * row_number, array_agg ... ORDER BY, round, current_date) need none.
 */
export interface Shim {
  /** Athena / Trino function. */
  athena: string;
  /** What it becomes in DuckDB. */
  duckdb: string;
  note: string;
  sql: string;
}

export const DUCKDB_SHIMS: readonly Shim[] = [
  {
    athena: 'approx_percentile(x, p)',
    duckdb: 'quantile_disc(x, p)',
    note: 'Exact locally (an actual value of x, nearest rank); Athena approximates (error bound ~1 % of rank). Equal on small data, close on large.',
    sql: 'CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_disc(x, p)',
  },
  {
    athena: 'array_join(array, delimiter)',
    duckdb: 'array_to_string(list, delimiter)',
    note: 'Same result for arrays of strings.',
    sql: 'CREATE OR REPLACE MACRO array_join(a, delimiter) AS array_to_string(a, delimiter)',
  },
  {
    athena: 'slice(array, start, length)',
    duckdb: 'list_slice(list, start, start + length - 1)',
    note: 'Trino takes a length, DuckDB an inclusive end; both 1-based.',
    sql: 'CREATE OR REPLACE MACRO slice(a, start, length) AS list_slice(a, start, start + length - 1)',
  },
];
