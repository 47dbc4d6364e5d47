/**
 * The curated vitals table, defined once (DESIGN §3, §5): the Parquet writer, the Glue table and the
 * DuckDB view are all derived from this list, and a test checks that they agree. The measurement columns
 * and the rollup's aggregates come from the measurement registry (device/contract/measurements.ts).
 */
import { MEASUREMENT_FIELDS, MEASUREMENTS, type MeasurementField, type RollupAggregate } from '../../device/contract/measurements.ts';

export type ColumnType = 'string' | 'int' | 'bigint' | 'double' | 'boolean' | 'timestamp';

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
  description: string;
}

export const CURATED_TABLE = 'curated_vitals';
/** The deduplicating view every query reads (one row per device_id, seq). */
export const VITALS_VIEW = 'vitals';

export const CURATED_COLUMNS: readonly Column[] = [
  { name: 'device_id', type: 'string', nullable: false, description: 'Thing name of the monitor' },
  { name: 'seq', type: 'bigint', nullable: false, description: 'Per-device sequence number (dedup key with device_id)' },
  { name: 'patient_key', type: 'string', nullable: false, description: 'Keyed pseudonym of the patient id (HMAC-SHA256, hex); never the id itself' },
  { name: 'ward', type: 'string', nullable: true, description: 'Ward' },
  { name: 'bed', type: 'string', nullable: true, description: 'Bed' },
  { name: 'measured_at', type: 'timestamp', nullable: false, description: 'Measurement time (UTC)' },
  ...MEASUREMENT_FIELDS.map((name): Column => {
    const { type, label, unit } = MEASUREMENTS[name];
    return { name, type, nullable: true, description: `${label}, ${unit}` };
  }),
  { name: 'on_oxygen', type: 'boolean', nullable: true, description: 'Supplemental oxygen in use' },
  { name: 'spo2_scale', type: 'int', nullable: false, description: 'NEWS2 SpO2 scale used (1 or 2)' },
  { name: 'consciousness', type: 'string', nullable: true, description: 'ACVPU' },
  { name: 'quality_flags', type: 'string', nullable: true, description: 'Comma-separated quality flags' },
  { name: 'battery_pct', type: 'double', nullable: true, description: 'Monitor battery, %' },
  { name: 'time_scale', type: 'double', nullable: true, description: 'Simulated time per wall-clock time of a simulated monitor (1: real time; null in files written before the column)' },
  { name: 'news2_respiration', type: 'int', nullable: true, description: 'NEWS2 sub-score: respiration rate' },
  { name: 'news2_spo2', type: 'int', nullable: true, description: 'NEWS2 sub-score: SpO2 (scale in spo2_scale)' },
  { name: 'news2_air_or_oxygen', type: 'int', nullable: true, description: 'NEWS2 sub-score: air or oxygen' },
  { name: 'news2_systolic_bp', type: 'int', nullable: true, description: 'NEWS2 sub-score: systolic BP' },
  { name: 'news2_pulse', type: 'int', nullable: true, description: 'NEWS2 sub-score: pulse' },
  { name: 'news2_consciousness', type: 'int', nullable: true, description: 'NEWS2 sub-score: consciousness' },
  { name: 'news2_temperature', type: 'int', nullable: true, description: 'NEWS2 sub-score: temperature' },
  { name: 'news2_total', type: 'int', nullable: false, description: 'NEWS2 total over the parameters present (0-20)' },
  { name: 'news2_band', type: 'string', nullable: false, description: 'low | low-medium | medium | high' },
  { name: 'news2_complete', type: 'boolean', nullable: false, description: 'All seven parameters present' },
  { name: 'news2_missing', type: 'string', nullable: true, description: 'Comma-separated parameters missing from the score' },
  { name: 'source_schema', type: 'string', nullable: false, description: 'vitals/1 or legacy' },
  { name: 'received_at', type: 'timestamp', nullable: true, description: 'When IoT Core / the local broker received it' },
  { name: 'ingested_at', type: 'timestamp', nullable: false, description: 'When the ETL processed it' },
  { name: 'ingest_latency_ms', type: 'bigint', nullable: false, description: 'ingested_at - measured_at, ms' },
  { name: 'kinesis_shard', type: 'string', nullable: false, description: 'Kinesis shard id' },
  { name: 'kinesis_sequence', type: 'string', nullable: false, description: 'Kinesis sequence number' },
];

