/**
 * Each deterioration scenario crosses its clinical threshold within the window its definition states
 * (device/vitals/scenarios.ts, README), for every one of 100 patients, and not before its labelled onset.
 * Samples flagged as artefacts are left out: an alerting system discounts them, and a motion spike
 * must not count as the patient deteriorating.
 */
import { describe, expect, it } from 'vitest';
import { news2 } from '../../../../cloud/news2/news2.ts';
import { createPatientModel, deriveSeed, type Measurement, type ScenarioName } from '../../../../device/vitals/index.ts';

const PATIENTS = 100;
const SPEED = 60;
const STEP_SIM_MS = 30_000;
const MINUTE = 60_000;
const ONSET_MS = 10 * MINUTE;
const START = Date.UTC(2026, 0, 1, 8);

const score = (m: Measurement): number => news2({ ...m, spo2_scale: m.spo2_scale ?? 1 }).total;

interface Course { times: number[]; samples: Measurement[] }

/** One patient's course: clean samples with their simulated minutes since onset. */
function course(scenario: ScenarioName, patient: number, minutes: number): Course {
  const model = createPatientModel({ seed: deriveSeed(77, patient), scenario, startMs: START, speed: SPEED, onsetAfterMs: ONSET_MS });
  const times: number[] = [];
  const samples: Measurement[] = [];
  for (let sim = 0; sim <= ONSET_MS + minutes * MINUTE; sim += STEP_SIM_MS) {
    const m = model.sample(START + sim / SPEED);
    if (m.quality !== undefined) continue;
    times.push((sim - ONSET_MS) / MINUTE);
    samples.push(m);
  }
  return { times, samples };
}

/** Minutes from onset to the first clean sample meeting `crossed` (negative: before onset; NaN: never). */
function firstCrossing({ times, samples }: Course, crossed: (m: Measurement) => boolean): number {
  const index = samples.findIndex(crossed);
  return index < 0 ? Number.NaN : times[index]!;
}

const THRESHOLDS: [ScenarioName, string, number, (m: Measurement) => boolean][] = [
  ['sepsis', 'NEWS2 >= 5', 60, (m) => score(m) >= 5],
  ['sepsis', 'NEWS2 >= 7', 80, (m) => score(m) >= 7],
  ['respiratory_failure', 'NEWS2 >= 5', 45, (m) => score(m) >= 5],
  ['respiratory_failure', 'SpO2 <= 91 %', 60, (m) => m.spo2 !== null && m.spo2 <= 91],
  ['respiratory_failure_copd', 'NEWS2 >= 5 on SpO2 scale 2', 60, (m) => m.spo2_scale === 2 && score(m) >= 5],
  ['tachyarrhythmia', 'pulse >= 131', 5, (m) => m.heart_rate !== null && m.heart_rate >= 131],
  ['bradycardia', 'pulse <= 40', 25, (m) => m.heart_rate !== null && m.heart_rate <= 40],
  ['haemorrhage', 'NEWS2 >= 5', 60, (m) => score(m) >= 5],
  ['postop_fever', 'temperature >= 38.1 °C', 90, (m) => m.temperature_c !== null && m.temperature_c >= 38.1],
];

describe('deterioration scenarios', () => {
  it.each(THRESHOLDS)('%s reaches %s within %i min of onset, never before it', (scenario, _what, window, crossed) => {
    const crossings = Array.from({ length: PATIENTS }, (_, p) => firstCrossing(course(scenario, p, window + 5), crossed));
    const late = crossings.filter((minutes) => !(minutes <= window));
    const early = crossings.filter((minutes) => minutes < 0);
    expect(late, 'patients crossing late or never (minutes)').toEqual([]);
    expect(early, 'patients crossing before onset (minutes)').toEqual([]);
  });

  it('keeps a post-operative fever benign: NEWS2 stays below 7 in 99 % of clean samples', () => {
    const scores = Array.from({ length: PATIENTS }, (_, p) => course('postop_fever', p, 120).samples.map(score)).flat();
    expect(scores.filter((s) => s >= 7).length / scores.length).toBeLessThan(0.01);
  });

  it('labels the phases in order: baseline, onset, deteriorating, critical', () => {
    const model = createPatientModel({ seed: 1, scenario: 'haemorrhage', startMs: START, speed: SPEED });
    const phases = [0, 11, 30, 60, 120].map((minutes) => model.truth(START + (minutes * MINUTE) / SPEED).phase);
    expect(phases).toEqual(['baseline', 'onset', 'deteriorating', 'critical', 'critical']);
  });
});

describe('recovery scenario', () => {
  it('starts with NEWS2 >= 5 on oxygen and is below 5, on air and alert from 60 min after onset', () => {
    for (let p = 0; p < PATIENTS; p++) {
      const { times, samples } = course('recovery', p, 120);
      expect(score(samples[0]!)).toBeGreaterThanOrEqual(5);
      expect(samples[0]!.on_oxygen).toBe(true);
      const late = samples.filter((_, i) => times[i]! >= 60);
      expect(late.filter((m) => score(m) >= 5 || m.on_oxygen || m.consciousness !== 'A')).toEqual([]);
    }
  });

  it('labels critical before onset, recovering, then stable once 90 % recovered', () => {
    const model = createPatientModel({ seed: 1, scenario: 'recovery', startMs: START, speed: SPEED, onsetAfterMs: ONSET_MS });
    const at = (minutes: number) => model.truth(START + (minutes * MINUTE) / SPEED);
    expect(at(5)).toEqual({ scenario: 'recovery', phase: 'critical', onsetAtMs: START + ONSET_MS / SPEED });
    expect(at(30).phase).toBe('recovering');
    expect(at(10 + 60).phase).toBe('stable');
  });
});
