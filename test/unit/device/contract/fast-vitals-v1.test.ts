import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ACVPU, LEGACY_SEQ_BASE, QUALITY_FLAGS, VITAL_BOUNDS, VitalsV1Schema, type VitalsV1 } from '../../../../device/contract/vitals-v1.ts';
import { fastParseVitalsV1 } from '../../../../device/contract/fast-vitals-v1.ts';
import { canonicalUtcMillis, validateVitals } from '../../../../device/contract/validate.ts';
import { canonicalUtcMillisOfBytes } from '../../../../device/contract/timestamps.ts';

const valid: VitalsV1 = {
  schema: 'vitals/1', device_id: 'bedside-0001', patient_id: 'MRN-000123', seq: 42,
  timestamp: '2026-11-24T08:15:30.250Z', heart_rate: 88, spo2: 96, respiratory_rate: 18,
  systolic_bp: 124, diastolic_bp: 78, temperature_c: 37.2, on_oxygen: false, spo2_scale: 1,
  ward: 'ward-a', bed: 'a-03', consciousness: 'A', quality: [], battery_pct: 81.5,
};

/** Values near every edge the schema has: bounds, just past them, fractions, wrong types, odd strings. */
const edgeNumbers = [
  ...Object.values(VITAL_BOUNDS).flatMap(({ min, max }) => [min, max, min - 1, max + 1, min - 0.5, max + 0.5, min + 0.5]),
  -0, 0.1, 1, 2, 3, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -1, NaN, Infinity, -Infinity, 1e21,
];
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...edgeNumbers, null, undefined, true, false, '', 'A', 'X', 'a', '88', [], {}, 'vitals/1', 'vitals/2'),
  fc.double(), fc.integer({ min: -1_000, max: 1_000 }), fc.string({ maxLength: 70 }),
  fc.constantFrom<unknown>(...ACVPU, ...QUALITY_FLAGS),
  fc.array(fc.constantFrom<unknown>(...QUALITY_FLAGS, 'bogus', 1, null), { maxLength: 8 }),
  fc.constantFrom('2026-11-24T08:15:30Z', '2026-11-24T08:15:30.1234567890Z', '2026-11-24 08:15:30Z', '2026-11-24T08:15:30.250Z\n', 'bedside 1', 'x'.repeat(129), 'x'.repeat(33), 'x'.repeat(65)),
);

/** A random field of the contract (or an unknown one) set to a random value, or removed. */
const mutation = fc.record({
  field: fc.constantFrom(...Object.keys(valid), 'extra'),
  value: anyValue,
  remove: fc.boolean(),
});

const mutated = fc.array(mutation, { minLength: 0, maxLength: 4 }).map((mutations) => {
  const message: Record<string, unknown> = { ...valid, quality: [...valid.quality!] };
  for (const { field, value, remove } of mutations) {
    if (remove) delete message[field];
    else message[field] = value;
  }
  return message;
});

