/**
 * Secure defaults of the cloud stack as plain values (AWS Solutions Constructs style): the constructs read
 * them, the tests assert the synthesized template against them, and a reviewer reads them in one place.
 */
import { METRICS_SERVICE } from '../etl/metrics.ts';
import { VITALS_RULE_NAME } from '../ingest/vitals-rule.ts';
import { LAKE_PREFIXES } from '../lake/curated-schema.ts';

export const STACK_NAME = 'HealthcareRealtimeDatalake';

/**
 * The names a copy of the stack gives its account-wide resources. Without a prefix they are the plain
 * defaults below; `-c prefix=p` gives a second copy in the same account and region its own stack, IoT
 * policy, thing type and group, rule (which then takes only things named `p-...`), database, workgroup
 * and dashboards. Provisioning (`--stack-prefix p`) derives the same names from here.
 */
export interface StackNames {
  readonly prefix: string | undefined;
  readonly stackName: string;
  readonly policyName: string;
  readonly thingTypeName: string;
  readonly thingGroupName: string;
  /** IoT rule names allow only letters, digits and underscores. */
  readonly ruleName: string;
  /** Only things whose names start with this are taken by the rule (undefined: every thing). */
  readonly thingNamePrefix: string | undefined;
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly dashboardName: string;
  readonly quickSightId: string;
}

/** Lowercase letters and digits, starting with a letter: valid in every name above (IoT, Glue, Athena, CloudFormation). */
export const STACK_PREFIX_PATTERN = /^[a-z][a-z0-9]{0,11}$/;

export function stackNames(prefix?: string): StackNames {
  const dash = (name: string) => (prefix ? `${prefix}-${name}` : name);
  const underscore = (name: string) => (prefix ? `${prefix}_${name}` : name);
  return Object.freeze({
    prefix,
    stackName: prefix ? `${prefix}-${STACK_NAME}` : STACK_NAME,
    policyName: dash('bedside-monitor-policy'),
    thingTypeName: dash('bedside-monitor'),
    thingGroupName: dash('bedside-monitors'),
    ruleName: underscore(VITALS_RULE_NAME),
    thingNamePrefix: prefix ? `${prefix}-` : undefined,
    databaseName: underscore('healthcare_datalake'),
    workGroupName: dash('healthcare-datalake'),
    dashboardName: dash('healthcare-datalake'),
    quickSightId: dash('healthcare-datalake-vitals'),
  });
}

const DEFAULT_NAMES = stackNames();

export const INGESTION_DEFAULTS = {
  thingTypeName: DEFAULT_NAMES.thingTypeName,
  thingGroupName: DEFAULT_NAMES.thingGroupName,
  policyName: DEFAULT_NAMES.policyName,
  /** Kinesis retention: 24 h is the cheapest and covers a day of ETL outage; raise via context. */
  streamRetentionHours: 24,
  /** Prefix of the rule's error action in the lake bucket (messages the Kinesis action could not deliver). */
  ruleErrorsPrefix: 'rule-errors/vitals/',
} as const;

export const ETL_DEFAULTS = {
  memoryMb: 1024,
  timeoutSeconds: 60,
  /**
   * Records per invocation and the window to fill it. The window bounds latency (≤ 5 s target); the cap
   * only matters above 250 msg/s per shard. Each batch writes at least a raw and a curated object (S3 PUTs
   * and per-file encode costs): fewer, larger files are cheaper to write and to query (cloud/etl/README.md). 2,000 records of ~1 KB stay far under Lambda's 6 MB
   * event limit.
   */
  batchSize: 2_000,
  maxBatchingWindowSeconds: 2,
  /** Finite retries then the on-failure destination: a poison batch never blocks a shard forever. */
  retryAttempts: 5,
  maxRecordAgeHours: 6,
  parallelizationFactor: 1,
  /**
   * No reserved concurrency unless asked (`-c etlReservedConcurrency=N`): a new account's limit can be 10,
   * all of which must stay unreserved, and CloudFormation then fails to create the function. One
   * invocation per shard at a time (parallelization 1) already bounds the ETL's concurrency by the shards.
   */
  reservedConcurrency: undefined,
  logRetentionDays: 90,
} as const;

export const COMPACTION_DEFAULTS = {
  /** One partition is merged in memory (cloud/etl/compaction/README.md, Limits): memory is the headroom. */
  memoryMb: 2048,
  timeoutMinutes: 10,
  /**
   * Passes must not overlap (two could overwrite each other's compacted file), without reserved concurrency
   * (new accounts may have none to reserve): an event older than the two ages below is dropped, so a pass
   * starts at most 15 + 30 min after its hour's :20 and ends 10 min later, before the next one is due
   * (15 + 30 + 10 < 60; the infra test checks it).
   */
  scheduleIntervalMinutes: 60,
  /** Hourly at :20: the hour that ended at :00 is closed for the 15-minute grace by then. */
  scheduleMinute: '20',
  graceMinutes: 15,
  /** EventBridge -> Lambda delivery: retried, and dropped when the next hourly event supersedes it. */
  deliveryRetryAttempts: 2,
  deliveryMaxEventAgeMinutes: 15,
  /** Age limit of an event in Lambda's asynchronous queue (e.g. while the account is throttled). */
  maxEventAgeMinutes: 30,
  /**
   * A failed pass is not retried by Lambda: it fails the same way again (an unreadable file) or is
   * transient, and the next hourly pass retries every partition left, idempotently.
   */
  asyncRetryAttempts: 0,
  logRetentionDays: ETL_DEFAULTS.logRetentionDays,
} as const;

