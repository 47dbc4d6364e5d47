/**
 * The wire contract, vitals v1 (DESIGN §4): defined once, built by the simulator, validated by the ETL.
 * Compact JSON, snake_case, explicit units, one measurement per message.
 */
import { z } from 'zod';
import { VITALS_SCHEMA_ID } from './schema-id.ts';
import { THING_NAME_PATTERN } from './topics.ts';
import { MEASUREMENT_FIELDS, MEASUREMENTS, type Measurement, type MeasurementField } from './measurements.ts';

export { VITALS_SCHEMA_ID };

/** ACVPU: Alert, new Confusion, responds to Voice, to Pain, Unresponsive (NEWS2 consciousness). */
export const ACVPU = ['A', 'C', 'V', 'P', 'U'] as const;
export type Acvpu = (typeof ACVPU)[number];

/** Why a value is missing or suspect. A flagged value is null or kept as measured, never invented. */
export const QUALITY_FLAGS = [
  'spo2_probe_off',
  'motion_artefact',
  'sensor_dropout',
  'bp_cuff_error',
  'low_perfusion',
  'not_measured',
] as const;
export type QualityFlag = (typeof QUALITY_FLAGS)[number];

/**
 * Plausibility bounds of the measurements (measurements.ts) and of the monitor's battery: outside them a
 * reading is a sensor or software fault, not a patient.
 */
export const VITAL_BOUNDS = {
  ...(Object.fromEntries(MEASUREMENT_FIELDS.map((name) => [name, { min: MEASUREMENTS[name].min, max: MEASUREMENTS[name].max, unit: MEASUREMENTS[name].unit }])) as
    { [K in MeasurementField]: { min: (typeof MEASUREMENTS)[K]['min']; max: (typeof MEASUREMENTS)[K]['max']; unit: (typeof MEASUREMENTS)[K]['unit'] } }),
  battery_pct: { min: 0, max: 100, unit: '%' },
} as const;
export type BoundedVital = keyof typeof VITAL_BOUNDS;

/**
 * Where the keys of legacy readings start (DESIGN §4): a legacy sender has no sequence number, so its
 * reading's key is LEGACY_SEQ_BASE + the epoch ms of its measurement, and a vitals/1 seq stays below it.
 * The two ranges never meet, a legacy key is never negative (a legacy timestamp before 1970 is rejected)
 * and stays a safe integer (2^52 + epoch ms of year 9999 < 2^53), so it fits the INT64 seq column and
 * JavaScript numbers alike. The SQL that tells them apart (device-gaps-and-duplicates) uses this literal.
 */
export const LEGACY_SEQ_BASE = 2 ** 52;

/** The key of a legacy reading measured at `measuredAtMs` (>= 0), in its own range above every vitals/1 seq. */
export function legacySeq(measuredAtMs: number): number {
  return LEGACY_SEQ_BASE + measuredAtMs;
}

/** Whether a curated seq is a legacy reading's key rather than a vitals/1 sequence number. */
export function isLegacySeq(seq: number): boolean {
  return seq >= LEGACY_SEQ_BASE;
}

/** Biggest payload the validator accepts: the contract keeps messages under 1 KB, so 4 KB is a fault. */
export const MAX_PAYLOAD_BYTES = 4096;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

type MeasurementSchema = z.ZodNullable<z.ZodNumber>;

/** The schema of one measurement: a bounded number (whole for 'int'), null when not measured; optional ones may be left out. */
function measurementSchema(name: MeasurementField): MeasurementSchema | z.ZodOptional<MeasurementSchema> {
  const measurement: Measurement = MEASUREMENTS[name];
  const { type, min, max, unit, description } = measurement;
  const schema = (type === 'int' ? z.number().int() : z.number()).min(min).max(max).nullable()
    .describe(`${description} (${unit}); null when not measured, with a quality flag${measurement.optional ? '; left out by monitors without it' : ''}`);
  return measurement.optional ? schema.optional() : schema;
}

const measurementSchemas = Object.fromEntries(MEASUREMENT_FIELDS.map((name) => [name, measurementSchema(name)])) as
  { [K in MeasurementField]: (typeof MEASUREMENTS)[K] extends { optional: true } ? z.ZodOptional<MeasurementSchema> : MeasurementSchema };

/** The fastest simulated time a reading may carry (npm start's --speed allows up to 3600). */
export const MAX_TIME_SCALE = 3_600;

export const VitalsV1Schema = z.object({
  schema: z.literal(VITALS_SCHEMA_ID).describe('Contract id and version'),
  device_id: z.string().regex(THING_NAME_PATTERN).describe('Thing name = MQTT client id = certificate CN'),
  patient_id: z.string().min(1).max(64).describe('Hospital patient identifier (PHI: pseudonymised in curated)'),
  seq: z.number().int().min(0).max(LEGACY_SEQ_BASE - 1)
    .describe('Per-device sequence number: monotonic, never repeats, survives restarts; below 2^52 (above is the legacy readings\' key range)'),
  timestamp: z.string().regex(ISO_UTC).describe('Measurement time, ISO-8601 UTC, device clock'),
  ...measurementSchemas,
  on_oxygen: z.boolean().describe('Supplemental oxygen in use (NEWS2 air/oxygen)'),
  spo2_scale: z.union([z.literal(1), z.literal(2)]).optional()
    .describe('NEWS2 SpO2 scale: 2 for prescribed 88-92 % target (hypercapnic respiratory failure); default 1'),
  ward: z.string().min(1).max(64).describe('Ward (thing attribute, repeated for the lake)'),
  bed: z.string().min(1).max(32).describe('Bed (thing attribute)'),
  consciousness: z.enum(ACVPU).nullable().describe('ACVPU level; null when not assessed'),
  quality: z.array(z.enum(QUALITY_FLAGS)).max(QUALITY_FLAGS.length).optional()
    .describe('Quality flags explaining null or suspect values'),
  battery_pct: z.number().min(0).max(100).describe('Monitor battery (%)'),
  time_scale: z.number().gt(0).max(MAX_TIME_SCALE).optional()
    .describe('Simulated monitors only: simulated time per wall-clock time of the patient\'s physiology (60: a wall-clock minute is an hour of the patient\'s course; timestamps stay wall-clock). Absent for a real monitor: 1'),
});

export type VitalsV1 = z.infer<typeof VitalsV1Schema>;

/** The seed's original sample format: Fahrenheit, no device, no sequence number. */
export const LegacyVitalsSchema = z.object({
  patient_id: z.union([z.string().min(1).max(64), z.number().int()]),
  heart_rate: z.number().min(VITAL_BOUNDS.heart_rate.min).max(VITAL_BOUNDS.heart_rate.max),
  temperature: z.number().min(77).max(113).describe('°F'),
  timestamp: z.string().regex(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/),
  device_id: z.string().regex(THING_NAME_PATTERN).optional(),
});
export type LegacyVitals = z.infer<typeof LegacyVitalsSchema>;

/** JSON Schema of the contract, for documentation (`npm run schema` writes it next to this file). */
export function vitalsJsonSchema(): Record<string, unknown> {
  return {
    $id: 'urn:healthcare-realtime-datalake:vitals:1',
    title: 'Bedside monitor vitals, v1',
    ...z.toJSONSchema(VitalsV1Schema, { target: 'draft-2020-12' }),
  };
}
