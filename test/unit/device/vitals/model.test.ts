import { describe, expect, it } from 'vitest';
import { encodeVitals, validatePayload } from '../../../../device/contract/index.ts';
import {
  buildVitalsMessage, createPatientModel, ModelOptionError, SCENARIOS, type Measurement,
} from '../../../../device/vitals/index.ts';

const START = Date.UTC(2026, 0, 1, 8);
const MINUTE = 60_000;

function run(seed: number, scenario: (typeof SCENARIOS)[number], samples: number, periodMs: number, speed = 1): Measurement[] {
  const model = createPatientModel({ seed, scenario, startMs: START, speed });
  return Array.from({ length: samples }, (_, i) => model.sample(START + i * periodMs));
}

describe('createPatientModel', () => {
  it('produces the same measurements, byte for byte, for the same seed', () => {
    for (const scenario of SCENARIOS) {
      const a = JSON.stringify(run(11, scenario, 500, 1000, 10));
      const b = JSON.stringify(run(11, scenario, 500, 1000, 10));
      expect(b).toBe(a);
    }
  });

  it('produces different patients for different seeds', () => {
    const a = createPatientModel({ seed: 1, scenario: 'stable', startMs: START });
    const b = createPatientModel({ seed: 2, scenario: 'stable', startMs: START });
    expect(b.profile).not.toEqual(a.profile);
    expect(JSON.stringify(run(1, 'stable', 100, 1000))).not.toBe(JSON.stringify(run(2, 'stable', 100, 1000)));
  });

  it('builds messages that pass the contract validator in every scenario, artefacts included', () => {
    let flagged = 0;
    for (const scenario of SCENARIOS) {
      for (let seed = 0; seed < 10; seed++) {
        const model = createPatientModel({ seed, scenario, startMs: START, speed: 60 });
        for (let i = 0; i < 200; i++) {
          const now = START + i * 1000;
          const measurement = model.sample(now);
          if (measurement.quality) flagged++;
          const message = buildVitalsMessage(measurement, {
            device_id: `bedside-${seed}`, patient_id: `P${seed}`, ward: 'ward-1', bed: 'bed-1', seq: i,
            timestamp: new Date(now).toISOString(),
          });
          const result = validatePayload(Buffer.from(encodeVitals(message)), { thingName: `bedside-${seed}` });
          if (!result.ok) throw new Error(`${scenario} seed ${seed} sample ${i}: ${JSON.stringify(result.reasons)} in ${encodeVitals(message)}`);
        }
      }
    }
    expect(flagged).toBeGreaterThan(0);
  });

  it('shows values as a monitor does: integers, temperature to 0.1 °C, diastolic below systolic', () => {
    const offending = run(5, 'sepsis', 2000, 1000, 5).filter((m) =>
      [m.heart_rate, m.spo2, m.respiratory_rate, m.systolic_bp, m.diastolic_bp, m.battery_pct]
        .some((value) => value !== null && !Number.isInteger(value))
      || Math.round(m.temperature_c! * 10) / 10 !== m.temperature_c
      || m.diastolic_bp! >= m.systolic_bp!);
    expect(offending).toEqual([]);
  });

  it('compresses time with speed: at speed 60 a deterioration plays in a 60th of the wall-clock time', () => {
    const slow = createPatientModel({ seed: 3, scenario: 'sepsis', startMs: START, speed: 1, onsetAfterMs: 0 });
    const fast = createPatientModel({ seed: 3, scenario: 'sepsis', startMs: START, speed: 60, onsetAfterMs: 0 });
    expect(slow.truth(START + 30 * MINUTE).phase).toBe('deteriorating');
    expect(fast.truth(START + 0.5 * MINUTE).phase).toBe('deteriorating');
    expect(fast.truth(START + 1.5 * MINUTE).phase).toBe('critical');
    expect(slow.truth(START + 1.5 * MINUTE).phase).toBe('onset');
  });

  it('labels the onset in wall-clock time and moves a future onset when the speed changes', () => {
    const model = createPatientModel({ seed: 3, scenario: 'haemorrhage', startMs: START, speed: 2, onsetAfterMs: 20 * MINUTE });
    expect(model.truth(START)).toEqual({ scenario: 'haemorrhage', phase: 'baseline', onsetAtMs: START + 10 * MINUTE });
    model.sample(START + 5 * MINUTE); // 10 simulated minutes in; onset is 10 simulated minutes away
    model.setSpeed(10, START + 5 * MINUTE);
    expect(model.truth(START + 5 * MINUTE).onsetAtMs).toBe(START + 6 * MINUTE);
    expect(model.truth(START + 6 * MINUTE + 1).phase).toBe('onset');
  });

  it('starts a new scenario now on setScenario and lets the old one decay into recovery', () => {
    const model = createPatientModel({ seed: 8, scenario: 'stable', startMs: START, speed: 60 });
    model.sample(START);
    model.setScenario('sepsis', START + MINUTE);
    expect(model.scenario).toBe('sepsis');
    expect(model.truth(START + MINUTE).onsetAtMs).toBe(START + MINUTE);
    let last = model.sample(START + MINUTE);
    for (let t = START + MINUTE; t <= START + 3 * MINUTE; t += 1000) last = model.sample(t);
    expect(model.truth(START + 3 * MINUTE).phase).toBe('critical');
    expect(last.temperature_c!).toBeGreaterThan(38);
    model.setScenario('stable', START + 3 * MINUTE);
    expect(model.truth(START + 3 * MINUTE).phase).toBe('recovering');
    for (let t = START + 3 * MINUTE; t <= START + 6 * MINUTE; t += 1000) last = model.sample(t);
    expect(model.truth(START + 6 * MINUTE).phase).toBe('stable');
    expect(last.temperature_c!).toBeLessThan(37.8);
    expect(last.on_oxygen).toBe(false);
  });

  it('turns a patient into a COPD patient on SpO2 scale 2 when switched to the COPD scenario', () => {
    const model = createPatientModel({ seed: 4, scenario: 'stable', startMs: START });
    expect(model.profile.spo2Scale).toBe(1);
    model.setScenario('respiratory_failure_copd', START);
    expect(model.profile.spo2Scale).toBe(2);
    expect(model.profile.conditions).toContain('copd');
    expect(model.sample(START + 1000).spo2_scale).toBe(2);
  });

  it('treats an earlier time as no time passing', () => {
    const model = createPatientModel({ seed: 4, scenario: 'sepsis', startMs: START, speed: 60, onsetAfterMs: 0 });
    model.sample(START + 2 * MINUTE);
    const later = model.truth(START + 2 * MINUTE);
    expect(model.truth(START)).toEqual(later);
    expect(() => model.sample(START)).not.toThrow();
  });

  it('rejects options it cannot honour, saying what is expected', () => {
    expect(() => createPatientModel({ seed: 1, scenario: 'stable', startMs: START, speed: 0 })).toThrow(ModelOptionError);
    expect(() => createPatientModel({ seed: 1, scenario: 'stable', startMs: START, speed: Number.NaN })).toThrow(/speed must be/);
    expect(() => createPatientModel({ seed: 1, scenario: 'flu' as never, startMs: START })).toThrow(/unknown scenario "flu"/);
    expect(() => createPatientModel({ seed: 1, scenario: 'sepsis', startMs: START, onsetAfterMs: -5 })).toThrow(/onsetAfterMs/);
  });

  it('draws adult patients whose profile matches their scenario', () => {
    for (let seed = 0; seed < 200; seed++) {
      const copd = createPatientModel({ seed, scenario: 'respiratory_failure_copd', startMs: START }).profile;
      expect(copd.spo2Scale).toBe(2);
      expect(copd.baselines.spo2).toBeGreaterThanOrEqual(88);
      expect(copd.baselines.spo2).toBeLessThanOrEqual(92);
      const stable = createPatientModel({ seed, scenario: 'stable', startMs: START }).profile;
      expect(stable.age).toBeGreaterThanOrEqual(18);
      expect(stable.spo2Scale).toBe(1);
      expect(stable.conditions).not.toContain('copd');
    }
  });
});
