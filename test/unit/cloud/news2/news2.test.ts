import { describe, expect, it } from 'vitest';
import { news2, type News2Input, type News2Parameter } from '../../../../cloud/news2/news2.ts';
import { validateVitals } from '../../../../device/contract/index.ts';

/** A reading that scores 0 on every parameter (scale 1, on air, alert). */
const NORMAL: News2Input = {
  respiratory_rate: 16, spo2: 98, spo2_scale: 1, on_oxygen: false,
  systolic_bp: 120, heart_rate: 70, consciousness: 'A', temperature_c: 37.0,
};

const scoreOf = (parameter: News2Parameter, change: Partial<News2Input>): number | null =>
  news2({ ...NORMAL, ...change }).subscores[parameter];

// Each row: a value at both sides of every boundary of the RCP NEWS2 chart 1 (2017), with the expected
// sub-score. Values off the chart's resolution check the documented half-up rounding.
describe('NEWS2 sub-scores at every chart boundary', () => {
  it.each([
    [0, 3], [8, 3], [8.4, 3], [8.5, 1], [9, 1], [11, 1], [11.5, 0], [12, 0], [20, 0], [20.4, 0],
    [20.5, 2], [21, 2], [24, 2], [25, 3], [60, 3],
  ])('scores respiration rate %s /min as %i', (value, expected) => {
    expect(scoreOf('respiration', { respiratory_rate: value })).toBe(expected);
  });

  it.each([
    [50, 3], [91, 3], [91.4, 3], [91.5, 2], [92, 2], [93, 2], [94, 1], [95, 1], [96, 0], [100, 0],
  ])('scores SpO2 %s %% on scale 1 as %i, on air or on oxygen', (value, expected) => {
    expect(scoreOf('spo2', { spo2: value, on_oxygen: false })).toBe(expected);
    expect(scoreOf('spo2', { spo2: value, on_oxygen: true })).toBe(expected);
  });

  it.each([
    [70, false, 3], [83, false, 3], [84, false, 2], [85, false, 2], [86, false, 1], [87, false, 1],
    [88, false, 0], [92, false, 0], [93, false, 0], [97, false, 0], [100, false, 0],
    [88, true, 0], [92, true, 0], [92.4, true, 0], [92.5, true, 1], [93, true, 1], [94, true, 1],
    [95, true, 2], [96, true, 2], [97, true, 3], [100, true, 3], [83, true, 3], [87, true, 1],
  ])('scores SpO2 %s %% on scale 2 with oxygen=%s as %i', (value, onOxygen, expected) => {
    expect(scoreOf('spo2', { spo2: value, spo2_scale: 2, on_oxygen: onOxygen })).toBe(expected);
  });

  it.each([[false, 0], [true, 2]])('scores oxygen=%s as %i for air or oxygen', (onOxygen, expected) => {
    expect(scoreOf('air_or_oxygen', { on_oxygen: onOxygen })).toBe(expected);
  });

  it.each([
    [40, 3], [90, 3], [90.4, 3], [90.5, 2], [91, 2], [100, 2], [101, 1], [110, 1], [111, 0], [219, 0],
    [219.5, 3], [220, 3], [280, 3],
  ])('scores systolic BP %s mmHg as %i', (value, expected) => {
    expect(scoreOf('systolic_bp', { systolic_bp: value })).toBe(expected);
  });

  it.each([
    [20, 3], [40, 3], [41, 1], [50, 1], [51, 0], [90, 0], [90.5, 1], [91, 1], [110, 1], [111, 2],
    [130, 2], [131, 3], [200, 3],
  ])('scores pulse %s /min as %i', (value, expected) => {
    expect(scoreOf('pulse', { heart_rate: value })).toBe(expected);
  });

  it.each([['A', 0], ['C', 3], ['V', 3], ['P', 3], ['U', 3]] as const)(
    'scores consciousness %s as %i', (level, expected) => {
      expect(scoreOf('consciousness', { consciousness: level })).toBe(expected);
    },
  );

  it.each([
    [30, 3], [35.0, 3], [35.04, 3], [35.05, 1], [35.1, 1], [36.0, 1], [36.1, 0], [38.0, 0], [38.04, 0],
    [38.05, 1], [38.1, 1], [39.0, 1], [39.1, 2], [42, 2],
  ])('scores temperature %s °C as %i', (value, expected) => {
    expect(scoreOf('temperature', { temperature_c: value })).toBe(expected);
  });
});

