/**
 * One curated row (cloud/lake/curated-schema.ts) from a validated reading: NEWS2 scored, the patient id
 * replaced by its pseudonym, ingest time and latency added. Timestamps are epoch milliseconds (UTC).
 */
import type { VitalsReading } from '../../device/contract/index.ts';
import { missingText, newNews2Scratch, scoreNews2 } from '../news2/news2.ts';
import type { Pseudonymiser } from './pseudonym.ts';

export interface CuratedRow {
  device_id: string;
  seq: number;
  patient_key: string;
  ward: string | null;
  bed: string | null;
  measured_at: number;
  heart_rate: number | null;
  spo2: number | null;
  respiratory_rate: number | null;
  systolic_bp: number | null;
  diastolic_bp: number | null;
  temperature_c: number | null;
  on_oxygen: boolean | null;
  spo2_scale: number;
  consciousness: string | null;
  quality_flags: string | null;
  battery_pct: number | null;
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

/**
 * The row of `reading`, written into `into` when given (a row of an earlier call: a batch reuses one), else
 * into a new object; fields in schema order either way.
 */
export function toCuratedRow(reading: VitalsReading, { shardId, sequenceNumber, receivedAt, pseudonymise, ingestedAt }: RowContext, into?: CuratedRow): CuratedRow {
  scoreNews2(reading, score);
  const row = into ?? ({} as CuratedRow);
  row.device_id = reading.device_id;
  row.seq = reading.seq;
  row.patient_key = pseudonymise(reading.patient_id);
  row.ward = reading.ward;
  row.bed = reading.bed;
  row.measured_at = reading.measured_at_ms;
  row.heart_rate = reading.heart_rate;
  row.spo2 = reading.spo2;
  row.respiratory_rate = reading.respiratory_rate;
  row.systolic_bp = reading.systolic_bp;
  row.diastolic_bp = reading.diastolic_bp;
  row.temperature_c = reading.temperature_c;
  row.on_oxygen = reading.on_oxygen;
  row.spo2_scale = reading.spo2_scale;
  row.consciousness = reading.consciousness;
  row.quality_flags = reading.quality.length > 0 ? reading.quality.join(',') : null;
  row.battery_pct = reading.battery_pct;
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
