/**
 * A stable cohort of 1,000 simulated patient-hours: 500 patients x 2 hours, start times spread over the
 * day (circadian rhythm), a sample every 15 simulated seconds (speed 60 keeps it fast; the model's output
 * does not depend on speed, only on simulated time).
 *
 * Reference ranges tested against: the Royal College of Physicians' NEWS2 chart (2017), whose zero-score
 * bands are the adult normal ranges used on UK wards: respiration 12-20 /min, SpO2 >= 96 % (scale 1),
 * systolic 111-219 mmHg, pulse 51-90 /min, temperature 36.1-38.0 °C; and its bands scoring at most 1
 * (respiration 9-20, SpO2 >= 94 %, systolic 101-219, pulse 41-110, temperature 35.1-39.0), which a
 * stable patient may touch through normal variation but should never leave.
 */
import { describe, expect, it } from 'vitest';
import { news2 } from '../../../../cloud/news2/news2.ts';
import { createPatientModel, deriveSeed, type Measurement } from '../../../../device/vitals/index.ts';

const PATIENTS = 500;
const HOURS = 2;
const SPEED = 60;
const STEP_SIM_MS = 15_000;

type Vital = 'respiratory_rate' | 'spo2' | 'systolic_bp' | 'heart_rate' | 'temperature_c';
const ZERO_SCORE: Record<Vital, [number, number]> = {
  respiratory_rate: [12, 20], spo2: [96, 100], systolic_bp: [111, 219], heart_rate: [51, 90], temperature_c: [36.1, 38.0],
};
const AT_MOST_ONE: Record<Vital, [number, number]> = {
  respiratory_rate: [9, 20], spo2: [94, 100], systolic_bp: [101, 219], heart_rate: [41, 110], temperature_c: [35.1, 39.0],
};
const VITALS = Object.keys(ZERO_SCORE) as Vital[];

function simulateCohort(): Measurement[] {
  const samples: Measurement[] = [];
  for (let p = 0; p < PATIENTS; p++) {
    const startMs = Date.UTC(2026, 0, 1, p % 24, (p * 7) % 60);
    const model = createPatientModel({ seed: deriveSeed(2026, p), scenario: 'stable', startMs, speed: SPEED });
    for (let sim = 0; sim <= HOURS * 3_600_000; sim += STEP_SIM_MS) samples.push(model.sample(startMs + sim / SPEED));
  }
  return samples;
}

describe('a stable cohort of 1,000 patient-hours', () => {
  const samples = simulateCohort();
  const clean = samples.filter((m) => m.quality === undefined);

  it('keeps at least 97 % of clean samples of each vital in the NEWS2 zero-score range', () => {
    for (const vital of VITALS) {
      const [min, max] = ZERO_SCORE[vital];
      const inside = clean.filter((m) => m[vital]! >= min && m[vital]! <= max).length;
      expect(inside / clean.length, vital).toBeGreaterThanOrEqual(0.97);
    }
  });

  it('keeps at least 99.9 % of clean samples in the NEWS2 bands scoring at most 1, and none in a red (3) band', () => {
    for (const vital of VITALS) {
      const [min, max] = AT_MOST_ONE[vital];
      const outside = clean.filter((m) => m[vital]! < min || m[vital]! > max).length;
      expect(outside / clean.length, vital).toBeLessThan(0.001);
    }
    const red = clean.filter((m) => Object.values(news2({ ...m, spo2_scale: 1 }).subscores).includes(3));
    expect(red).toEqual([]);
  });

  // Diastolic: adult 60-90 mmHg (AHA), widened by 10 mmHg each side for older and hypertensive patients.
  it('stays alert, on air, with diastolic pressure 50-100 mmHg in 99.9 % of clean samples', () => {
    expect(clean.every((m) => m.consciousness === 'A' && m.on_oxygen === false)).toBe(true);
    const outside = clean.filter((m) => m.diastolic_bp! < 50 || m.diastolic_bp! > 100).length;
    expect(outside / clean.length).toBeLessThan(0.001);
  });

  // Stated false alarm rate: a "NEWS2 alarm" is an aggregate >= 5 or any single parameter scoring 3
  // (RCP: urgent review). Over all samples, artefacts included (a monitor alarms on those too), the model
  // gives about 0.2 %; the test holds it under 0.5 %. Clean samples alone stay under 0.1 %.
  it('keeps the NEWS2 false alarm rate under 0.5 % of samples, and under 0.1 % without artefacts', () => {
    const alarm = (m: Measurement): boolean => {
      const score = news2({ ...m, spo2_scale: m.spo2_scale ?? 1 });
      return score.total >= 5 || score.band === 'low-medium';
    };
    const rate = samples.filter(alarm).length / samples.length;
    const cleanRate = clean.filter(alarm).length / clean.length;
    expect(rate).toBeLessThan(0.005);
    expect(cleanRate).toBeLessThan(0.001);
    expect(samples.length).toBeGreaterThanOrEqual((PATIENTS * HOURS * 3_600_000) / STEP_SIM_MS);
  });
});
