/**
 * The query page's runner over the local lake: the project's named queries (cloud/sql, the same text
 * Athena runs) in DuckDB (cloud/query/lake.ts). The lake is opened per run, so each run sees the Parquet
 * files the ETL has written since; a lake with no curated data yet answers with a clear error.
 */
import { openLake } from '../../query/lake.ts';
import { NAMED_QUERIES, findNamedQuery } from '../../sql/named-queries.ts';
import { UnknownQueryError } from './errors.ts';
import type { QueryRunner } from './feed-types.ts';

export function createLakeQueryRunner(lakeDir: string): QueryRunner {
  return {
    list: () => NAMED_QUERIES.map(({ name, description }) => ({ name, description })),
    async run(name) {
      const query = findNamedQuery(name);
      if (query === undefined) throw new UnknownQueryError(name, NAMED_QUERIES.map((known) => known.name));
      const lake = await openLake(lakeDir);
      try {
        const result = await lake.query(query.sql);
        return { columns: result.columns, rows: result.rows };
      } finally {
        lake.close();
      }
    },
  };
}
