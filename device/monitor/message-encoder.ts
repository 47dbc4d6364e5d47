/**
 * The wire message of one monitor, serialised without building it as an object first: the identity part
 * is escaped once per monitor, the rest is written field by field in the contract's order, and the
 * timestamp text is shared by every monitor sampled in the same tick. At 10,000 monitors, building the
 * message object and JSON.stringify-ing it was the largest JavaScript cost per message after the socket
 * write. The output is byte for byte encodeVitals(buildVitalsMessage(...)): a test holds them together
 * over every scenario, artefacts and nulls included.
 */
import { MEASUREMENT_FIELDS } from '../contract/measurements.ts';
import { VITALS_SCHEMA_ID } from '../contract/schema-id.ts';
import type { Measurement } from '../vitals/index.ts';

export interface EncoderIdentity {
  device_id: string;
  patient_id: string;
  ward: string;
  bed: string;
  /** The model's speed: written as `time_scale` when not 1. */
  time_scale?: number;
}

/** JSON text of a number or null, as JSON.stringify writes it (non-finite numbers become null). */
const num = (value: number | null): string => (value === null || !Number.isFinite(value) ? 'null' : String(value));

let isoForMs = Number.NaN;
let isoText = '';

/** new Date(ms).toISOString(), computed once for all monitors sampled at the same millisecond. */
function isoTimestamp(ms: number): string {
  if (ms !== isoForMs) {
    isoForMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

/** `,"<field>":` of each measurement, in the contract's order (measurements.ts). */
const MEASUREMENT_KEYS = MEASUREMENT_FIELDS.map((name) => `,${JSON.stringify(name)}:`);

export class MessageEncoder {
  private readonly head: string;
  private readonly place: string;
  private readonly tail: string;

  constructor(identity: EncoderIdentity) {
    this.head = `{"schema":${JSON.stringify(VITALS_SCHEMA_ID)},"device_id":${JSON.stringify(identity.device_id)},"patient_id":${JSON.stringify(identity.patient_id)},"seq":`;
    this.place = `,"ward":${JSON.stringify(identity.ward)},"bed":${JSON.stringify(identity.bed)},"consciousness":`;
    this.tail = identity.time_scale !== undefined && identity.time_scale !== 1 ? `,"time_scale":${num(identity.time_scale)}}` : '}';
  }

  encode(m: Measurement, seq: number, measuredAtMs: number): string {
    const quality = m.quality !== undefined && m.quality.length > 0 ? `,"quality":${JSON.stringify(m.quality)}` : '';
    let text = `${this.head}${seq},"timestamp":"${isoTimestamp(measuredAtMs)}"`;
    for (let i = 0; i < MEASUREMENT_FIELDS.length; i += 1) {
      // An optional measurement the monitor does not have is left out, as JSON.stringify leaves out undefined.
      const value = m[MEASUREMENT_FIELDS[i]!];
      if (value !== undefined) text += `${MEASUREMENT_KEYS[i]!}${num(value)}`;
    }
    return `${text},"on_oxygen":${m.on_oxygen},"spo2_scale":${num(m.spo2_scale ?? 1)}${this.place}${m.consciousness === null ? 'null' : JSON.stringify(m.consciousness)}${quality},"battery_pct":${num(m.battery_pct)}${this.tail}`;
  }
}
