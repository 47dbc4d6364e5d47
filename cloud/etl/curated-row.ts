/**
 * One curated row (cloud/lake/curated-schema.ts) from a validated reading: NEWS2 scored, the patient id
 * replaced by its pseudonym, ingest time and latency added. Timestamps are epoch milliseconds (UTC).
 */
import type { VitalsReading } from '../../device/contract/index.ts';
import { news2 } from '../news2/news2.ts';
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

export function toCuratedRow(reading: VitalsReading, { shardId, sequenceNumber, receivedAt, pseudonymise, ingestedAt }: RowContext): CuratedRow {
  const score = news2(reading);
  return {
    device_id: reading.device_id,
    seq: reading.seq,
    patient_key: pseudonymise(reading.patient_id),
    ward: reading.ward,
    bed: reading.bed,
    measured_at: reading.measured_at_ms,
    heart_rate: reading.heart_rate,
    spo2: reading.spo2,
    respiratory_rate: reading.respiratory_rate,
    systolic_bp: reading.systolic_bp,
    diastolic_bp: reading.diastolic_bp,
    temperature_c: reading.temperature_c,
    on_oxygen: reading.on_oxygen,
    spo2_scale: reading.spo2_scale,
    consciousness: reading.consciousness,
    quality_flags: reading.quality.length > 0 ? reading.quality.join(',') : null,
    battery_pct: reading.battery_pct,
    news2_respiration: score.subscores.respiration,
    news2_spo2: score.subscores.spo2,
    news2_air_or_oxygen: score.subscores.air_or_oxygen,
    news2_systolic_bp: score.subscores.systolic_bp,
    news2_pulse: score.subscores.pulse,
    news2_consciousness: score.subscores.consciousness,
    news2_temperature: score.subscores.temperature,
    news2_total: score.total,
    news2_band: score.band,
    news2_complete: score.complete,
    news2_missing: score.missing.length > 0 ? score.missing.join(',') : null,
    source_schema: reading.source_schema,
    received_at: receivedAt,
    ingested_at: ingestedAt,
    ingest_latency_ms: ingestedAt - reading.measured_at_ms,
    kinesis_shard: shardId,
    kinesis_sequence: sequenceNumber,
  };
}
