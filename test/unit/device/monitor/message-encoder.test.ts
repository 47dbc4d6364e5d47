import { describe, expect, it } from 'vitest';
import { encodeVitals } from '../../../../device/contract/index.ts';
import { MessageEncoder } from '../../../../device/monitor/message-encoder.ts';
import { buildVitalsMessage, createPatientModel, SCENARIOS, type Measurement } from '../../../../device/vitals/index.ts';

const reference = (m: Measurement, id: { device_id: string; patient_id: string; ward: string; bed: string; time_scale?: number }, seq: number, ms: number) =>
  encodeVitals(buildVitalsMessage(m, { ...id, seq, timestamp: new Date(ms).toISOString() }));

describe('MessageEncoder', () => {
  it('writes exactly what encodeVitals(buildVitalsMessage(...)) writes, for every scenario over simulated days', () => {
    const start = Date.UTC(2026, 10, 26, 0, 0, 0);
    let compared = 0;
    let withQuality = 0;
    let withNull = 0;
    for (const [i, scenario] of SCENARIOS.entries()) {
      // Half the scenarios as an accelerated monitor (time_scale written), half at real time (left out).
      const id = { device_id: `bedside-${i}`, patient_id: `P-${i}`, ward: 'ward-1', bed: `bed-${i}`, ...(i % 2 === 0 ? { time_scale: 60 } : {}) };
      const encoder = new MessageEncoder(id);
      // Fast simulated time with a jittered step: artefacts (quality flags, null vitals) and deterioration occur.
      const model = createPatientModel({ seed: 100 + i, scenario, startMs: start, speed: 60 });
      let ms = start;
      for (let seq = 1; seq <= 4_000; seq++) {
        ms += 1_000 + (seq % 7);
        const m = model.sample(ms);
        if (m.quality?.length) withQuality++;
        if (m.heart_rate === null || m.spo2 === null) withNull++;
        expect(encoder.encode(m, seq, ms)).toBe(reference(m, id, seq, ms));
        compared++;
      }
    }
    expect(compared).toBe(SCENARIOS.length * 4_000);
    // The comparison covered the rare shapes too, not only clean readings.
    expect(withQuality).toBeGreaterThan(0);
    expect(withNull).toBeGreaterThan(0);
  });

  it('escapes identities and handles hand-made edge values as JSON.stringify does', () => {
    const id = { device_id: 'bedside-"q"', patient_id: 'Zoë \\ 42\n', ward: 'Station ü', bed: '' };
    const encoder = new MessageEncoder(id);
    const m: Measurement = {
      heart_rate: null, spo2: 88, respiratory_rate: 0, systolic_bp: -0, diastolic_bp: 1e21, temperature_c: 36.65,
      on_oxygen: false, consciousness: null, quality: ['spo2_probe_off', 'motion_artefact'], battery_pct: 0.5,
    } as Measurement;
    expect(encoder.encode(m, 9_007_199_254_740_991, 0)).toBe(reference(m, id, 9_007_199_254_740_991, 0));
    const clean: Measurement = { ...m, heart_rate: 72, on_oxygen: true, consciousness: 'C', quality: [], spo2_scale: 2 } as Measurement;
    expect(encoder.encode(clean, 1, 1_764_115_200_123)).toBe(reference(clean, id, 1, 1_764_115_200_123));
  });
});
