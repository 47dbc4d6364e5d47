/** Dashboard errors: one base class, named subclasses, the original kept as `cause`. */

export class DashboardError extends Error {
  override name = 'DashboardError';
}

/** The browser asked for a named query the runner does not have (HTTP 404). */
export class UnknownQueryError extends DashboardError {
  override name = 'UnknownQueryError';
  constructor(readonly queryName: string, known: readonly string[]) {
    super(`there is no named query "${queryName}"; known: ${known.join(', ') || '(none: no query runner is wired)'}`);
  }
}

/** The query runner (DuckDB) failed (HTTP 502): the lake may be empty or still being written. */
export class QueryFailedError extends DashboardError {
  override name = 'QueryFailedError';
  constructor(readonly queryName: string, cause: unknown) {
    super(`named query "${queryName}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The server could not listen (port in use, bad host). */
export class DashboardStartError extends DashboardError {
  override name = 'DashboardStartError';
}
