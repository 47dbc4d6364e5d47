/** Builds a vitals v1 message (the wire contract) from a measurement and the monitor's identity. */
import { MEASUREMENT_FIELDS } from '../contract/measurements.ts';
import type { VitalsV1 } from '../contract/index.ts';
import { VITALS_SCHEMA_ID } from '../contract/schema-id.ts';
import type { Measurement } from './model.ts';

export interface MessageIdentity {
  device_id: string;
  patient_id: string;
  ward: string;
  bed: string;
  seq: number;
  /** ISO-8601 UTC measurement time, e.g. new Date(nowMs).toISOString(). */
  timestamp: string;
  /** The model's speed: written as `time_scale` when not 1 (real time is the contract's default). */
  time_scale?: number;
}

/** Fields in the contract's order, so encodeVitals gives the same bytes for the same reading. */
export function buildVitalsMessage(m: Measurement, id: MessageIdentity): VitalsV1 {
  const measurements = Object.fromEntries(MEASUREMENT_FIELDS.flatMap((name) => (m[name] === undefined ? [] : [[name, m[name]]])));
  const message = {
    schema: VITALS_SCHEMA_ID,
    device_id: id.device_id,
    patient_id: id.patient_id,
    seq: id.seq,
    timestamp: id.timestamp,
    ...measurements,
    on_oxygen: m.on_oxygen,
    spo2_scale: m.spo2_scale ?? 1,
    ward: id.ward,
    bed: id.bed,
    consciousness: m.consciousness,
    battery_pct: m.battery_pct,
  } as VitalsV1;
  const timeScale = id.time_scale !== undefined && id.time_scale !== 1 ? { time_scale: id.time_scale } : {};
  // Left out when clean (not sent as null or []), and placed where the contract lists it.
  if (m.quality !== undefined && m.quality.length > 0) {
    const { battery_pct: battery, ...rest } = message;
    return { ...rest, quality: [...m.quality], battery_pct: battery, ...timeScale };
  }
  return { ...message, ...timeScale };
}
