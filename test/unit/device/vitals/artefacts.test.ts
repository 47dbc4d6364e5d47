import { describe, expect, it } from 'vitest';
import { encodeVitals, validatePayload } from '../../../../device/contract/index.ts';
import { buildVitalsMessage, createPatientModel, type Measurement } from '../../../../device/vitals/index.ts';

const START = Date.UTC(2026, 0, 1, 8);

/** 24 simulated hours of a stable patient, a sample every 5 simulated seconds. */
function day(seed: number): Measurement[] {
  const model = createPatientModel({ seed, scenario: 'stable', startMs: START, speed: 100 });
  return Array.from({ length: 17_280 }, (_, i) => model.sample(START + i * 50));
}

describe('monitor artefacts', () => {
  const samples = [1, 2, 3].flatMap(day);
  const withFlag = (flag: string) => samples.filter((m) => m.quality?.includes(flag as never));

  it('reports a removed SpO2 probe as a null SpO2 with the spo2_probe_off flag', () => {
    const probeOff = withFlag('spo2_probe_off');
    expect(probeOff.length).toBeGreaterThan(0);
    expect(probeOff.every((m) => m.spo2 === null)).toBe(true);
    // Only SpO2 is lost: the ECG still gives a heart rate (unless leads are off at the same moment).
    expect(probeOff.filter((m) => !m.quality!.includes('sensor_dropout')).every((m) => m.heart_rate !== null)).toBe(true);
    expect(samples.filter((m) => m.spo2 === null).every((m) => m.quality?.includes('spo2_probe_off'))).toBe(true);
  });

  it('reports a sensor dropout as null heart and respiration rates with the sensor_dropout flag', () => {
    const dropout = withFlag('sensor_dropout');
    expect(dropout.length).toBeGreaterThan(0);
    expect(dropout.every((m) => m.heart_rate === null && m.respiratory_rate === null)).toBe(true);
    expect(samples.filter((m) => m.heart_rate === null).every((m) => m.quality?.includes('sensor_dropout'))).toBe(true);
  });

  it('keeps motion-artefact values as measured, flagged, with the heart rate spiking', () => {
    const motion = withFlag('motion_artefact').filter((m) => m.heart_rate !== null);
    const clean = samples.filter((m) => m.quality === undefined);
    const mean = (list: Measurement[]) => list.reduce((sum, m) => sum + m.heart_rate!, 0) / list.length;
    expect(motion.length).toBeGreaterThan(0);
    expect(mean(motion) - mean(clean)).toBeGreaterThan(20);
  });

  it('flags a few percent of samples at most, and each flagged message still validates', () => {
    const flagged = samples.filter((m) => m.quality !== undefined);
    expect(flagged.length / samples.length).toBeLessThan(0.03);
    for (const [i, m] of flagged.entries()) {
      const message = buildVitalsMessage(m, { device_id: 'bedside-1', patient_id: 'P1', ward: 'w', bed: 'b', seq: i, timestamp: '2026-01-01T08:00:00Z' });
      expect(validatePayload(Buffer.from(encodeVitals(message))).ok).toBe(true);
    }
  });
});

describe('battery', () => {
  it('drains on battery power and charges when plugged in below 15 %', () => {
    const battery = day(4).map((m) => m.battery_pct);
    const drops = battery.slice(1).filter((value, i) => value < battery[i]!).length;
    const rises = battery.slice(1).filter((value, i) => value > battery[i]!).length;
    expect(drops).toBeGreaterThan(0);
    expect(rises).toBeGreaterThan(0);
    expect(Math.min(...battery)).toBeGreaterThanOrEqual(14);
    expect(Math.max(...battery)).toBeLessThanOrEqual(100);
  });
});
