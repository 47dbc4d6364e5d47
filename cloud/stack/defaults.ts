/**
 * Secure defaults of the cloud stack as plain values (AWS Solutions Constructs style): the constructs read
 * them, the tests assert the synthesized template against them, and a reviewer reads them in one place.
 */
import { METRICS_SERVICE } from '../etl/metrics.ts';

export const STACK_NAME = 'HealthcareRealtimeDatalake';

export const INGESTION_DEFAULTS = {
  thingTypeName: 'bedside-monitor',
  thingGroupName: 'bedside-monitors',
  policyName: 'bedside-monitor-policy',
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
  /** Caps the ETL's share of account concurrency (and its blast radius); ≥ shards × parallelization. */
  reservedConcurrency: 20,
  logRetentionDays: 90,
} as const;

export const COMPACTION_DEFAULTS = {
  /** One partition is merged in memory (cloud/etl/compaction/README.md, Limits): memory is the headroom. */
  memoryMb: 2048,
  timeoutMinutes: 10,
  /** Passes must not overlap (two could overwrite each other's compacted file). */
  reservedConcurrency: 1,
  /** Hourly at :20: the hour that ended at :00 is closed for the 15-minute grace by then. */
  scheduleMinute: '20',
  graceMinutes: 15,
  /** EventBridge -> Lambda delivery: retried, and dropped when the next hourly event supersedes it. */
  deliveryRetryAttempts: 2,
  maxEventAgeMinutes: 60,
  /**
   * A failed pass is not retried by Lambda: it fails the same way again (an unreadable file) or is
   * transient, and the next hourly pass retries every partition left, idempotently.
   */
  asyncRetryAttempts: 0,
  logRetentionDays: ETL_DEFAULTS.logRetentionDays,
} as const;

export const LAKE_DEFAULTS = {
  /** Raw JSON: infrequent access after 30 days, Glacier IR after 90, deleted after ~7 years (HIPAA-style retention). */
  rawInfrequentAccessDays: 30,
  rawGlacierDays: 90,
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
  databaseName: 'healthcare_datalake',
  workGroupName: 'healthcare-datalake',
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
  dashboardName: 'healthcare-datalake',
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
