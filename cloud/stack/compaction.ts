/**
 * The curated compactor (cloud/etl/compaction/lambda.ts): an hourly EventBridge schedule invokes it
 * asynchronously; one pass folds each closed hour's small Parquet files into one. Passes never overlap: the
 * event ages and the timeout fit in the schedule interval (defaults.ts), no reserved concurrency needed.
 * It may read, write and delete only under the curated prefix (and write the rollup).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { fileURLToPath } from 'node:url';
import { Construct } from 'constructs';
import { COMPACTION_INDEX_PREFIX, LAKE_PREFIXES, ROLLUP_HOURLY_PREFIX } from '../lake/curated-schema.ts';
import { COMPACTION_DEFAULTS } from './defaults.ts';
import { bundledHandlerCode, ETL_BUNDLE_HANDLER } from './etl-bundle.ts';

export const COMPACTION_ENTRY = fileURLToPath(new URL('../etl/compaction/lambda.ts', import.meta.url));

export interface CompactionProps {
  readonly lakeBucket: s3.IBucket;
  readonly lakeKey: kms.IKey;
  readonly opsKey: kms.IKey;
  readonly logRetentionDays?: number;
  /** The handler's source file; defaults to cloud/etl/compaction/lambda.ts. */
  readonly entry?: string;
}

export class Compaction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly schedule: events.Rule;
  /** Scheduled events of passes that failed or never ran: a record with the scheduled time, nothing to replay. */
  readonly failedPasses: sqs.Queue;

  constructor(scope: Construct, id: string, props: CompactionProps) {
    super(scope, id);
    const d = COMPACTION_DEFAULTS;
    const curatedObjects = props.lakeBucket.arnForObjects(`${LAKE_PREFIXES.curated}*`);
    // The hourly rollup it keeps in step (read-modify-write of one file per day; never deleted).
    const rollupObjects = props.lakeBucket.arnForObjects(`${ROLLUP_HOURLY_PREFIX}*`);
    // Settling conflicts (cloud/etl/compaction/conflicts.ts): its index of compacted keys (read-modify-write),
    // the raw layer read for a losing copy's original bytes, and the quarantine layer written with them.
    const indexObjects = props.lakeBucket.arnForObjects(`${COMPACTION_INDEX_PREFIX}*`);
    const rawObjects = props.lakeBucket.arnForObjects(`${LAKE_PREFIXES.raw}*`);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.opsKey,
      retention: (props.logRetentionDays ?? d.logRetentionDays) as logs.RetentionDays,
    });
    this.failedPasses = new sqs.Queue(this, 'FailedPasses', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.opsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // Own role instead of AWSLambdaBasicExecutionRole: logs only to its own log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Curated compaction: list, read, write and delete curated Parquet; rollup, key index; read raw, write quarantine (conflicts); log',
    });
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Handler', {
      role: this.role,
      description: 'Curated compaction: one Parquet file per closed hour (cloud/etl/compaction)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: ETL_BUNDLE_HANDLER,
      code: bundledHandlerCode(props.entry ?? COMPACTION_ENTRY),
      memorySize: d.memoryMb,
      timeout: Duration.minutes(d.timeoutMinutes),
      logGroup: this.logGroup,
      retryAttempts: d.asyncRetryAttempts,
      maxEventAge: Duration.minutes(d.maxEventAgeMinutes),
      deadLetterQueue: this.failedPasses,
      environment: {
        LAKE_BUCKET: props.lakeBucket.bucketName,
        LAKE_KMS_KEY_ID: props.lakeKey.keyArn,
        COMPACTION_GRACE_MINUTES: String(d.graceMinutes),
        NODE_OPTIONS: '--enable-source-maps',
      },
      environmentEncryption: props.opsKey,
    });
    // Lambda decrypts the environment with the execution role: without this every invocation fails
    // ("unable to decrypt the environment variables"). The failed-passes queue is on the same key.
    props.opsKey.grantDecrypt(this.role);
    this.failedPasses.grantSendMessages(this.role);

    // Explicit read statements instead of grantRead (s3:GetObject*, s3:GetBucket*, s3:List* on the whole
    // bucket): listing is limited to the curated prefix and reading to its objects.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [props.lakeBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${LAKE_PREFIXES.curated}*`, `${ROLLUP_HOURLY_PREFIX}*`, `${LAKE_PREFIXES.raw}*`] } },
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [curatedObjects, rollupObjects, indexObjects, rawObjects] }));
    // s3:DeleteObject only, not grantDelete's s3:DeleteObject*: on the versioned bucket a delete leaves a
    // noncurrent version (30 days of recovery); s3:DeleteObjectVersion would let it erase that too.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [curatedObjects] }));
    props.lakeBucket.grantPut(this.function, `${LAKE_PREFIXES.curated}*`);
    props.lakeBucket.grantPut(this.function, `${ROLLUP_HOURLY_PREFIX}*`);
    props.lakeBucket.grantPut(this.function, `${COMPACTION_INDEX_PREFIX}*`);
    props.lakeBucket.grantPut(this.function, `${LAKE_PREFIXES.quarantine}*`);
    // Reads of SSE-KMS objects; grantPut already adds it today, stated here because reading depends on it.
    props.lakeKey.grantDecrypt(this.function);

    this.schedule = new events.Rule(this, 'Hourly', {
      description: 'Curated compaction pass, hourly after the grace of the hour that just closed',
      schedule: events.Schedule.cron({ minute: d.scheduleMinute }),
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: d.deliveryRetryAttempts,
          maxEventAge: Duration.minutes(d.deliveryMaxEventAgeMinutes),
        }),
      ],
    });
  }
}