/** Fully random messages from the schema's own value ranges (mostly valid). */
const generated = fc.record({
  schema: fc.constant('vitals/1'),
  device_id: fc.stringMatching(/^[a-zA-Z0-9:_-]{1,20}$/),
  patient_id: fc.string({ minLength: 0, maxLength: 66 }),
  seq: fc.oneof(fc.nat(), fc.constantFrom(LEGACY_SEQ_BASE - 1, LEGACY_SEQ_BASE, Number.MAX_SAFE_INTEGER, -1, 0.5)),
  timestamp: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  heart_rate: fc.option(fc.integer({ min: -5, max: 305 })),
  spo2: fc.option(fc.integer({ min: 45, max: 105 })),
  respiratory_rate: fc.option(fc.integer({ min: -2, max: 82 })),
  systolic_bp: fc.option(fc.integer({ min: 25, max: 305 })),
  diastolic_bp: fc.option(fc.integer({ min: 5, max: 205 })),
  temperature_c: fc.option(fc.double({ min: 24, max: 46, noNaN: true })),
  on_oxygen: fc.boolean(),
  spo2_scale: fc.constantFrom(1, 2, 3),
  ward: fc.string({ minLength: 0, maxLength: 66 }),
  bed: fc.string({ minLength: 0, maxLength: 34 }),
  consciousness: fc.option(fc.constantFrom<string>(...ACVPU, 'Z')),
  quality: fc.array(fc.constantFrom<string>(...QUALITY_FLAGS), { maxLength: 7 }),
  battery_pct: fc.double({ min: -1, max: 101, noNaN: true }),
}, { requiredKeys: ['schema', 'device_id', 'patient_id', 'seq', 'timestamp', 'on_oxygen', 'ward', 'bed', 'battery_pct', 'heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'consciousness'] });

describe('fastParseVitalsV1', () => {
  it('accepts exactly what VitalsV1Schema accepts, with identical data, on 10,000 mutated and random messages', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.oneof(mutated, generated), (message) => {
        const zod = VitalsV1Schema.safeParse(message);
        const fast = fastParseVitalsV1(message);
        expect(fast !== undefined).toBe(zod.success);
        if (zod.success) {
          expect(fast).toStrictEqual(zod.data);
          accepted += 1;
        } else {
          rejected += 1;
        }
      }),
      { numRuns: 10_000, seed: 20261124 },
    );
    // Both sides of the boundary were exercised, not just one.
    expect(accepted).toBeGreaterThan(1_000);
    expect(rejected).toBeGreaterThan(1_000);
  });

  it('strips unknown fields and copies the quality array, as zod does', () => {
    const input = { ...valid, quality: ['motion_artefact'], firmware: '1.2.3' };
    const message = fastParseVitalsV1(input);
    expect(message).toStrictEqual(VitalsV1Schema.parse(input));
    expect(message && 'firmware' in message).toBe(false);
    expect(message?.quality).not.toBe(input.quality);
  });

  it('reads its bounds from the schema: one past each vital bound is refused', () => {
    for (const [field, { min, max }] of Object.entries(VITAL_BOUNDS)) {
      const extra = field === 'diastolic_bp' ? { systolic_bp: 299 } : {};
      expect(fastParseVitalsV1({ ...valid, ...extra, [field]: min }), `${field}=${min}`).toBeDefined();
      expect(fastParseVitalsV1({ ...valid, ...extra, [field]: max }), `${field}=${max}`).toBeDefined();
      expect(fastParseVitalsV1({ ...valid, ...extra, [field]: min - 1 }), `${field}=${min - 1}`).toBeUndefined();
      expect(fastParseVitalsV1({ ...valid, ...extra, [field]: max + 1 }), `${field}=${max + 1}`).toBeUndefined();
    }
  });
});

describe('canonicalUtcMillis', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const timestamp = fc.tuple(
    fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1900, 2000, 2024, 2025, 2100)),
    fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }),
    fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 999 }).map((ms) => `.${pad(ms, 3)}`), fc.stringMatching(/^\.\d{1,9}$/)),
  ).map(([y, mo, d, h, mi, s, fraction]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${fraction}Z`);

  it('agrees with Date.parse and toISOString whenever it answers, on 10,000 timestamps of the contract form', () => {
    let answered = 0;
    fc.assert(
      fc.property(timestamp, (text) => {
        const ms = canonicalUtcMillis(text);
        // The byte reader's variant answers the same for the same text.
        expect(canonicalUtcMillisOfBytes(Buffer.from(`"${text}"`), 1, text.length + 1)).toBe(ms);
        if (ms === undefined) return;
        answered += 1;
        expect(ms).toBe(Date.parse(text));
        expect(new Date(ms).toISOString()).toBe(text);
      }),
      { numRuns: 10_000, seed: 20261124 },
    );
    expect(answered).toBeGreaterThan(1_000);
  });

  it('leaves impossible dates and other forms to Date.parse', () => {
    for (const text of ['2025-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z']) {
      expect(canonicalUtcMillis(text), text).toBeUndefined();
    }
    expect(canonicalUtcMillis('2024-02-29T23:59:59.999Z')).toBe(Date.parse('2024-02-29T23:59:59.999Z'));
  });

  it('gives validateVitals the same reading as the Date.parse path', () => {
    for (const text of ['2026-11-24T08:15:30.250Z', '2026-11-24T08:15:30Z', '2026-11-24T08:15:30.2Z', '2024-02-29T12:00:00.000Z']) {
      const result = validateVitals({ ...valid, timestamp: text });
      expect(result.ok && [result.reading.timestamp, result.reading.measured_at_ms]).toEqual([new Date(Date.parse(text)).toISOString(), Date.parse(text)]);
    }
  });
});
