import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  ACVPU, isLegacySeq, LEGACY_SEQ_BASE, MAX_PAYLOAD_BYTES, QUALITY_FLAGS, REASON_CODES, VITAL_BOUNDS, encodeVitals, validatePayload,
  validateVitals, type VitalsV1,
} from '../../../../device/contract/index.ts';
import { JSON_SCHEMA_PATH, renderJsonSchema } from '../../../../device/contract/write-json-schema.ts';

const valid: VitalsV1 = {
  schema: 'vitals/1', device_id: 'bedside-0001', patient_id: 'MRN-000123', seq: 42,
  timestamp: '2026-11-24T08:15:30.250Z', heart_rate: 88, spo2: 96, respiratory_rate: 18,
  systolic_bp: 124, diastolic_bp: 78, temperature_c: 37.2, on_oxygen: false, spo2_scale: 1,
  ward: 'ward-a', bed: 'a-03', consciousness: 'A', quality: [], battery_pct: 81.5,
};
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('validatePayload on vitals v1', () => {
  it('round-trips every field of a valid message', () => {
    const result = validatePayload(bytes(encodeVitals(valid)), { thingName: 'bedside-0001' });
    expect(result).toEqual({
      ok: true,
      reading: {
        source_schema: 'vitals/1', device_id: 'bedside-0001', patient_id: 'MRN-000123', seq: 42,
        timestamp: '2026-11-24T08:15:30.250Z', measured_at_ms: Date.parse('2026-11-24T08:15:30.250Z'),
        heart_rate: 88, spo2: 96, respiratory_rate: 18, systolic_bp: 124, diastolic_bp: 78,
        temperature_c: 37.2, map_mmhg: null, on_oxygen: false, spo2_scale: 1, ward: 'ward-a', bed: 'a-03',
        consciousness: 'A', quality: [], battery_pct: 81.5, time_scale: 1,
      },
    });
  });

  it('takes the simulated time_scale of an accelerated monitor, 1 when absent, and refuses a non-positive one', () => {
    const accelerated = validatePayload(bytes(encodeVitals({ ...valid, time_scale: 60 })), { thingName: 'bedside-0001' });
    expect(accelerated.ok && accelerated.reading.time_scale).toBe(60);
    const zero = validatePayload(bytes(encodeVitals({ ...valid, time_scale: 0 })), { thingName: 'bedside-0001' });
    expect(zero.ok).toBe(false);
    expect(!zero.ok && zero.reasons.map((reason) => reason.field)).toContain('time_scale');
  });

  it('defaults the SpO2 scale to 1 and quality to none when left out', () => {
    const { spo2_scale: _scale, quality: _quality, ...minimal } = valid;
    const result = validateVitals(minimal);
    expect(result.ok && result.reading.spo2_scale).toBe(1);
    expect(result.ok && result.reading.quality).toEqual([]);
  });

  it.each(Object.keys(valid).filter((k) => !['spo2_scale', 'quality'].includes(k)))('reports missing_field for a missing %s', (field) => {
    const { [field]: _removed, ...rest } = valid as Record<string, unknown>;
    const result = validateVitals(rest);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const expected = field === 'schema' ? 'unknown_schema' : 'missing_field';
      expect(result.reasons).toContainEqual(expect.objectContaining({ code: expected, field }));
    }
  });

  it.each(['heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp', 'temperature_c', 'battery_pct', 'seq', 'device_id', 'on_oxygen'])(
    'reports wrong_type for a string in %s', (field) => {
      const result = validateVitals({ ...valid, [field]: field === 'device_id' ? 7 : '88' });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reasons).toContainEqual(expect.objectContaining({ code: 'wrong_type', field }));
    });

  it.each(Object.entries(VITAL_BOUNDS))('reports out_of_range just outside the bounds of %s', (field, bounds) => {
    for (const value of [bounds.min - 1, bounds.max + 1]) {
      const result = validateVitals({ ...valid, [field]: value, ...(field === 'diastolic_bp' ? { systolic_bp: 299 } : {}) });
      expect(result.ok, `${field}=${value}`).toBe(false);
      if (!result.ok) expect(result.reasons).toContainEqual(expect.objectContaining({ code: 'out_of_range', field }));
    }
  });

  it('accepts the bounds themselves', () => {
    expect(validateVitals({ ...valid, heart_rate: 300, spo2: 50, temperature_c: 25 }).ok).toBe(true);
  });

  it('rejects an unknown schema version with unknown_schema', () => {
    const result = validateVitals({ ...valid, schema: 'vitals/2' });
    expect(result).toMatchObject({ ok: false, reasons: [{ code: 'unknown_schema', field: 'schema' }] });
  });

  it('rejects a timestamp that is not ISO-8601 UTC', () => {
    for (const timestamp of ['2026-11-24 08:15:30', '2026-11-24T08:15:30+01:00', 'yesterday', '2026-13-45T99:00:00Z']) {
      const result = validateVitals({ ...valid, timestamp });
      expect(result.ok, timestamp).toBe(false);
      if (!result.ok) expect(result.reasons[0]!.code).toBe('bad_timestamp');
    }
  });

  it('rejects oversize, non-UTF-8 and non-JSON payloads with their own codes', () => {
    expect(validatePayload(Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20))).toMatchObject({ ok: false, reasons: [{ code: 'oversize' }] });
    expect(validatePayload(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({ ok: false, reasons: [{ code: 'not_utf8' }] });
    expect(validatePayload(bytes('{"schema": "vitals/1",'))).toMatchObject({ ok: false, reasons: [{ code: 'not_json' }] });
    expect(validatePayload(bytes('[1,2]'))).toMatchObject({ ok: false, reasons: [{ code: 'not_object' }] });
  });

  it('rejects a device_id other than the publishing thing', () => {
    const result = validatePayload(bytes(valid), { thingName: 'bedside-0002' });
    expect(result).toMatchObject({ ok: false, reasons: [{ code: 'device_mismatch' }] });
  });

  it('rejects a null vital without a quality flag saying why, and accepts it with one', () => {
    expect(validateVitals({ ...valid, spo2: null, quality: [] })).toMatchObject({ ok: false, reasons: [{ code: 'inconsistent', field: 'spo2' }] });
    expect(validateVitals({ ...valid, spo2: null, quality: ['spo2_probe_off'] }).ok).toBe(true);
  });

  it('rejects a diastolic pressure at or above the systolic', () => {
    expect(validateVitals({ ...valid, systolic_bp: 80, diastolic_bp: 80 })).toMatchObject({ ok: false, reasons: [{ code: 'inconsistent' }] });
  });
});

