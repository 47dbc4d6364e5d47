import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPatientModel, ModelSnapshotError, PATIENT_SNAPSHOT_VERSION, SCENARIOS, type Measurement, type PatientModel,
  type PatientSnapshot, type ScenarioName,
} from '../../../../device/vitals/index.ts';

const START = Date.UTC(2026, 0, 1, 8);
const MINUTE = 60_000;

/** Step times of a monitor with jitter: period plus up to `jitter` ms, strictly increasing. */
function stepTimes(from: number, count: number, periodMs: number, jitters: readonly number[]): number[] {
  const times: number[] = [];
  let t = from;
  for (let i = 0; i < count; i++) {
    t += periodMs + (jitters[i % jitters.length] ?? 0);
    times.push(t);
  }
  return times;
}

/** The onset label of a resumed model is the uninterrupted one's moved by the downtime. */
function shiftedOnset(model: PatientModel, nowMs: number, downtimeMs: number): { onsetAtMs: number | null } {
  const onset = model.truth(nowMs).onsetAtMs;
  return { onsetAtMs: onset === null ? null : onset + downtimeMs };
}

/** Through JSON, as the snapshot is stored on disk. */
const viaJson = (snapshot: PatientSnapshot): PatientSnapshot => JSON.parse(JSON.stringify(snapshot)) as PatientSnapshot;

