/** Errors of the local query engine, each saying what to do next. */
export class QueryError extends Error {
  override name = 'QueryError';
}

/** No curated Parquet under the lake directory yet. */
export class LakeEmptyError extends QueryError {
  override name = 'LakeEmptyError';
  constructor(readonly lakeDir: string, readonly curatedDir: string) {
    super(`the lake at ${lakeDir} has no curated data (no .parquet under ${curatedDir}). Run the pipeline first (npm start), or point --lake at another lake directory.`);
  }
}

export class UnknownNamedQueryError extends QueryError {
  override name = 'UnknownNamedQueryError';
  constructor(readonly queryName: string, readonly available: readonly string[]) {
    super(`there is no named query "${queryName}". Named queries: ${available.join(', ')} (npm run query -- --list)`);
  }
}

/** DuckDB rejected the SQL (syntax, unknown column, ...); the engine's message is kept as cause. */
export class SqlError extends QueryError {
  override name = 'SqlError';
}
