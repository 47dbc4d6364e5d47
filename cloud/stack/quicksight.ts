/**
 * Dashboards (opt-in: `-c quicksight=true -c quicksightPrincipalArn=arn:aws:quicksight:...:user/default/<name>`):
 * a QuickSight Athena data source in the lake workgroup, a direct-query dataset over the `vitals` view (one
 * row per reading: the view removes cross-batch duplicates that `curated_vitals` still holds) and a
 * dashboard (heart rate by ward over time, readings by NEWS2 band). QuickSight needs an account
 * subscription. The stack grants QuickSight's service role the lake key (Athena results and lake objects
 * are SSE-KMS with it); the buckets are granted in the QuickSight console (it rewrites the role's S3
 * policy itself); cloud/stack/README.md walks through it.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import { CURATED_COLUMNS, CURATED_PARTITIONS, type Column, type ColumnType, VITALS_VIEW } from '../lake/curated-schema.ts';
import { VITALS_VIEW_SQL } from '../sql/named-queries.ts';
import { stackNames } from './defaults.ts';

export interface QuickSightDashboardsProps {
  readonly principalArn: string;
  readonly workGroupName: string;
  readonly databaseName: string;
  /** The lake key: Athena reads curated objects and writes results with it on QuickSight's behalf. */
  readonly lakeKey: kms.IKey;
  /** QuickSight's service role (aws-quicksight-service-role-v0 unless the account chose another). */
  readonly serviceRoleName: string;
  /** Data source, dataset and dashboard id (unique per account and region). */
  readonly id?: string;
}

/** The `vitals` view's columns, in the view's order: its select list names curated columns and partitions. */
export function vitalsViewColumns(): Column[] {
  const select = /SELECT\s+([\s\S]*?)\s+FROM\s*\(/i.exec(VITALS_VIEW_SQL.replace(/--.*$/gm, ''));
  if (!select) throw new Error('cloud/sql/views/vitals.sql has no top-level SELECT ... FROM (');
  const byName = new Map([...CURATED_COLUMNS, ...CURATED_PARTITIONS].map((c) => [c.name, c]));
  return select[1]!.split(',').map((name) => {
    const column = byName.get(name.trim());
    if (!column) throw new Error(`vitals view column "${name.trim()}" is not in the curated schema`);
    return column;
  });
}

const QUICKSIGHT_TYPES: Record<ColumnType, string> = {
  string: 'STRING',
  int: 'INTEGER',
  bigint: 'INTEGER',
  double: 'DECIMAL',
  boolean: 'BOOLEAN',
  timestamp: 'DATETIME',
};

export class QuickSightDashboards extends Construct {
  readonly dataSource: quicksight.CfnDataSource;
  readonly dataSet: quicksight.CfnDataSet;
  readonly dashboard: quicksight.CfnDashboard;
  readonly dashboardUrl: string;
  /** The lake-key rights of QuickSight's service role (a managed policy: no inline policy on a role we do not own). */
  readonly serviceRolePolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: QuickSightDashboardsProps) {
    super(scope, id);
    const { account, region } = Stack.of(this);
    const ID = props.id ?? stackNames().quickSightId;
    const owner = (actions: string[]) => [{ principal: props.principalArn, actions }];

    const serviceRole = iam.Role.fromRoleName(this, 'ServiceRole', props.serviceRoleName);
    this.serviceRolePolicy = new iam.ManagedPolicy(this, 'LakeKeyForQuickSight', {
      description: 'QuickSight service role: decrypt curated objects and encrypt/decrypt Athena results with the lake key',
      roles: [serviceRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: [props.lakeKey.keyArn],
        }),
      ],
    });

    this.dataSource = new quicksight.CfnDataSource(this, 'AthenaSource', {
      awsAccountId: account,
      dataSourceId: ID,
      name: 'Healthcare datalake (Athena)',
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: props.workGroupName } },
      sslProperties: { disableSsl: false },
      permissions: owner([
        'quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource',
        'quicksight:UpdateDataSource', 'quicksight:DeleteDataSource', 'quicksight:UpdateDataSourcePermissions',
      ]),
    });

    this.dataSet = new quicksight.CfnDataSet(this, 'VitalsDataSet', {
      awsAccountId: account,
      dataSetId: ID,
      name: 'Vitals (deduplicated)',
      // Direct query: no SPICE copy of PHI outside the encrypted lake.
      importMode: 'DIRECT_QUERY',
      physicalTableMap: {
        vitals: {
          relationalTable: {
            dataSourceArn: this.dataSource.attrArn,
            catalog: 'AwsDataCatalog',
            schema: props.databaseName,
            name: VITALS_VIEW,
            inputColumns: vitalsViewColumns().map((c) => ({ name: c.name, type: QUICKSIGHT_TYPES[c.type] })),
          },
        },
      },
      permissions: owner([
        'quicksight:DescribeDataSet', 'quicksight:DescribeDataSetPermissions', 'quicksight:PassDataSet',
        'quicksight:DescribeIngestion', 'quicksight:ListIngestions', 'quicksight:UpdateDataSet',
        'quicksight:DeleteDataSet', 'quicksight:CreateIngestion', 'quicksight:CancelIngestion',
        'quicksight:UpdateDataSetPermissions',
      ]),
    });

    const column = (columnName: string) => ({ dataSetIdentifier: 'vitals', columnName });
    this.dashboard = new quicksight.CfnDashboard(this, 'Dashboard', {
      awsAccountId: account,
      dashboardId: ID,
      name: 'Bedside vitals',
      permissions: owner([
        'quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard',
        'quicksight:UpdateDashboard', 'quicksight:DeleteDashboard', 'quicksight:UpdateDashboardPermissions',
        'quicksight:DescribeDashboardPermissions', 'quicksight:UpdateDashboardPublishedVersion',
      ]),
      definition: {
        dataSetIdentifierDeclarations: [{ identifier: 'vitals', dataSetArn: this.dataSet.attrArn }],
        sheets: [
          {
            sheetId: 'ward',
            name: 'Ward',
            visuals: [
              {
                lineChartVisual: {
                  visualId: 'heart-rate-by-ward',
                  title: { visibility: 'VISIBLE', formatText: { plainText: 'Mean heart rate by ward (bpm)' } },
                  chartConfiguration: {
                    fieldWells: {
                      lineChartAggregatedFieldWells: {
                        category: [{ dateDimensionField: { fieldId: 'measured_at', column: column('measured_at'), dateGranularity: 'MINUTE' } }],
                        values: [{ numericalMeasureField: { fieldId: 'heart_rate', column: column('heart_rate'), aggregationFunction: { simpleNumericalAggregation: 'AVERAGE' } } }],
                        colors: [{ categoricalDimensionField: { fieldId: 'ward', column: column('ward') } }],
                      },
                    },
                  },
                },
              },
              {
                barChartVisual: {
                  visualId: 'readings-by-news2-band',
                  title: { visibility: 'VISIBLE', formatText: { plainText: 'Readings by NEWS2 band' } },
                  chartConfiguration: {
                    fieldWells: {
                      barChartAggregatedFieldWells: {
                        category: [{ categoricalDimensionField: { fieldId: 'news2_band', column: column('news2_band') } }],
                        values: [{ categoricalMeasureField: { fieldId: 'readings', column: column('device_id'), aggregationFunction: 'COUNT' } }],
                      },
                    },
                  },
                },
              },
            ],
          },
        ],
      },
    });
    this.dashboardUrl = `https://${region}.quicksight.aws.amazon.com/sn/dashboards/${ID}`;
  }
}