describe('PatientModel.snapshot and resume', () => {
  it('resumes exactly where the uninterrupted model goes on, for any scenario, seed, speed, downtime and scenario change', () => {
    fc.assert(fc.property(
      fc.constantFrom(...SCENARIOS),
      fc.integer({ min: -1e9, max: 1e9 }),
      fc.oneof(fc.constantFrom(1, 8, 60, 600), fc.double({ min: 0.05, max: 2000, noNaN: true })),
      fc.integer({ min: 1, max: 400 }),
      fc.integer({ min: 1, max: 7 * 24 * 3_600_000 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }),
      fc.constantFrom(250, 1000, 5000),
      fc.option(fc.record({ at: fc.integer({ min: 0, max: 599 }), to: fc.constantFrom(...SCENARIOS) })),
      (scenario, seed, speed, k, downtimeMs, jitters, periodMs, change) => {
        const times = stepTimes(START, k + 200, periodMs, jitters);
        // A shadow update switches the scenario at some step (before or after the stop), in both runs.
        const changeAt = change === null ? -1 : change.at % times.length;
        const step = (model: PatientModel, i: number, shift: number): Measurement => {
          if (i === changeAt) model.setScenario(change!.to, times[i]! + shift - 1);
          return model.sample(times[i]! + shift);
        };
        const uninterrupted = createPatientModel({ seed, scenario, startMs: START, speed });
        const expected = times.map((_, i) => step(uninterrupted, i, 0));
        const first = createPatientModel({ seed, scenario, startMs: START, speed });
        for (let i = 0; i < k; i++) step(first, i, 0);
        const stoppedAt = times[k - 1]!;
        const snapshot = viaJson(first.snapshot(stoppedAt));
        const resumed = createPatientModel({ seed, scenario, startMs: stoppedAt + downtimeMs, speed, resume: snapshot });
        const after = times.slice(k).map((_, j) => step(resumed, k + j, downtimeMs));
        expect(after).toEqual(expected.slice(k));
        // The whole state agrees too (noise, clocks, circadian cache, artefacts), not only the rounded values.
        expect(resumed.snapshot(times.at(-1)! + downtimeMs)).toEqual(uninterrupted.snapshot(times.at(-1)!));
        expect(resumed.truth(times.at(-1)! + downtimeMs)).toEqual({ ...uninterrupted.truth(times.at(-1)!), ...shiftedOnset(uninterrupted, times.at(-1)!, downtimeMs) });
      },
    ), { numRuns: 150 });
  });

  it.each(['spo2_probe_off', 'motion_artefact', 'sensor_dropout'] as const)('resumes in the middle of a %s episode', (flag) => {
    // Find a stop inside an episode that is still running at the next sample.
    for (let seed = 0; seed < 200; seed++) {
      const times = stepTimes(START, 4 * 3600, 1000, [0]);
      const model = createPatientModel({ seed, scenario: 'stable', startMs: START, speed: 4 });
      const samples = times.map((t) => model.sample(t));
      const k = samples.findIndex((m, i) => i > 0 && m.quality?.includes(flag) && samples[i + 1]?.quality?.includes(flag)) + 1;
      if (k === 0) continue;
      const first = createPatientModel({ seed, scenario: 'stable', startMs: START, speed: 4 });
      for (const t of times.slice(0, k)) first.sample(t);
      const snapshot = viaJson(first.snapshot(times[k - 1]!));
      const resumed = createPatientModel({ seed, scenario: 'stable', startMs: times[k - 1]! + MINUTE, speed: 4, resume: snapshot });
      const after = times.slice(k, k + 100).map((t) => resumed.sample(t + MINUTE));
      expect(after[0]!.quality).toContain(flag);
      expect(after).toEqual(samples.slice(k, k + 100));
      return;
    }
    throw new Error(`no ${flag} episode found to stop in`);
  });

  it('resumes a patient whose scenario was changed, on a new speed, as if the speed had changed at the stop', () => {
    const times = stepTimes(START, 600, 1000, [0, 7, 13]);
    const reference = createPatientModel({ seed: 9, scenario: 'stable', startMs: START, speed: 30 });
    const first = createPatientModel({ seed: 9, scenario: 'stable', startMs: START, speed: 30 });
    const expected: Measurement[] = [];
    for (const [i, t] of times.entries()) {
      if (i === 100) { reference.setScenario('respiratory_failure_copd', t); first.setScenario('respiratory_failure_copd', t); }
      if (i < 300) first.sample(t);
      if (i === 300) reference.setSpeed(90, times[299]!);
      expected.push(reference.sample(t));
    }
    const downtime = 3 * 3_600_000;
    const resumed = createPatientModel({ seed: 9, scenario: 'stable', startMs: times[299]! + downtime, speed: 90, resume: viaJson(first.snapshot(times[299]!)) });
    expect(resumed.scenario).toBe('respiratory_failure_copd');
    expect(resumed.profile).toEqual(reference.profile);
    expect(times.slice(300).map((t) => resumed.sample(t + downtime))).toEqual(expected.slice(300));
  });

  it('does not let the downtime pass for the patient: a septic patient stays septic and the onset label moves with the restart', () => {
    const model = createPatientModel({ seed: 3, scenario: 'sepsis', startMs: START, speed: 60 });
    let last: Measurement | undefined;
    for (let t = START; t <= START + 80 * 1000; t += 1000) last = model.sample(t); // 80 simulated minutes
    const stoppedAt = START + 80 * 1000;
    const restartAt = stoppedAt + 6 * 3_600_000;
    const resumed = createPatientModel({ seed: 3, scenario: 'sepsis', startMs: restartAt, speed: 60, resume: viaJson(model.snapshot(stoppedAt)) });
    const next = resumed.sample(restartAt + 1000);
    expect(next.temperature_c!).toBeGreaterThan(38.5);
    expect(Math.abs(next.temperature_c! - last!.temperature_c!)).toBeLessThan(0.5);
    expect(resumed.truth(restartAt + 1000)).toEqual({ scenario: 'sepsis', phase: 'critical', onsetAtMs: model.truth(stoppedAt).onsetAtMs! + 6 * 3_600_000 });
  });

  it('takes the snapshot without changing the model', () => {
    const a = createPatientModel({ seed: 4, scenario: 'haemorrhage', startMs: START, speed: 60 });
    const b = createPatientModel({ seed: 4, scenario: 'haemorrhage', startMs: START, speed: 60 });
    for (let i = 0; i < 500; i++) {
      const t = START + i * 1000;
      a.snapshot(t + 500);
      expect(a.sample(t)).toEqual(b.sample(t));
    }
  });

  it('keeps the snapshot small: under 1 KB of JSON in every scenario, artefacts and residuals included', () => {
    let largest = 0;
    for (const scenario of SCENARIOS) {
      for (let seed = 0; seed < 20; seed++) {
        const model = createPatientModel({ seed, scenario, startMs: START, speed: 60 });
        for (let t = START; t < START + 10 * MINUTE; t += 997) {
          model.sample(t);
          if (t % 7 === 0) model.setScenario('stable', t);
          largest = Math.max(largest, JSON.stringify(model.snapshot(t)).length);
        }
      }
    }
    expect(largest).toBeLessThan(1024);
  });

  describe('refuses a snapshot that is not of this patient', () => {
    const model = createPatientModel({ seed: 5, scenario: 'sepsis', startMs: START, speed: 60 });
    model.sample(START + 1000);
    const snapshot = viaJson(model.snapshot(START + 1000));
    const resume = (value: unknown, seed = 5, scenario: ScenarioName = 'sepsis'): PatientModel =>
      createPatientModel({ seed, scenario, startMs: START + MINUTE, speed: 60, resume: value as PatientSnapshot });
    const refusal = (fn: () => unknown): ModelSnapshotError => {
      try { fn(); } catch (error) { if (error instanceof ModelSnapshotError) return error; throw error; }
      throw new Error('expected a ModelSnapshotError');
    };

    it('of another version', () => {
      const error = refusal(() => resume({ ...snapshot, version: PATIENT_SNAPSHOT_VERSION + 1 }));
      expect(error.reason).toBe('version');
      expect(error.message).toMatch(/version 2; this model reads version 1 only; start the patient fresh/);
    });

    it('of another seed or another assigned scenario', () => {
      expect(refusal(() => resume(snapshot, 6)).reason).toBe('seed');
      expect(refusal(() => resume(snapshot, 5, 'stable')).reason).toBe('scenario');
    });

    it('of a patient the model now draws differently', () => {
      expect(refusal(() => resume({ ...snapshot, patient: '00000000' })).reason).toBe('patient');
    });

    it('that is damaged', () => {
      for (const damaged of [null, 'text', { ...snapshot, noise: [1, 2] }, { ...snapshot, clock: { ...snapshot.clock, speed: 0 } },
        { ...snapshot, rng: { words: [1.5, 2, 3, 4] } }, { ...snapshot, scenario: 'flu' }, { ...snapshot, artefacts: { battery: 'full' } }]) {
        expect(refusal(() => resume(damaged)).reason).toBe('malformed');
      }
    });
  });
});
