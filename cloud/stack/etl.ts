/**
 * The ETL: the Lambda handler from cloud/etl (bundled with esbuild, arm64, Node.js 24) reading the stream
 * through an event source mapping with bounded batches, bisect on error, finite retries and record age,
 * partial batch responses and an encrypted on-failure queue. Writes only to its own lake prefixes.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAKE_PREFIXES } from '../lake/curated-schema.ts';
import { ETL_DEFAULTS } from './defaults.ts';
import { bundledHandlerCode, ETL_BUNDLE_HANDLER, ETL_ENTRY } from './etl-bundle.ts';

export interface EtlProps {
  readonly stream: kinesis.IStream;
  readonly lakeBucket: s3.IBucket;
  readonly lakeKey: kms.IKey;
  readonly hmacSecret: secretsmanager.ISecret;
  readonly opsKey: kms.IKey;
  /** Undefined: no reserved concurrency (see ETL_DEFAULTS.reservedConcurrency). */
  readonly reservedConcurrency: number | undefined;
  readonly maxBatchingWindowSeconds?: number;
  readonly logRetentionDays?: number;
  /** The handler's source file; defaults to cloud/etl/lambda.ts. */
  readonly entry?: string;
}

export class Etl extends Construct {
  readonly function: lambda.Function;
  readonly onFailureQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly eventSource: sources.KinesisEventSource;

  constructor(scope: Construct, id: string, props: EtlProps) {
    super(scope, id);
    const d = ETL_DEFAULTS;
    const entry = props.entry ?? ETL_ENTRY;

    this.onFailureQueue = new sqs.Queue(this, 'OnFailure', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.opsKey,
      enforceSSL: true,
      // Failed-batch descriptors (shard, sequence range) to replay from the stream or investigate.
      retentionPeriod: Duration.days(14),
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.opsKey,
      retention: (props.logRetentionDays ?? d.logRetentionDays) as logs.RetentionDays,
    });

    // Own role instead of AWSLambdaBasicExecutionRole: logs only to its own log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Vitals ETL: read the stream, write raw/curated/quarantine, read the HMAC secret, log',
    });
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Handler', {
      role: this.role,
      description: 'Vitals ETL: Kinesis batch -> raw JSON, curated Parquet, quarantine (cloud/etl)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: ETL_BUNDLE_HANDLER,
      code: bundledHandlerCode(entry),
      memorySize: d.memoryMb,
      timeout: Duration.seconds(d.timeoutSeconds),
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      logGroup: this.logGroup,
      // Only the event source mapping invokes it (synchronously); a stray asynchronous invoke still lands somewhere.
      deadLetterQueue: this.onFailureQueue,
      environment: {
        LAKE_BUCKET: props.lakeBucket.bucketName,
        LAKE_KMS_KEY_ID: props.lakeKey.keyArn,
        HMAC_SECRET_ARN: props.hmacSecret.secretArn,
        NODE_OPTIONS: '--enable-source-maps',
      },
      environmentEncryption: props.opsKey,
    });
    // Lambda decrypts the environment with the execution role; the queue (dead letters, on-failure
    // destination) is on the same key.
    props.opsKey.grantDecrypt(this.role);
    this.onFailureQueue.grantSendMessages(this.role);

    for (const prefix of [LAKE_PREFIXES.raw, LAKE_PREFIXES.curated, LAKE_PREFIXES.quarantine]) {
      props.lakeBucket.grantPut(this.function, `${prefix}*`);
    }
    props.hmacSecret.grantRead(this.function);

    this.eventSource = new sources.KinesisEventSource(props.stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: d.batchSize,
      maxBatchingWindow: Duration.seconds(props.maxBatchingWindowSeconds ?? d.maxBatchingWindowSeconds),
      bisectBatchOnError: true,
      retryAttempts: d.retryAttempts,
      maxRecordAge: Duration.hours(d.maxRecordAgeHours),
      parallelizationFactor: d.parallelizationFactor,
      reportBatchItemFailures: true,
      onFailure: new sources.SqsDlq(this.onFailureQueue),
    });
    this.function.addEventSource(this.eventSource);
  }
}
