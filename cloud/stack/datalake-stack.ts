/**
 * The whole cloud pipeline as one stack, one construct per concern (DESIGN §1, §7). Environment-agnostic:
 * `cdk synth` needs no account or credentials; `cdk deploy` takes them from the AWS profile.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledgements.ts';
import type { NamedQuery } from '../sql/named-queries.ts';
import { Catalog } from './catalog.ts';
import type { StackConfig } from './config.ts';
import { Compaction } from './compaction.ts';
import { Etl } from './etl.ts';
import { FleetFargate } from './fleet-fargate.ts';
import { fleetImage } from './fleet-image-asset.ts';
import { IotAccount } from './iot-account.ts';
import { Ingestion } from './ingestion.ts';
import { DataKeys } from './keys.ts';
import { Lake } from './lake.ts';
import { Monitoring } from './monitoring.ts';
import { QuickSightDashboards } from './quicksight.ts';
import { applyDataRetention } from './retention.ts';

export interface DatalakeStackProps extends StackProps {
  readonly config: StackConfig;
  /** Builds the curated table's Glue TableInput for a bucket (from the single curated schema). */
  readonly curatedTableInput: (bucketName: string, databaseName: string) => glue.CfnTable.TableInputProperty;
  readonly rollupTableInput: (bucketName: string, databaseName: string) => glue.CfnTable.TableInputProperty;
  readonly namedQueries: readonly NamedQuery[];
  /** ETL handler source; defaults to cloud/etl/lambda.ts. */
  readonly etlEntry?: string;
}

export class DatalakeStack extends Stack {
  readonly keys: DataKeys;
  readonly lake: Lake;
  readonly ingestion: Ingestion;
  readonly etl: Etl;
  readonly compaction: Compaction;
  readonly catalog: Catalog;
  readonly monitoring: Monitoring;
  readonly iotAccount: IotAccount;
  readonly quickSight: QuickSightDashboards | undefined;
  readonly fleet: FleetFargate | undefined;

