/**
 * One curated row (cloud/lake/curated-schema.ts) from a validated reading: NEWS2 scored, the patient id
 * replaced by its pseudonym, ingest time and latency added. Timestamps are epoch milliseconds (UTC).
 */
import { MEASUREMENT_FIELDS, type MeasurementValues, type VitalsReading } from '../../device/contract/index.ts';
import { missingText, newNews2Scratch, scoreNews2 } from '../news2/news2.ts';
import type { Pseudonymiser } from './pseudonym.ts';

export interface CuratedRow extends MeasurementValues {
  device_id: string;
  seq: number;
  patient_key: string;
  ward: string | null;
  bed: string | null;
  measured_at: number;
  on_oxygen: boolean | null;
  spo2_scale: number;
  consciousness: string | null;
  quality_flags: string | null;
  battery_pct: number | null;
  time_scale: number | null;
  news2_respiration: number | null;
  news2_spo2: number | null;
  news2_air_or_oxygen: number | null;
  news2_systolic_bp: number | null;
  news2_pulse: number | null;
  news2_consciousness: number | null;
  news2_temperature: number | null;
  news2_total: number;
  news2_band: string;
  news2_complete: boolean;
  news2_missing: string | null;
  source_schema: string;
  received_at: number | null;
  ingested_at: number;
  ingest_latency_ms: number;
  kinesis_shard: string;
  kinesis_sequence: string;
}

export interface RowContext {
  shardId: string;
  sequenceNumber: string;
  /** When the broker received it (the rule envelope's received_at), null when unknown. */
  receivedAt: number | null;
  pseudonymise: Pseudonymiser;
  ingestedAt: number;
}

/** Refilled per row: the score is copied into the row at once. */
const score = newNews2Scratch();

/** The row of `reading`, fields in schema order. */
export function toCuratedRow(reading: VitalsReading, { shardId, sequenceNumber, receivedAt, pseudonymise, ingestedAt }: RowContext): CuratedRow {
  scoreNews2(reading, score);
  const row = {} as CuratedRow;
  row.device_id = reading.device_id;
  row.seq = reading.seq;
  row.patient_key = pseudonymise(reading.patient_id);
  row.ward = reading.ward;
  row.bed = reading.bed;
  row.measured_at = reading.measured_at_ms;
  for (const name of MEASUREMENT_FIELDS) row[name] = reading[name];
  row.on_oxygen = reading.on_oxygen;
  row.spo2_scale = reading.spo2_scale;
  row.consciousness = reading.consciousness;
  row.quality_flags = reading.quality.length > 0 ? reading.quality.join(',') : null;
  row.battery_pct = reading.battery_pct;
  row.time_scale = reading.time_scale;
  row.news2_respiration = score.respiration;
  row.news2_spo2 = score.spo2;
  row.news2_air_or_oxygen = score.air_or_oxygen;
  row.news2_systolic_bp = score.systolic_bp;
  row.news2_pulse = score.pulse;
  row.news2_consciousness = score.consciousness;
  row.news2_temperature = score.temperature;
  row.news2_total = score.total;
  row.news2_band = score.band;
  row.news2_complete = score.missingMask === 0;
  row.news2_missing = missingText(score.missingMask);
  row.source_schema = reading.source_schema;
  row.received_at = receivedAt;
  row.ingested_at = ingestedAt;
  row.ingest_latency_ms = ingestedAt - reading.measured_at_ms;
  row.kinesis_shard = shardId;
  row.kinesis_sequence = sequenceNumber;
  return row;
}