/**
 * S3 lifecycle transitions skip objects under 128 KiB (S3's default minimum object size for transitions
 * since 2024-09; smaller objects would cost more per transition than they save). Only prefixes whose
 * objects reach that size get transitions: curated (hourly compacted Parquet), not raw (one small gzip per
 * batch), quarantine or rule errors. The infra test holds every transition rule to this list.
 */
export const TRANSITION_PREFIXES: readonly string[] = [LAKE_PREFIXES.curated];

export const LAKE_DEFAULTS = {
  /** Raw JSON batches (a few KiB each): Standard until deleted after ~7 years (HIPAA-style retention). */
  rawExpirationDays: 2555,
  /** Curated Parquet is what queries read: intelligent tiering after 30 days, same retention as raw. */
  curatedTieringDays: 30,
  curatedExpirationDays: 2555,
  quarantineExpirationDays: 365,
  ruleErrorsExpirationDays: 365,
  athenaResultsExpirationDays: 30,
  accessLogsExpirationDays: 2555,
  noncurrentVersionExpirationDays: 30,
  abortIncompleteMultipartDays: 7,
} as const;

export const CATALOG_DEFAULTS = {
  databaseName: DEFAULT_NAMES.databaseName,
  workGroupName: DEFAULT_NAMES.workGroupName,
  /** Per-query scan cutoff: 1 GiB is ~10 days of 1,000 monitors in curated Parquet; raise via context. */
  bytesScannedCutoffPerQuery: 1024 ** 3,
} as const;

export const MONITORING_DEFAULTS = {
  iteratorAgeAlarmMs: 60_000,
  etlErrorsAlarm: 1,
  compactionErrorsAlarm: 1,
  onFailureDepthAlarm: 1,
  /** Quarantined / (curated + quarantined) over 5 minutes. */
  quarantineRateAlarm: 0.01,
  ruleErrorsAlarm: 1,
  news2HighRiskAlarm: 1,
  periodMinutes: 5,
  dashboardName: DEFAULT_NAMES.dashboardName,
} as const;

/**
 * The CloudWatch embedded-metric-format metrics the ETL handler emits (cloud/etl/metrics.ts: namespace
 * METRICS_NAMESPACE, dimension Service=METRICS_SERVICE). The monitoring construct alarms on them; if the
 * ETL renames a metric, this is the one place in the stack to follow.
 */
export const ETL_METRICS = {
  dimensions: { Service: METRICS_SERVICE },
  curated: 'Curated',
  quarantined: 'Quarantined',
  news2HighRisk: 'News2High',
} as const;

/**
 * Deployment profiles (`-c profile=standard|trial`). Both keep the same security: customer-managed KMS keys,
 * TLS only, least-privilege roles, pseudonymised curated data, cdk-nag clean. `trial` is for trying the
 * pipeline with up to ~10 monitors for a few days and then `npm run destroy`: a 1-shard provisioned stream
 * instead of on-demand, a 60 s ETL batching window (15× fewer S3 PUTs than 2 s), 30-day logs, no CloudWatch
 * dashboard (the alarms stay), and data that goes with the stack unless `-c retainData=true`. It assumes monitors publish every 10 s
 * (`npm run fleet -- --target aws --interval 10000`): IoT messaging is billed per message.
 * Costs of both: cloud/stack/README.md.
 */
export type ProfileName = 'standard' | 'trial';

export interface Profile {
  readonly streamMode: 'ON_DEMAND' | 'PROVISIONED';
  readonly streamShards: number;
  readonly maxBatchingWindowSeconds: number;
  readonly logRetentionDays: number;
  readonly retainData: boolean;
  /** The CloudWatch dashboard ($3 a month); the alarms are there either way. */
  readonly dashboard: boolean;
  /** The publish interval per monitor the profile's cost figures assume. */
  readonly publishIntervalMs: number;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  standard: {
    streamMode: 'ON_DEMAND',
    streamShards: 1,
    maxBatchingWindowSeconds: ETL_DEFAULTS.maxBatchingWindowSeconds,
    logRetentionDays: ETL_DEFAULTS.logRetentionDays,
    retainData: true,
    dashboard: true,
    publishIntervalMs: 1_000,
  },
  trial: {
    streamMode: 'PROVISIONED',
    streamShards: 1,
    maxBatchingWindowSeconds: 60,
    logRetentionDays: 30,
    retainData: false,
    dashboard: false,
    publishIntervalMs: 10_000,
  },
};
