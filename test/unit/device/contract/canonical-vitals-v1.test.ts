import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCanonicalVitalsV1 } from '../../../../device/contract/canonical-vitals-v1.ts';
import { decodePayload, encodeVitals, validatePayload, validatePayloadAt, validateVitals, type ValidationResult } from '../../../../device/contract/index.ts';
import { ACVPU, LEGACY_SEQ_BASE, QUALITY_FLAGS, type VitalsV1 } from '../../../../device/contract/vitals-v1.ts';

const SAMPLE_RAW = join(import.meta.dirname, '../../../../sample-data/raw');

/** The path without the byte reader: JSON.parse and the field-by-field validator. */
function parsedAndValidated(bytes: Uint8Array, thingName?: string): ValidationResult {
  const decoded = decodePayload(bytes);
  return decoded.ok ? validateVitals(decoded.value, thingName === undefined ? {} : { thingName }) : decoded;
}

const vital = (min: number, max: number) => fc.option(fc.integer({ min: min - 3, max: max + 3 }), { freq: 6 });
/** Messages as the simulator builds them, in the schema's field order, mostly valid. */
const message: fc.Arbitrary<VitalsV1> = fc.record({
  schema: fc.constant('vitals/1' as const),
  device_id: fc.oneof(fc.stringMatching(/^[a-zA-Z0-9:_-]{1,20}$/), fc.constantFrom('bedside-0001', 'bedside-0002', '', 'x'.repeat(129), 'bed 1', 'bed\u00e9')),
  patient_id: fc.oneof(fc.stringMatching(/^[A-Z0-9-]{1,12}$/), fc.string({ maxLength: 66 }), fc.constantFrom('', 'P"1', 'P\\1', 'P\u0001', 'P\u00e9', 'P\u{1F600}')),
  seq: fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, LEGACY_SEQ_BASE - 1, LEGACY_SEQ_BASE, 123456789012345, 1234567890123456, -1, 0.5, -0)),
  timestamp: fc.oneof(
    fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2026-11-24T08:15:30Z', '2026-11-24T08:15:30.1Z', '2025-02-29T00:00:00.000Z', '2026-11-24 08:15:30.000Z', 'yesterday'),
  ),
  heart_rate: vital(0, 300), spo2: vital(50, 100), respiratory_rate: vital(0, 80), systolic_bp: vital(30, 300), diastolic_bp: vital(10, 200),
  temperature_c: fc.option(fc.oneof(fc.double({ min: 24, max: 46, noNaN: true }), fc.integer({ min: 240, max: 460 }).map((t) => t / 10), fc.constantFrom(36.8, 37, 25, 45, 45.000000000000001, 24.99999999999999)), { freq: 6 }),
  on_oxygen: fc.boolean(),
  spo2_scale: fc.constantFrom(1, 2, 3, 1.5),
  ward: fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,10}$/), fc.string({ maxLength: 66 })),
  bed: fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,10}$/), fc.string({ maxLength: 34 })),
  consciousness: fc.option(fc.constantFrom<string>(...ACVPU, 'Z', 'AA', ''), { freq: 6 }),
  quality: fc.array(fc.constantFrom<string>(...QUALITY_FLAGS, 'bogus'), { maxLength: 7 }),
  battery_pct: fc.oneof(fc.integer({ min: -1, max: 101 }), fc.double({ min: -1, max: 101, noNaN: true }), fc.constantFrom(0.1, 99.9, 100, 12.5)),
}, { requiredKeys: ['schema', 'device_id', 'patient_id', 'seq', 'timestamp', 'heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'on_oxygen', 'ward', 'bed', 'consciousness', 'battery_pct'] }) as fc.Arbitrary<VitalsV1>;

/** The schema's field order (what encodeVitals writes), whatever order the record arbitrary built. */
const FIELD_ORDER = ['schema', 'device_id', 'patient_id', 'seq', 'timestamp', 'heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'on_oxygen', 'spo2_scale', 'ward', 'bed', 'consciousness', 'quality', 'battery_pct'];
const inSchemaOrder = (m: VitalsV1): VitalsV1 =>
  Object.fromEntries(FIELD_ORDER.filter((key) => key in m).map((key) => [key, m[key as keyof VitalsV1]])) as VitalsV1;

/** Valid messages with values as the vitals model rounds them (whole units, temperature and battery to 0.1). */
const validMessage: fc.Arbitrary<VitalsV1> = fc.record({
  schema: fc.constant('vitals/1' as const),
  device_id: fc.stringMatching(/^[a-zA-Z0-9:_-]{1,20}$/),
  patient_id: fc.stringMatching(/^[ !#-\[\]-~]{1,20}$/),
  seq: fc.oneof(fc.nat(), fc.constant(LEGACY_SEQ_BASE - 1)),
  timestamp: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  heart_rate: fc.option(fc.integer({ min: 0, max: 300 })), spo2: fc.option(fc.integer({ min: 50, max: 100 })),
  respiratory_rate: fc.option(fc.integer({ min: 0, max: 80 })), systolic_bp: fc.constant(180), diastolic_bp: fc.option(fc.integer({ min: 10, max: 170 })),
  temperature_c: fc.option(fc.integer({ min: 250, max: 450 }).map((t) => t / 10)),
  on_oxygen: fc.boolean(), spo2_scale: fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>,
  ward: fc.stringMatching(/^[ !#-\[\]-~]{1,20}$/), bed: fc.stringMatching(/^[ !#-\[\]-~]{1,20}$/),
  consciousness: fc.option(fc.constantFrom(...ACVPU)),
  quality: fc.array(fc.constantFrom(...QUALITY_FLAGS), { minLength: 1, maxLength: 3 }),
  battery_pct: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 1000 }).map((b) => b / 10)),
}, { requiredKeys: ['schema', 'device_id', 'patient_id', 'seq', 'timestamp', 'heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'on_oxygen', 'ward', 'bed', 'consciousness', 'battery_pct'] }) as fc.Arbitrary<VitalsV1>;

const canonicalText = fc.oneof(validMessage, message).map((m) => encodeVitals(inSchemaOrder(m)));
/** The same messages written another way: spaces, a field moved, numbers in another notation, escapes. */
const otherLayouts = fc.tuple(message, fc.constantFrom('spaces', 'moved', 'exponent', 'fraction', 'escape', 'duplicate', 'extra', 'leading-zero')).map(([m, how]) => {
  const text = encodeVitals(inSchemaOrder(m));
  switch (how) {
    case 'spaces': return JSON.stringify(inSchemaOrder(m), null, 1);
    case 'moved': return JSON.stringify(Object.fromEntries(Object.entries(inSchemaOrder(m)).reverse()));
    case 'exponent': return text.replace(/"seq":(\d+)/, (_, n: string) => `"seq":${n}e0`);
    case 'fraction': return text.replace(/"heart_rate":(\d+)/, (_, n: string) => `"heart_rate":${n}.0`);
    case 'escape': return text.replace('"ward":"', '"ward":"\\u0077');
    case 'duplicate': return text.replace('{', '{"bed":"x",');
    case 'extra': return text.replace('}', ',"firmware":"1.2"}');
    default: return text.replace(/"spo2":(\d+)/, (_, n: string) => `"spo2":0${n}`);
  }
});
/** A byte inserted, removed or replaced somewhere: most of these are not JSON, some are other messages. */
const mutatedBytes = fc.tuple(canonicalText, fc.nat(), fc.constantFrom('', '"', '\\', ',', '}', ' ', '0', '9', '.', '-', 'e', 'n', '[', ']', '\u0000', '\u00ff'), fc.boolean())
  .map(([text, at, insert, replace]) => {
    const bytes = Buffer.from(text, 'utf8');
    const cut = at % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, cut), Buffer.from(insert, 'latin1'), bytes.subarray(cut + (replace ? 1 : 0))]);
  });

describe('readCanonicalVitalsV1', () => {
  it('gives validatePayload the outcome of JSON.parse and the validator, for any bytes', () => {
    let read = 0;
    fc.assert(fc.property(fc.oneof(canonicalText.map((text) => Buffer.from(text)), otherLayouts.map((text) => Buffer.from(text)), mutatedBytes), fc.boolean(), (bytes, withThing) => {
      const thing = withThing ? 'bedside-0001' : undefined;
      if (readCanonicalVitalsV1(bytes) !== undefined) read += 1;
      const context = thing === undefined ? {} : { thingName: thing };
      const expected = parsedAndValidated(bytes, thing);
      expect(validatePayload(bytes, context)).toStrictEqual(expected);
      // The same bytes in the middle of a bigger buffer (the ETL's payload arena), read in place.
      const arena = Buffer.concat([Buffer.from('}{"x":'), bytes, Buffer.from('{"schema":"vitals/1"')]);
      expect(validatePayloadAt(arena, 6, 6 + bytes.byteLength, context)).toStrictEqual(expected);
    }), { numRuns: 10_000, seed: 20261201 });
    expect(read).toBeGreaterThan(1_000);
  });

  it('reads every valid message in the simulator\'s layout with model-rounded values', () => {
    fc.assert(fc.property(validMessage, (m) => {
      const bytes = Buffer.from(encodeVitals(inSchemaOrder(m)));
      expect(readCanonicalVitalsV1(bytes)).toStrictEqual(inSchemaOrder(m));
    }), { numRuns: 5_000, seed: 20261202 });
  });

  it('reads every message of the sample data (written by the vitals model)', () => {
    const lines = readdirSync(SAMPLE_RAW).filter((name) => name.endsWith('.jsonl'))
      .flatMap((name) => readFileSync(join(SAMPLE_RAW, name), 'utf8').split('\n').filter((line) => line.length > 0));
    expect(lines.length).toBeGreaterThan(1_000);
    const unread = lines.filter((line) => readCanonicalVitalsV1(Buffer.from(line)) === undefined);
    expect(unread).toEqual([]);
  });

  it('leaves other layouts and notations to JSON.parse', () => {
    const text = encodeVitals({
      schema: 'vitals/1', device_id: 'bedside-0001', patient_id: 'P1', seq: 7, timestamp: '2026-11-24T08:15:30.250Z', heart_rate: 80, spo2: 97,
      respiratory_rate: 16, systolic_bp: 120, diastolic_bp: 80, temperature_c: 36.8, on_oxygen: false, ward: 'w', bed: 'b', consciousness: 'A', battery_pct: 90,
    });
    expect(readCanonicalVitalsV1(Buffer.from(text))).toBeDefined();
    for (const other of [text.replace('"seq":7', '"seq":7e0'), text.replace('"seq":7', '"seq": 7'), text.replace('"ward":"w"', '"ward":"\\u0077"'), ` ${text}`, `${text} `]) {
      expect(readCanonicalVitalsV1(Buffer.from(other)), other).toBeUndefined();
      expect(validatePayload(Buffer.from(other))).toStrictEqual(parsedAndValidated(Buffer.from(other)));
    }
  });
});