describe('NEWS2 total and band', () => {
  it('scores a normal reading 0, low, complete', () => {
    expect(news2(NORMAL)).toEqual({
      subscores: { respiration: 0, spo2: 0, air_or_oxygen: 0, systolic_bp: 0, pulse: 0, consciousness: 0, temperature: 0 },
      total: 0, band: 'low', complete: true, missing: [],
    });
  });

  it.each<[string, Partial<News2Input>, number, string]>([
    ['aggregate 4 without a red score', { respiratory_rate: 22, heart_rate: 115 }, 4, 'low'],
    ['a single red score (3) with aggregate 3', { heart_rate: 135 }, 3, 'low-medium'],
    ['a single red score with aggregate 4', { consciousness: 'C', spo2: 95 }, 4, 'low-medium'],
    ['aggregate 5', { respiratory_rate: 22, heart_rate: 115, spo2: 95 }, 5, 'medium'],
    ['aggregate 5 including a red score', { heart_rate: 135, respiratory_rate: 22 }, 5, 'medium'],
    ['aggregate 6', { respiratory_rate: 22, heart_rate: 115, on_oxygen: true }, 6, 'medium'],
    ['aggregate 7', { respiratory_rate: 22, heart_rate: 115, on_oxygen: true, temperature_c: 38.5 }, 7, 'high'],
    ['the maximum 20', { respiratory_rate: 30, spo2: 85, on_oxygen: true, systolic_bp: 80, heart_rate: 140, consciousness: 'U', temperature_c: 34 }, 20, 'high'],
  ])('bands %s as %s', (_title, change, total, band) => {
    const score = news2({ ...NORMAL, ...change });
    expect(score.total).toBe(total);
    expect(score.band).toBe(band);
  });
});

describe('NEWS2 with missing values', () => {
  it('scores a probe-off reading over the parameters present and lists SpO2 as missing', () => {
    const score = news2({ ...NORMAL, spo2: null, heart_rate: 115 });
    expect(score.subscores.spo2).toBeNull();
    expect(score.total).toBe(2);
    expect(score.complete).toBe(false);
    expect(score.missing).toEqual(['spo2']);
  });

  it('lists every missing parameter in chart order and never scores a missing value as 0', () => {
    const score = news2({
      respiratory_rate: null, spo2: null, spo2_scale: 1, on_oxygen: null,
      systolic_bp: null, heart_rate: 72, consciousness: null, temperature_c: Number.NaN,
    });
    expect(score.missing).toEqual(['respiration', 'spo2', 'air_or_oxygen', 'systolic_bp', 'consciousness', 'temperature']);
    expect(Object.values(score.subscores).filter((s) => s !== null)).toEqual([0]);
    expect(score.total).toBe(0);
    expect(score.complete).toBe(false);
  });

  it('leaves a scale 2 SpO2 of 93 % or more unscored when oxygen use is unknown', () => {
    const score = news2({ ...NORMAL, spo2_scale: 2, spo2: 95, on_oxygen: null });
    expect(score.subscores.spo2).toBeNull();
    expect(score.missing).toEqual(['spo2', 'air_or_oxygen']);
  });

  it('scores a scale 2 SpO2 below 93 % even when oxygen use is unknown', () => {
    expect(news2({ ...NORMAL, spo2_scale: 2, spo2: 85, on_oxygen: null }).subscores.spo2).toBe(2);
  });

  it('scores the legacy sample format (heart rate and temperature only) as a partial score', () => {
    const result = validateVitals({ patient_id: 'P001', heart_rate: 72, temperature: 98.6, timestamp: '2024-03-01T08:00:00Z' });
    if (!result.ok) throw new Error('legacy sample should validate');
    const score = news2(result.reading);
    expect(score.subscores.pulse).toBe(0);
    expect(score.subscores.temperature).toBe(0);
    expect(score.complete).toBe(false);
    expect(score.missing).toHaveLength(5);
  });
});
