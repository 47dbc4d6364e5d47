/**
 * Validation of the wire contract: bytes in, either a normalised reading or a list of reason codes out.
 * Never throws on any input (property-tested with fast-check), so the ETL can quarantine with a reason.
 */
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import {
  legacySeq, LegacyVitalsSchema, MAX_PAYLOAD_BYTES, VITALS_SCHEMA_ID, VitalsV1Schema,
  type Acvpu, type QualityFlag, type VitalsV1,
} from './vitals-v1.ts';
import { MEASUREMENT_FIELDS, measurementValues, type MeasurementValues } from './measurements.ts';
import { canonicalUtcMillis } from './timestamps.ts';

export { canonicalUtcMillis };

export const REASON_CODES = [
  'oversize', 'not_utf8', 'not_json', 'not_object', 'unknown_schema', 'missing_field', 'wrong_type',
  'out_of_range', 'bad_format', 'bad_timestamp', 'inconsistent', 'device_mismatch', 'conflicting_duplicate',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  /** Dotted path of the offending field, when there is one. */
  field?: string;
  message: string;
}

/** A reading in the one shape every consumer sees, whichever contract version it arrived in. */
export interface VitalsReading extends MeasurementValues {
  source_schema: typeof VITALS_SCHEMA_ID | 'legacy';
  device_id: string;
  patient_id: string;
  seq: number;
  /** Measurement time, normalised to ISO-8601 UTC with milliseconds. */
  timestamp: string;
  measured_at_ms: number;
  on_oxygen: boolean | null;
  spo2_scale: 1 | 2;
  ward: string | null;
  bed: string | null;
  consciousness: Acvpu | null;
  quality: QualityFlag[];
  battery_pct: number | null;
  /** Simulated time per wall-clock time (1 for real monitors and legacy readings). */
  time_scale: number;
}

export type ValidationResult =
  | { ok: true; reading: VitalsReading }
  | { ok: false; reasons: Reason[] };

export interface ValidationContext {
  /** Thing name the message arrived from (topic level / client id), when known. */
  thingName?: string;
}

const fail = (code: ReasonCode, message: string, field?: string): ValidationResult =>
  ({ ok: false, reasons: [field === undefined ? { code, message } : { code, field, message }] });

/** Decodes bytes into a JSON value, rejecting oversize, non-UTF-8 and non-JSON input. */
export function decodePayload(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; reasons: Reason[] } {
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, reasons: [{ code: 'oversize', message: `payload is ${bytes.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}` }] };
  }
  if (!isUtf8(bytes)) return { ok: false, reasons: [{ code: 'not_utf8', message: 'payload is not valid UTF-8' }] };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reasons: [{ code: 'not_json', message: `payload is not JSON: ${(error as Error).message}` }] };
  }
}

/** Validates raw payload bytes (as they arrive from MQTT or Kinesis): decoded, parsed, then validated. */
export function validatePayload(bytes: Uint8Array, context: ValidationContext = {}): ValidationResult {
  const decoded = decodePayload(bytes);
  return decoded.ok ? validateVitals(decoded.value, context) : decoded;
}

/** Validates an already parsed value: vitals v1, or the legacy sample format, normalised. */
export function validateVitals(value: unknown, context: ValidationContext = {}): ValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('not_object', 'payload must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  if (record.schema === undefined && 'temperature' in record && !('temperature_c' in record)) {
    return validateLegacy(record, context);
  }
  if (record.schema !== VITALS_SCHEMA_ID) {
    return fail('unknown_schema', `schema must be "${VITALS_SCHEMA_ID}" (got ${describe(record.schema)})`, 'schema');
  }
  const parsed = VitalsV1Schema.safeParse(record);
  if (!parsed.success) return { ok: false, reasons: reasonsFrom(parsed.error.issues, record) };
  return completeVitalsV1(parsed.data, context);
}

/** A message that passed the schema -> the cross-field checks, the measurement time and the reading. */
function completeVitalsV1(message: VitalsV1, context: ValidationContext): ValidationResult {
  const reasons = crossFieldReasons(message, context);
  if (reasons.length > 0) return { ok: false, reasons: [...reasons] };
  // Date.parse + toISOString cost as much as all the other checks together; a device clock's timestamp is
  // nearly always in toISOString's own form already, and then it is kept as it is.
  const canonicalAt = canonicalUtcMillis(message.timestamp);
  const measuredAt = canonicalAt ?? Date.parse(message.timestamp);
  if (!Number.isFinite(measuredAt)) return fail('bad_timestamp', 'timestamp is not a real date', 'timestamp');
  return {
    ok: true,
    reading: {
      source_schema: VITALS_SCHEMA_ID,
      device_id: message.device_id,
      patient_id: message.patient_id,
      seq: message.seq,
      timestamp: canonicalAt === undefined ? new Date(measuredAt).toISOString() : message.timestamp,
      measured_at_ms: measuredAt,
      ...measurementsOf(message),
      on_oxygen: message.on_oxygen,
      spo2_scale: message.spo2_scale ?? 1,
      ward: message.ward,
      bed: message.bed,
      consciousness: message.consciousness,
      quality: message.quality ?? [],
      battery_pct: message.battery_pct,
      time_scale: message.time_scale ?? 1,
    },
  };
}

