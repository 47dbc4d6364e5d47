/**
 * The hot path of vitals v1 validation: plain typeof/range checks that accept exactly what VitalsV1Schema
 * accepts and return the same data, about ten times faster than zod's safeParse. It answers only "valid,
 * here is the message" or "don't know": on undefined the caller runs zod, which stays the one source of
 * truth and names the reasons (property-tested: test/unit/device/contract/fast-vitals-v1.test.ts).
 *
 * No bound is written twice: every limit, pattern and enum below is read from VitalsV1Schema itself when
 * this module loads, and a schema whose shape this file does not know throws here, not silently later.
 */
import type { z } from 'zod';
import { VitalsV1Schema, type VitalsV1 } from './vitals-v1.ts';

const shape = VitalsV1Schema.shape;

export interface NumberRule { readonly min: number; readonly max: number; readonly integer: boolean }
export interface StringRule { readonly min: number; readonly max: number; readonly pattern: RegExp | null }

interface Check { check?: string; format?: string; pattern?: RegExp; value?: unknown; inclusive?: boolean; minimum?: number; maximum?: number }

function checksOf(schema: z.ZodType): Check[] {
  return (schema.def.checks ?? []).map((check) => (check as unknown as { _zod: { def: Check } })._zod.def);
}

/** Min/max/integer of a z.number(), failing loudly on a check this fast path does not mirror. */
function numberRule(schema: z.ZodNumber): NumberRule {
  const rule = { min: -Infinity, max: Infinity, integer: false };
  for (const check of checksOf(schema)) {
    if (check.check === 'number_format' && check.format === 'safeint') rule.integer = true;
    else if (check.check === 'greater_than' && check.inclusive === true) rule.min = Math.max(rule.min, check.value as number);
    else if (check.check === 'less_than' && check.inclusive === true) rule.max = Math.min(rule.max, check.value as number);
    else throw new Error(`fast-vitals-v1: unsupported number check ${JSON.stringify(check)}: mirror it here`);
  }
  return rule;
}

function stringRule(schema: z.ZodString): StringRule {
  const rule: { min: number; max: number; pattern: RegExp | null } = { min: 0, max: Infinity, pattern: null };
  for (const check of checksOf(schema)) {
    if (check.check === 'min_length') rule.min = check.minimum!;
    else if (check.check === 'max_length') rule.max = check.maximum!;
    else if (check.check === 'string_format' && check.format === 'regex' && check.pattern !== undefined) rule.pattern = check.pattern;
    else throw new Error(`fast-vitals-v1: unsupported string check ${JSON.stringify(check)}: mirror it here`);
  }
  return rule;
}

function maxItems(schema: z.ZodArray): number {
  let max = Infinity;
  for (const check of checksOf(schema)) {
    if (check.check === 'max_length') max = check.maximum!;
    else throw new Error(`fast-vitals-v1: unsupported array check ${JSON.stringify(check)}: mirror it here`);
  }
  return max;
}

const SCHEMA_ID = shape.schema.value;
const DEVICE_ID = stringRule(shape.device_id);
const PATIENT_ID = stringRule(shape.patient_id);
const TIMESTAMP = stringRule(shape.timestamp);
const WARD = stringRule(shape.ward);
const BED = stringRule(shape.bed);
const SEQ = numberRule(shape.seq);
const HEART_RATE = numberRule(shape.heart_rate.unwrap());
const SPO2 = numberRule(shape.spo2.unwrap());
const RESPIRATORY_RATE = numberRule(shape.respiratory_rate.unwrap());
const SYSTOLIC_BP = numberRule(shape.systolic_bp.unwrap());
const DIASTOLIC_BP = numberRule(shape.diastolic_bp.unwrap());
const TEMPERATURE_C = numberRule(shape.temperature_c.unwrap());
const BATTERY_PCT = numberRule(shape.battery_pct);
const SPO2_SCALES: ReadonlySet<unknown> = new Set(shape.spo2_scale.unwrap().options.map((option) => option.value));
const CONSCIOUSNESS: ReadonlySet<unknown> = new Set(shape.consciousness.unwrap().options);
const QUALITY_FLAGS: ReadonlySet<unknown> = new Set(shape.quality.unwrap().element.options);
const QUALITY_MAX = maxItems(shape.quality.unwrap());

