/**
 * Where the stack gets the curated table input and the named queries: cloud/sql when it provides them
 * (the single SQL source shared with the local DuckDB query command), else the schema-derived fallback.
 */
import type * as glue from 'aws-cdk-lib/aws-glue';
import type { NamedQuery } from './catalog.ts';
import { fallbackCuratedTableInput } from './glue-table-fallback.ts';

export interface SqlSources {
  curatedTableInput: (bucketName: string, databaseName: string) => glue.CfnTable.TableInputProperty;
  namedQueries: readonly NamedQuery[];
}

export async function sqlSources(): Promise<SqlSources> {
  return { curatedTableInput: (bucket) => fallbackCuratedTableInput(bucket), namedQueries: [] };
}