function measurementsOf(source: Partial<MeasurementValues>): MeasurementValues {
  return measurementValues((name) => source[name]);
}

/** Shared by every message that passes the cross-field checks: nothing is allocated for a valid one. */
const NO_REASONS: readonly Reason[] = Object.freeze([]);

function crossFieldReasons(message: VitalsV1, context: ValidationContext): readonly Reason[] {
  let reasons: Reason[] | undefined;
  if (context.thingName !== undefined && message.device_id !== context.thingName) {
    (reasons ??= []).push({ code: 'device_mismatch', field: 'device_id', message: `device_id "${message.device_id}" was published by thing "${context.thingName}"` });
  }
  if (message.systolic_bp !== null && message.diastolic_bp !== null && message.diastolic_bp >= message.systolic_bp) {
    (reasons ??= []).push({ code: 'inconsistent', field: 'diastolic_bp', message: `diastolic ${message.diastolic_bp} mmHg is not below systolic ${message.systolic_bp} mmHg` });
  }
  if ((message.quality === undefined || message.quality.length === 0) && hasNullVital(message)) {
    const missing = MEASUREMENT_FIELDS.filter((name) => message[name] === null);
    (reasons ??= []).push({ code: 'inconsistent', field: missing[0], message: `${missing.join(', ')} null without a quality flag saying why` });
  }
  return reasons ?? NO_REASONS;
}

function hasNullVital(message: VitalsV1): boolean {
  return MEASUREMENT_FIELDS.some((name) => message[name] === null);
}

/**
 * Legacy: {patient_id, heart_rate, temperature (°F), timestamp}. Normalised to °C; the key is
 * legacySeq(measurement time), in a range of its own above every vitals/1 seq (DESIGN §4).
 */
function validateLegacy(record: Record<string, unknown>, context: ValidationContext): ValidationResult {
  const parsed = LegacyVitalsSchema.safeParse(record);
  if (!parsed.success) return { ok: false, reasons: reasonsFrom(parsed.error.issues, record) };
  const legacy = parsed.data;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(legacy.timestamp);
  const measuredAt = Date.parse(hasZone ? legacy.timestamp : `${legacy.timestamp.replace(' ', 'T')}Z`);
  if (!Number.isFinite(measuredAt)) return fail('bad_timestamp', 'timestamp is not a real date', 'timestamp');
  if (measuredAt < 0) {
    return fail('bad_timestamp', `timestamp ${new Date(measuredAt).toISOString()} is before 1970: a legacy reading's key is 2^52 + its epoch ms, which must not be negative`, 'timestamp');
  }
  const deviceId = legacy.device_id ?? context.thingName ?? `legacy-${String(legacy.patient_id)}`;
  if (context.thingName !== undefined && legacy.device_id !== undefined && legacy.device_id !== context.thingName) {
    return fail('device_mismatch', `device_id "${legacy.device_id}" was published by thing "${context.thingName}"`, 'device_id');
  }
  return {
    ok: true,
    reading: {
      source_schema: 'legacy',
      device_id: deviceId,
      patient_id: String(legacy.patient_id),
      // Legacy senders have no sequence number: one reading per device and millisecond is the identity,
      // in the legacy key range, so it never meets a vitals/1 seq of the same device.
      seq: legacySeq(measuredAt),
      timestamp: new Date(measuredAt).toISOString(),
      measured_at_ms: measuredAt,
      ...measurementsOf({ heart_rate: Math.round(legacy.heart_rate), temperature_c: fahrenheitToCelsius(legacy.temperature) }),
      on_oxygen: null,
      spo2_scale: 1,
      ward: null,
      bed: null,
      consciousness: null,
      quality: ['not_measured'],
      battery_pct: null,
      time_scale: 1,
    },
  };
}

export function fahrenheitToCelsius(fahrenheit: number): number {
  return Math.round(((fahrenheit - 32) * 5) / 9 * 10) / 10;
}

function reasonsFrom(issues: readonly z.core.$ZodIssue[], input: Record<string, unknown>): Reason[] {
  return issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    const top = issue.path[0];
    let code: ReasonCode;
    switch (issue.code) {
      case 'invalid_type':
        code = typeof top === 'string' && issue.path.length === 1 && input[top] === undefined ? 'missing_field' : 'wrong_type';
        break;
      case 'too_small':
      case 'too_big':
        code = 'out_of_range';
        break;
      case 'invalid_format':
        code = top === 'timestamp' ? 'bad_timestamp' : 'bad_format';
        break;
      case 'invalid_union':
      case 'invalid_value':
        code = input[top as string] === undefined ? 'missing_field' : 'out_of_range';
        break;
      default:
        code = 'wrong_type';
    }
    return field === '' ? { code, message: issue.message } : { code, field, message: `${field}: ${issue.message}` };
  });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