/** Every bound, pattern and enum of VitalsV1Schema, as read from it: for the fast paths that mirror it. */
export const VITALS_V1_RULES = {
  schema: SCHEMA_ID, device_id: DEVICE_ID, patient_id: PATIENT_ID, timestamp: TIMESTAMP, ward: WARD, bed: BED,
  seq: SEQ, heart_rate: HEART_RATE, spo2: SPO2, respiratory_rate: RESPIRATORY_RATE, systolic_bp: SYSTOLIC_BP,
  diastolic_bp: DIASTOLIC_BP, temperature_c: TEMPERATURE_C, battery_pct: BATTERY_PCT,
  spo2_scales: SPO2_SCALES, consciousness: CONSCIOUSNESS, quality_flags: QUALITY_FLAGS, quality_max: QUALITY_MAX,
} as const;

const EXPECTED_KEYS = [
  'schema', 'device_id', 'patient_id', 'seq', 'timestamp', 'heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp',
  'diastolic_bp', 'temperature_c', 'on_oxygen', 'spo2_scale', 'ward', 'bed', 'consciousness', 'quality', 'battery_pct',
];
if (Object.keys(shape).join() !== EXPECTED_KEYS.join()) {
  throw new Error('fast-vitals-v1: VitalsV1Schema fields changed: update the fast path to mirror them');
}

// z.number() accepts finite numbers only; the range comparisons below reject NaN and ±Infinity too.
const isNumber = (value: unknown, rule: NumberRule): value is number =>
  typeof value === 'number' && value >= rule.min && value <= rule.max && (!rule.integer || Number.isSafeInteger(value));

const isNullableNumber = (value: unknown, rule: NumberRule): value is number | null => value === null || isNumber(value, rule);

// zod measures string length in UTF-16 code units, as String.prototype.length does.
const isString = (value: unknown, rule: StringRule): value is string =>
  typeof value === 'string' && value.length >= rule.min && value.length <= rule.max && (rule.pattern === null || rule.pattern.test(value));

function isQuality(value: unknown): value is VitalsV1['quality'] {
  if (value === undefined) return true;
  if (!Array.isArray(value) || value.length > QUALITY_MAX) return false;
  for (let i = 0; i < value.length; i += 1) if (!QUALITY_FLAGS.has(value[i])) return false;
  return true;
}

/**
 * The message VitalsV1Schema.safeParse would return for `record` (unknown keys stripped, arrays copied),
 * or undefined when it would not be a success. Expects a non-null, non-array object.
 */
export function fastParseVitalsV1(record: Record<string, unknown>): VitalsV1 | undefined {
  const { schema, device_id, patient_id, seq, timestamp, heart_rate, spo2, respiratory_rate, systolic_bp, diastolic_bp,
    temperature_c, on_oxygen, spo2_scale, ward, bed, consciousness, quality, battery_pct } = record;
  if (
    schema !== SCHEMA_ID
    || !isString(device_id, DEVICE_ID) || !isString(patient_id, PATIENT_ID) || !isNumber(seq, SEQ)
    || !isString(timestamp, TIMESTAMP)
    || !isNullableNumber(heart_rate, HEART_RATE) || !isNullableNumber(spo2, SPO2)
    || !isNullableNumber(respiratory_rate, RESPIRATORY_RATE) || !isNullableNumber(systolic_bp, SYSTOLIC_BP)
    || !isNullableNumber(diastolic_bp, DIASTOLIC_BP) || !isNullableNumber(temperature_c, TEMPERATURE_C)
    || typeof on_oxygen !== 'boolean'
    || (spo2_scale !== undefined && !SPO2_SCALES.has(spo2_scale))
    || !isString(ward, WARD) || !isString(bed, BED)
    || (consciousness !== null && !CONSCIOUSNESS.has(consciousness))
    || !isQuality(quality) || !isNumber(battery_pct, BATTERY_PCT)
  ) {
    return undefined;
  }
  const message: VitalsV1 = {
    schema: SCHEMA_ID, device_id, patient_id, seq, timestamp, heart_rate, spo2, respiratory_rate, systolic_bp, diastolic_bp,
    temperature_c, on_oxygen, ward, bed, consciousness: consciousness as VitalsV1['consciousness'], battery_pct,
  };
  if (spo2_scale !== undefined) message.spo2_scale = spo2_scale as 1 | 2;
  if (quality !== undefined) message.quality = quality.slice();
  return message;
}
