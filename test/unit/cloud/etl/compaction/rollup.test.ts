import { describe, expect, it } from 'vitest';
import type { CuratedRow } from '../../../../../cloud/etl/curated-row.ts';
import { decodeRollup, encodeRollup, replaceHour, rollupHour, rollupKey } from '../../../../../cloud/etl/compaction/rollup.ts';

function reading(patient_key: string, vitals: Partial<CuratedRow>): CuratedRow {
  return {
    patient_key, heart_rate: null, spo2: null, respiratory_rate: null, systolic_bp: null, diastolic_bp: null, temperature_c: null,
    map_mmhg: null, news2_total: 0, ...vitals,
  } as CuratedRow;
}

describe('rollupHour', () => {
  it('sums, counts and bounds each vital per patient, ignoring nulls as avg() does', () => {
    const rows = rollupHour('07', [
      reading('b', { heart_rate: 80, spo2: 97, temperature_c: 37.1, news2_total: 1 }),
      reading('a', { heart_rate: 120, spo2: 91, respiratory_rate: 24, systolic_bp: 100, diastolic_bp: 60, temperature_c: 38.2, map_mmhg: 73, news2_total: 6 }),
      reading('a', { heart_rate: 100, spo2: null, respiratory_rate: 20, systolic_bp: 110, diastolic_bp: 70, temperature_c: 37.9, news2_total: 4 }),
      reading('a', { heart_rate: null, news2_total: 2 }),
    ]);
    expect(rows.map((row) => row.patient_key)).toEqual(['a', 'b']);
    expect(rows[0]).toEqual({
      patient_key: 'a', hour: '07', readings: 3,
      heart_rate_count: 2, heart_rate_sum: 220, heart_rate_min: 100, heart_rate_max: 120,
      spo2_count: 1, spo2_sum: 91, spo2_min: 91,
      respiratory_rate_count: 2, respiratory_rate_sum: 44,
      systolic_bp_count: 2, systolic_bp_sum: 210,
      diastolic_bp_count: 2, diastolic_bp_sum: 130,
      temperature_c_count: 2, temperature_c_sum: 38.2 + 37.9, temperature_c_max: 38.2,
      map_mmhg_count: 1, map_mmhg_sum: 73, map_mmhg_min: 73,
      news2_max: 6,
    });
    expect(rows[1]).toMatchObject({ readings: 1, respiratory_rate_count: 0, respiratory_rate_sum: null, news2_max: 1 });
  });
});

describe('replaceHour', () => {
  it('replaces only the hour being rolled up again and keeps the day sorted by hour and patient', () => {
    const day = [...rollupHour('05', [reading('a', { heart_rate: 60 })]), ...rollupHour('06', [reading('a', { heart_rate: 61 })])];
    const redone = replaceHour(day, '05', rollupHour('05', [reading('b', { heart_rate: 70 }), reading('a', { heart_rate: 62 })]));
    expect(redone.map((row) => [row.hour, row.patient_key, row.heart_rate_sum])).toEqual([['05', 'a', 62], ['05', 'b', 70], ['06', 'a', 61]]);
  });
});

describe('encodeRollup / decodeRollup', () => {
  it('round-trips a day of rollup rows through Parquet, nulls included', async () => {
    const rows = replaceHour([], '09', rollupHour('09', [reading('a', { heart_rate: 88, temperature_c: 36.6 }), reading('b', {})]));
    expect(await decodeRollup(rollupKey('2026-11-24'), encodeRollup(rows))).toEqual(rows);
  });

  it('names one file per day under the rollup prefix', () => {
    expect(rollupKey('2026-11-24')).toBe('rollup/hourly/dt=2026-11-24/rollup.parquet');
  });

  it('refuses bytes that are not Parquet, saying how to rebuild the day', async () => {
    await expect(decodeRollup('rollup/hourly/dt=2026-11-24/rollup.parquet', new Uint8Array([1, 2, 3]))).rejects.toThrow(/remove it and the next pass rebuilds the day/);
  });
});