describe('validateVitals on the legacy sample format', () => {
  it('normalises Fahrenheit to Celsius and derives device and seq', () => {
    const result = validatePayload(bytes({ patient_id: 'P001', heart_rate: 72, temperature: 98.6, timestamp: '2024-03-01T08:00:00Z' }));
    expect(result).toMatchObject({
      ok: true,
      reading: {
        source_schema: 'legacy', device_id: 'legacy-P001', patient_id: 'P001', heart_rate: 72, temperature_c: 37,
        seq: LEGACY_SEQ_BASE + Date.parse('2024-03-01T08:00:00Z'), spo2: null, quality: ['not_measured'],
      },
    });
  });

  it('keys a legacy reading above every vitals/1 seq, so a reading at epoch ms 5 is not seq 5', () => {
    const legacy = validatePayload(bytes({ patient_id: 'P1', heart_rate: 72, temperature: 98.6, timestamp: '1970-01-01T00:00:00.005Z' }), { thingName: 'bedside-0003' });
    const v1 = validateVitals({ ...valid, device_id: 'bedside-0003', seq: 5 });
    expect(legacy).toMatchObject({ ok: true, reading: { device_id: 'bedside-0003', seq: LEGACY_SEQ_BASE + 5 } });
    expect(v1).toMatchObject({ ok: true, reading: { device_id: 'bedside-0003', seq: 5 } });
    expect(isLegacySeq((legacy as { reading: { seq: number } }).reading.seq)).toBe(true);
    expect(isLegacySeq(5)).toBe(false);
  });

  it('rejects a legacy timestamp before 1970 (its key would be below the legacy range) as bad_timestamp', () => {
    for (const timestamp of ['1000-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z']) {
      const result = validatePayload(bytes({ patient_id: 'P1', heart_rate: 72, temperature: 98.6, timestamp }));
      expect(result, timestamp).toMatchObject({ ok: false, reasons: [{ code: 'bad_timestamp', field: 'timestamp' }] });
    }
  });

  it('keeps every legacy key a safe integer, up to year 9999', () => {
    const result = validatePayload(bytes({ patient_id: 'P1', heart_rate: 72, temperature: 98.6, timestamp: '9999-12-31T23:59:59.999Z' }));
    expect(result.ok).toBe(true);
    expect(Number.isSafeInteger((result as { reading: { seq: number } }).reading.seq)).toBe(true);
  });
});

describe('vitals/1 seq', () => {
  it('stays below the legacy key range (2^52)', () => {
    expect(validateVitals({ ...valid, seq: LEGACY_SEQ_BASE - 1 }).ok).toBe(true);
    expect(validateVitals({ ...valid, seq: LEGACY_SEQ_BASE })).toMatchObject({ ok: false, reasons: [{ code: 'out_of_range', field: 'seq' }] });
    expect(validatePayload(bytes({ ...valid, seq: LEGACY_SEQ_BASE }))).toMatchObject({ ok: false, reasons: [{ code: 'out_of_range', field: 'seq' }] });
  });

  it('takes the thing name from the context and reads a zone-less timestamp as UTC', () => {
    const result = validatePayload(bytes({ patient_id: 7, heart_rate: 101.4, temperature: 102.2, timestamp: '2024-03-01 08:00:00.5' }), { thingName: 'bedside-0009' });
    expect(result).toMatchObject({ ok: true, reading: { device_id: 'bedside-0009', patient_id: '7', heart_rate: 101, temperature_c: 39, timestamp: '2024-03-01T08:00:00.500Z' } });
  });

  it('rejects a legacy temperature that cannot be Fahrenheit', () => {
    const result = validatePayload(bytes({ patient_id: 'P1', heart_rate: 72, temperature: 37.0, timestamp: '2024-03-01T08:00:00Z' }));
    expect(result).toMatchObject({ ok: false, reasons: [{ code: 'out_of_range', field: 'temperature' }] });
  });
});

