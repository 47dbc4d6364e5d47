import { describe, expect, it } from 'vitest';
import { MEASUREMENT_FIELDS, MEASUREMENTS, validateVitals, VITAL_BOUNDS, vitalsJsonSchema } from '../../../../device/contract/index.ts';
import { createPatientModel } from '../../../../device/vitals/index.ts';
import { COMPACTED_PARQUET_OPTIONS } from '../../../../cloud/etl/compaction/layout.ts';
import { CURATED_COLUMNS, ROLLUP_HOURLY_COLUMNS } from '../../../../cloud/lake/curated-schema.ts';
import { SERIES } from '../../../../cloud/local/dashboard/feed-types.ts';

describe('the measurement registry', () => {
  it('gives each measurement a curated column of its type, nullable, in registry order', () => {
    const columns = CURATED_COLUMNS.filter((column) => column.name in MEASUREMENTS);
    expect(columns.map((column) => column.name)).toEqual(MEASUREMENT_FIELDS);
    for (const column of columns) {
      expect(column).toMatchObject({ type: MEASUREMENTS[column.name as keyof typeof MEASUREMENTS].type, nullable: true });
    }
  });

  it('gives each rollup aggregate of each measurement a column, counts never null', () => {
    for (const name of MEASUREMENT_FIELDS) {
      for (const aggregate of MEASUREMENTS[name].rollup) {
        const column = ROLLUP_HOURLY_COLUMNS.find((candidate) => candidate.name === `${name}_${aggregate}`);
        expect(column, `${name}_${aggregate}`).toBeDefined();
        expect(column!.nullable).toBe(aggregate !== 'count');
      }
    }
  });

  it('bounds the wire schema and the validator with the registry\'s plausibility range', () => {
    const properties = vitalsJsonSchema().properties as Record<string, { anyOf: { minimum: number; maximum: number; type: string }[] }>;
    for (const name of MEASUREMENT_FIELDS) {
      const { min, max, type } = MEASUREMENTS[name];
      expect(properties[name]!.anyOf[0]).toMatchObject({ minimum: min, maximum: max, type: type === 'int' ? 'integer' : 'number' });
      expect(VITAL_BOUNDS[name]).toMatchObject({ min, max });
    }
  });

  it('charts every measurement on the dashboard and delta-encodes the ones it says in compacted hours', () => {
    expect(SERIES).toEqual([...MEASUREMENT_FIELDS, 'news2']);
    for (const name of MEASUREMENT_FIELDS) {
      const encoding: string | undefined = (MEASUREMENTS[name] as { compactedEncoding?: string }).compactedEncoding;
      expect(COMPACTED_PARQUET_OPTIONS.encodings?.[name]).toBe(encoding);
    }
  });
});

describe('an optional measurement (map_mmhg)', () => {
  const message = {
    schema: 'vitals/1', device_id: 'bedside-0001', patient_id: 'MRN-000123', seq: 42,
    timestamp: '2026-11-24T08:15:30.250Z', heart_rate: 88, spo2: 96, respiratory_rate: 18,
    systolic_bp: 124, diastolic_bp: 78, temperature_c: 37.2, on_oxygen: false, spo2_scale: 1,
    ward: 'ward-a', bed: 'a-03', consciousness: 'A', battery_pct: 81.5,
  };

  it('accepts a vitals/1 message without it, which reads as null', () => {
    const result = validateVitals(message);
    expect(result.ok && result.reading.map_mmhg).toBeNull();
  });

  it('keeps it when sent and quarantines it outside its plausible range', () => {
    const sent = validateVitals({ ...message, map_mmhg: 93 });
    expect(sent.ok && sent.reading.map_mmhg).toBe(93);
    const implausible = validateVitals({ ...message, map_mmhg: MEASUREMENTS.map_mmhg.max + 1 });
    expect(implausible.ok ? [] : implausible.reasons.map((reason) => [reason.code, reason.field])).toEqual([['out_of_range', 'map_mmhg']]);
  });

  it('is what the monitor model reports: diastolic plus a third of the pulse pressure, within the cuff pair', () => {
    const model = createPatientModel({ seed: 7, scenario: 'haemorrhage', startMs: 0, speed: 60 });
    for (let at = 0; at < 3_600_000; at += 60_000) {
      const { systolic_bp: sbp, diastolic_bp: dbp, map_mmhg: map } = model.sample(at);
      expect(map).toBe(Math.round(dbp! + (sbp! - dbp!) / 3));
      expect(map).toBeGreaterThan(dbp!);
      expect(map).toBeLessThan(sbp!);
    }
  });
});
