/**
 * Catalog and query: the Glue database, the curated and hourly rollup tables (partition projection: no crawler, no
 * MSCK REPAIR), an Athena workgroup that enforces KMS-encrypted results and a bytes-scanned cutoff, and
 * one saved query per named query. Table input and queries are passed in from the single SQL sources.
 */
import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { NamedQuery } from '../sql/named-queries.ts';
import { CATALOG_DEFAULTS } from './defaults.ts';

export interface CatalogProps {
  readonly lakeBucket: s3.IBucket;
  readonly resultsBucket: s3.IBucket;
  readonly resultsKey: kms.IKey;
  readonly bytesScannedCutoffPerQuery: number;
  /** The curated table's Glue TableInput, built from the single curated schema. */
  readonly tableInput: glue.CfnTable.TableInputProperty;
  /** The hourly rollup table's Glue TableInput (written by the compactor), from the same schema module. */
  readonly rollupTableInput: glue.CfnTable.TableInputProperty;
  /** Statements to save in the workgroup (the same SQL the local DuckDB query command runs). */
  readonly namedQueries: readonly NamedQuery[];
  readonly databaseName?: string;
  readonly workGroupName?: string;
}

export class Catalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly table: glue.CfnTable;
  readonly rollupTable: glue.CfnTable;
  readonly workGroup: athena.CfnWorkGroup;
  readonly databaseName: string;
  readonly workGroupName: string;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    this.databaseName = props.databaseName ?? CATALOG_DEFAULTS.databaseName;
    this.workGroupName = props.workGroupName ?? CATALOG_DEFAULTS.workGroupName;
    const account = Stack.of(this).account;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: this.databaseName, description: 'Bedside vitals data lake (curated Parquet; PHI)' },
    });

    this.table = new glue.CfnTable(this, 'CuratedTable', {
      catalogId: account,
      databaseName: this.databaseName,
      tableInput: props.tableInput,
    });
    this.table.node.addDependency(this.database);
    this.rollupTable = new glue.CfnTable(this, 'RollupTable', {
      catalogId: account,
      databaseName: this.databaseName,
      tableInput: props.rollupTableInput,
    });
    this.rollupTable.node.addDependency(this.database);

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Queries over the vitals lake: KMS-encrypted results, bytes-scanned cutoff',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup even when it holds query history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'AUTO' },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.resultsKey.keyArn },
          expectedBucketOwner: account,
        },
      },
    });

    for (const query of props.namedQueries) {
      const saved = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: this.databaseName,
        workGroup: this.workGroupName,
        queryString: query.sql,
      });
      saved.node.addDependency(this.workGroup);
    }
  }
}