  constructor(scope: Construct, id: string, props: DatalakeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { names } = config;

    this.keys = new DataKeys(this, 'Keys', { retainData: config.retainData });
    this.lake = new Lake(this, 'Lake', { lakeKey: this.keys.lakeKey, retainData: config.retainData });
    this.ingestion = new Ingestion(this, 'Ingestion', {
      streamKey: this.keys.streamKey,
      streamCapacity: config.streamCapacity,
      errorBucket: this.lake.bucket,
      names,
    });
    this.iotAccount = new IotAccount(this, 'IotAccount', {
      logGroup: new logs.LogGroup(this, 'CustomResourceLogs', {
        encryptionKey: this.keys.opsKey,
        retention: config.logRetentionDays as logs.RetentionDays,
      }),
    });
    this.etl = new Etl(this, 'Etl', {
      stream: this.ingestion.stream,
      lakeBucket: this.lake.bucket,
      lakeKey: this.keys.lakeKey,
      hmacSecret: this.lake.hmacSecret,
      opsKey: this.keys.opsKey,
      reservedConcurrency: config.etlReservedConcurrency,
      maxBatchingWindowSeconds: config.maxBatchingWindowSeconds,
      logRetentionDays: config.logRetentionDays,
      ...(props.etlEntry ? { entry: props.etlEntry } : {}),
    });
    this.compaction = new Compaction(this, 'Compaction', {
      lakeBucket: this.lake.bucket,
      lakeKey: this.keys.lakeKey,
      opsKey: this.keys.opsKey,
      logRetentionDays: config.logRetentionDays,
    });
    this.catalog = new Catalog(this, 'Catalog', {
      lakeBucket: this.lake.bucket,
      resultsBucket: this.lake.athenaResultsBucket,
      resultsKey: this.keys.lakeKey,
      bytesScannedCutoffPerQuery: config.bytesScannedCutoffPerQuery,
      tableInput: props.curatedTableInput(this.lake.bucket.bucketName, names.databaseName),
      rollupTableInput: props.rollupTableInput(this.lake.bucket.bucketName, names.databaseName),
      namedQueries: props.namedQueries,
      databaseName: names.databaseName,
      workGroupName: names.workGroupName,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      etlFunction: this.etl.function,
      compactionFunction: this.compaction.function,
      onFailureQueue: this.etl.onFailureQueue,
      stream: this.ingestion.stream,
      topicRuleName: names.ruleName,
      opsKey: this.keys.opsKey,
      alarmEmail: config.alarmEmail,
      dashboardName: names.dashboardName,
      dashboard: config.dashboard,
    });
    this.quickSight = config.quickSight
      ? new QuickSightDashboards(this, 'QuickSight', {
          principalArn: config.quickSight.principalArn,
          workGroupName: this.catalog.workGroupName,
          databaseName: this.catalog.databaseName,
          lakeKey: this.keys.lakeKey,
          serviceRoleName: config.quickSight.serviceRoleName,
          id: names.quickSightId,
        })
      : undefined;
    this.quickSight?.node.addDependency(this.catalog);
    this.fleet = config.fleet
      ? new FleetFargate(this, 'Fleet', {
          layout: config.fleet.layout,
          image: fleetImage(this, config.fleet.image),
          logKey: this.keys.opsKey,
          logRetentionDays: config.logRetentionDays,
          accessLogsBucket: this.lake.accessLogsBucket,
        })
      : undefined;

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('IotDataEndpoint', this.iotAccount.dataEndpoint, 'MQTT endpoint (iot:Data-ATS, port 8883) the monitors connect to');
    output('StreamName', this.ingestion.stream.streamName, 'Kinesis stream of vitals envelopes');
    output('LakeBucketName', this.lake.bucket.bucketName, 'Lake bucket: raw/, curated/, quarantine/, rule-errors/');
    output('AthenaResultsBucketName', this.lake.athenaResultsBucket.bucketName, 'Athena query results (SSE-KMS)');
    output('AccessLogsBucketName', this.lake.accessLogsBucket.bucketName, 'S3 server access logs of the lake buckets');
    output('AthenaWorkGroup', this.catalog.workGroupName, 'Run queries in this workgroup');
    output('GlueDatabase', this.catalog.databaseName, 'Glue database of the curated table');
    output('EtlFunctionName', this.etl.function.functionName, 'Vitals ETL Lambda');
    output('CompactionFunctionName', this.compaction.function.functionName, 'Hourly curated compaction Lambda');
    output('OnFailureQueueUrl', this.etl.onFailureQueue.queueUrl, 'Batches the ETL gave up on');
    output('AlarmTopicArn', this.monitoring.alarmTopic.topicArn, 'Subscribe to alarms (aws sns subscribe ...)');
    if (this.monitoring.dashboardUrl) output('DashboardUrl', this.monitoring.dashboardUrl, 'CloudWatch dashboard');
    if (this.quickSight) output('QuickSightDashboardUrl', this.quickSight.dashboardUrl, 'QuickSight dashboard');
    if (this.fleet) {
      output('FleetCredentialsBucket', this.fleet.credentialsBucket.bucketName, 'Upload npm run fleet-credentials bundles to s3://<this>/fleet/');
      output('FleetCluster', this.fleet.cluster.clusterName, `ECS cluster of the fleet: ${this.fleet.services.length} shard services`);
      output('FleetLogGroup', this.fleet.logGroup.logGroupName, 'Fleet task logs (JSON progress and summary lines)');
    }

    output('Profile', config.profile, 'Deployment profile (cloud/stack/defaults.ts PROFILES)');
    output('RetainData', String(config.retainData), 'true: buckets, keys, secret, stream, logs and queues survive cdk destroy');

    // Every stateful resource (any construct, now or later) is retained or deleted as retainData says.
    applyDataRetention(this, config.retainData);
    acknowledgeFindings(this);
  }
}