const validMessage: fc.Arbitrary<VitalsV1> = fc.record({
  schema: fc.constant('vitals/1' as const),
  device_id: fc.stringMatching(/^[a-zA-Z0-9:_-]{1,128}$/),
  patient_id: fc.string({ minLength: 1, maxLength: 64 }),
  seq: fc.oneof(fc.nat(), fc.constant(LEGACY_SEQ_BASE - 1)),
  timestamp: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  heart_rate: fc.integer({ min: 0, max: 300 }),
  spo2: fc.integer({ min: 50, max: 100 }),
  respiratory_rate: fc.integer({ min: 0, max: 80 }),
  systolic_bp: fc.integer({ min: 60, max: 300 }),
  diastolic_bp: fc.integer({ min: 10, max: 59 }),
  temperature_c: fc.double({ min: 25, max: 45, noNaN: true }),
  map_mmhg: fc.option(fc.integer({ min: 20, max: 250 }), { nil: undefined }),
  on_oxygen: fc.boolean(),
  spo2_scale: fc.constantFrom(1 as const, 2 as const),
  ward: fc.string({ minLength: 1, maxLength: 64 }),
  bed: fc.string({ minLength: 1, maxLength: 32 }),
  consciousness: fc.constantFrom(...ACVPU),
  quality: fc.uniqueArray(fc.constantFrom(...QUALITY_FLAGS), { maxLength: 3 }),
  battery_pct: fc.double({ min: 0, max: 100, noNaN: true }),
  time_scale: fc.option(fc.double({ min: 0.001, max: 3_600, noNaN: true }), { nil: undefined }),
});

/** Mutations a broken device, a bit flip or a hostile client produces. */
const mutated: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(validMessage, fc.constantFrom(...Object.keys(valid)), fc.anything()).map(([m, key, value]) => bytes({ ...m, [key]: value })),
  fc.tuple(validMessage, fc.constantFrom(...Object.keys(valid))).map(([m, key]) => { const c: Record<string, unknown> = { ...m }; delete c[key]; return bytes(c); }),
  fc.tuple(validMessage, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([m, at, byte]) => { const b = bytes(m); b[at % b.length] = byte; return b; }),
  fc.tuple(validMessage, fc.nat()).map(([m, cut]) => { const b = bytes(m); return b.subarray(0, cut % b.length); }),
  fc.uint8Array({ maxLength: 600 }),
  fc.jsonValue().map((v) => bytes(JSON.stringify(v) ?? 'null')),
  fc.integer({ min: MAX_PAYLOAD_BYTES + 1, max: MAX_PAYLOAD_BYTES * 3 }).map((n) => Buffer.alloc(n, 0x61)),
);

describe('validatePayload under property tests', () => {
  it('round-trips every valid message', () => {
    fc.assert(fc.property(validMessage, (message) => {
      const result = validatePayload(bytes(encodeVitals(message)));
      expect(result.ok).toBe(true);
      if (result.ok) {
        const { source_schema: _s, measured_at_ms: _m, ...reading } = result.reading;
        expect(reading).toEqual({ ...message, map_mmhg: message.map_mmhg ?? null, time_scale: message.time_scale ?? 1, schema: undefined, timestamp: new Date(message.timestamp).toISOString() } as unknown as typeof reading);
      }
    }), { numRuns: 3_000 });
  });

  it('never throws on 10,000 random and mutated payloads and gives every rejection a known reason code', () => {
    let rejected = 0;
    fc.assert(fc.property(mutated, (payload) => {
      const result = validatePayload(payload);
      if (!result.ok) {
        rejected += 1;
        expect(result.reasons.length).toBeGreaterThan(0);
        for (const reason of result.reasons) {
          expect(REASON_CODES).toContain(reason.code);
          expect(reason.message.length).toBeGreaterThan(0);
        }
      }
    }), { numRuns: 10_000 });
    expect(rejected).toBeGreaterThan(5_000);
  });
});

describe('the JSON Schema export', () => {
  it('is committed and matches the schema in code (run npm run schema after changing it)', () => {
    expect(readFileSync(JSON_SCHEMA_PATH, 'utf8')).toBe(renderJsonSchema());
  });

  it('lists every required contract field', () => {
    const schema = JSON.parse(renderJsonSchema()) as { required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['schema', 'device_id', 'patient_id', 'seq', 'timestamp', 'heart_rate', 'on_oxygen', 'consciousness', 'battery_pct']));
  });
});
