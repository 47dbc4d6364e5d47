/**
 * The lake: one KMS-encrypted bucket for raw, curated, quarantine and rule errors (the prefixes come from
 * the single curated schema module), a bucket for Athena results, and a server-access-logs bucket.
 * TLS only, public access blocked, versioned, lifecycle by prefix. The HMAC key of the patient pseudonym
 * lives in Secrets Manager under the lake key.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LAKE_PREFIXES } from '../lake/curated-schema.ts';
import { INGESTION_DEFAULTS, LAKE_DEFAULTS } from './defaults.ts';

export interface LakeProps {
  readonly lakeKey: kms.IKey;
  readonly retainData: boolean;
}

export class Lake extends Construct {
  readonly bucket: s3.Bucket;
  readonly athenaResultsBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly hmacSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: LakeProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const d = LAKE_DEFAULTS;
    const days = Duration.days;

    // Server access logs cannot be delivered to an SSE-KMS bucket: this one uses SSE-S3 (see acknowledgements).
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy,
      lifecycleRules: [
        { expiration: days(d.accessLogsExpirationDays), noncurrentVersionExpiration: days(d.noncurrentVersionExpirationDays) },
      ],
    });

    const secureBucket = (name: string, logPrefix: string, lifecycleRules: s3.LifecycleRule[]) =>
      new s3.Bucket(this, name, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: props.lakeKey,
        // S3 Bucket Keys cut KMS requests (and their cost) by orders of magnitude at 1 object per batch.
        bucketKeyEnabled: true,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: true,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: logPrefix,
        removalPolicy,
        lifecycleRules: [
          ...lifecycleRules,
          { abortIncompleteMultipartUploadAfter: days(d.abortIncompleteMultipartDays), noncurrentVersionExpiration: days(d.noncurrentVersionExpirationDays) },
        ],
      });

    this.bucket = secureBucket('LakeBucket', 'lake/', [
      // No transitions: raw batch objects are a few KiB, under S3's 128 KiB transition minimum (TRANSITION_PREFIXES).
      { id: 'raw', prefix: LAKE_PREFIXES.raw, expiration: days(d.rawExpirationDays) },
      {
        id: 'curated',
        prefix: LAKE_PREFIXES.curated,
        transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: days(d.curatedTieringDays) }],
        expiration: days(d.curatedExpirationDays),
      },
      { id: 'quarantine', prefix: LAKE_PREFIXES.quarantine, expiration: days(d.quarantineExpirationDays) },
      { id: 'rule-errors', prefix: INGESTION_DEFAULTS.ruleErrorsPrefix, expiration: days(d.ruleErrorsExpirationDays) },
    ]);

    this.athenaResultsBucket = secureBucket('AthenaResults', 'athena-results/', [
      { id: 'results', expiration: days(d.athenaResultsExpirationDays) },
    ]);

    this.hmacSecret = new secretsmanager.Secret(this, 'PatientKeyHmacSecret', {
      description: 'HMAC-SHA256 key of the patient pseudonym (patient_key) in curated data',
      encryptionKey: props.lakeKey,
      removalPolicy,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
  }
}