/** Hive-style partitions, by measurement time (UTC): dt=YYYY-MM-DD/hour=HH. */
export const CURATED_PARTITIONS: readonly Column[] = [
  { name: 'dt', type: 'string', nullable: false, description: 'Measurement date, UTC, YYYY-MM-DD' },
  { name: 'hour', type: 'string', nullable: false, description: 'Measurement hour, UTC, HH' },
];

/**
 * The hourly rollup: per patient and closed UTC hour, exact counts, sums, minima and maxima of the vitals,
 * written by the compaction pass when it compacts an hour (cloud/etl/compaction/rollup.ts). Averages are
 * sum / count, so a query over the rollup gives the same numbers as avg() over the readings. One file per
 * day (dt partition) holding every rolled-up hour of that day: per-hour files would each carry a footer
 * and a dictionary of patient pseudonyms, more than their rows.
 */
export const ROLLUP_HOURLY_TABLE = 'vitals_hourly_rollup';

function aggregateColumn(vital: MeasurementField, aggregate: RollupAggregate): Column {
  const name = `${vital}_${aggregate}`;
  const type = MEASUREMENTS[vital].type;
  switch (aggregate) {
    case 'count':
      return { name, type: 'bigint', nullable: false, description: `Readings with ${vital} measured` };
    case 'sum':
      return { name, type: type === 'int' ? 'bigint' : 'double', nullable: true, description: `Sum of ${vital} (null when none measured)` };
    case 'min':
    case 'max':
      return { name, type, nullable: true, description: `${aggregate === 'min' ? 'Minimum' : 'Maximum'} of ${vital}` };
  }
}

/** The rollup's aggregate columns: each measurement's aggregates, in registry order. */
export const ROLLUP_AGGREGATES: readonly { vital: MeasurementField; aggregate: RollupAggregate; column: Column }[] =
  MEASUREMENT_FIELDS.flatMap((vital) => MEASUREMENTS[vital].rollup.map((aggregate) => ({ vital, aggregate, column: aggregateColumn(vital, aggregate) })));

export const ROLLUP_HOURLY_COLUMNS: readonly Column[] = [
  { name: 'patient_key', type: 'string', nullable: false, description: 'Keyed pseudonym of the patient id (as in curated_vitals)' },
  { name: 'hour', type: 'string', nullable: false, description: 'Measurement hour, UTC, HH (the curated partition rolled up)' },
  { name: 'readings', type: 'bigint', nullable: false, description: 'Readings of the patient in the hour, one per (device_id, seq)' },
  ...ROLLUP_AGGREGATES.map(({ column }) => column),
  { name: 'news2_max', type: 'int', nullable: false, description: 'Highest NEWS2 total in the hour' },
];

/** The rollup is partitioned by day only (see ROLLUP_HOURLY_TABLE). */
export const ROLLUP_HOURLY_PARTITIONS: readonly Column[] = [CURATED_PARTITIONS[0]!];

/** Object-key prefixes of the lake (DESIGN §5), the same in S3 and in ./data/lake. */
export const LAKE_PREFIXES = {
  raw: 'raw/vitals/',
  curated: 'curated/vitals/',
  quarantine: 'quarantine/vitals/',
} as const;

/** Where the compaction pass writes the hourly rollup: rollup/hourly/dt=YYYY-MM-DD/rollup.parquet. */
export const ROLLUP_HOURLY_PREFIX = 'rollup/hourly/';

/** Where the compaction pass keeps its index of compacted (device_id, seq) keys (no table reads it). */
export const COMPACTION_INDEX_PREFIX = 'index/vitals/';
