/**
 * Dashboards (opt-in: `-c quicksight=true -c quicksightPrincipalArn=arn:aws:quicksight:...:user/default/<name>`):
 * a QuickSight Athena data source in the lake workgroup, a direct-query dataset over the curated table and
 * a dashboard (heart rate by ward over time, readings by NEWS2 band). QuickSight needs an account
 * subscription, and its service role must be allowed the lake and results buckets and the lake key
 * (QuickSight console > Security & permissions); cloud/stack/README.md walks through it.
 */
import { Stack } from 'aws-cdk-lib';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import { CURATED_COLUMNS, CURATED_TABLE, type ColumnType } from '../lake/curated-schema.ts';

export interface QuickSightDashboardsProps {
  readonly principalArn: string;
  readonly workGroupName: string;
  readonly databaseName: string;
}

const QUICKSIGHT_TYPES: Record<ColumnType, string> = {
  string: 'STRING',
  int: 'INTEGER',
  bigint: 'INTEGER',
  double: 'DECIMAL',
  boolean: 'BOOLEAN',
  timestamp: 'DATETIME',
};

const ID = 'healthcare-datalake-vitals';

export class QuickSightDashboards extends Construct {
  readonly dataSource: quicksight.CfnDataSource;
  readonly dataSet: quicksight.CfnDataSet;
  readonly dashboard: quicksight.CfnDashboard;
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: QuickSightDashboardsProps) {
    super(scope, id);
    const { account, region } = Stack.of(this);
    const owner = (actions: string[]) => [{ principal: props.principalArn, actions }];

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
      name: 'Curated vitals',
      // Direct query: no SPICE copy of PHI outside the encrypted lake.
      importMode: 'DIRECT_QUERY',
      physicalTableMap: {
        vitals: {
          relationalTable: {
            dataSourceArn: this.dataSource.attrArn,
            catalog: 'AwsDataCatalog',
            schema: props.databaseName,
            name: CURATED_TABLE,
            inputColumns: CURATED_COLUMNS.map((c) => ({ name: c.name, type: QUICKSIGHT_TYPES[c.type] })),
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
