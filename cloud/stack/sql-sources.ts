/**
 * The SQL the stack deploys, from the single sources in cloud/sql (shared with the local DuckDB query
 * command): the curated and rollup tables' Glue inputs and the named queries, plus the `vitals` dedup view's DDL as
 * a saved query to run once after the first deploy (CloudFormation has no Athena view resource).
 */
import type * as glue from 'aws-cdk-lib/aws-glue';
import { curatedGlueTableInput, rollupGlueTableInput } from '../sql/glue-table.ts';
import { NAMED_QUERIES, type NamedQuery, VITALS_VIEW_SQL } from '../sql/named-queries.ts';

export const CREATE_VITALS_VIEW_QUERY_NAME = 'create-vitals-view';

export interface SqlSources {
  curatedTableInput: (bucketName: string, databaseName: string) => glue.CfnTable.TableInputProperty;
  /** The hourly rollup table the compaction pass writes and hourly-aggregates-per-patient reads. */
  rollupTableInput: (bucketName: string, databaseName: string) => glue.CfnTable.TableInputProperty;
  namedQueries: readonly NamedQuery[];
}

export function sqlSources(): SqlSources {
  return {
    curatedTableInput: curatedGlueTableInput,
    rollupTableInput: rollupGlueTableInput,
    namedQueries: [
      {
        name: CREATE_VITALS_VIEW_QUERY_NAME,
        description: 'Run once after the first deploy: creates the vitals view (cross-batch dedup) that every query reads',
        sql: VITALS_VIEW_SQL,
      },
      ...NAMED_QUERIES,
    ],
  };
}
