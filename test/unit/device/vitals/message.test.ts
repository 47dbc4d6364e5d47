import { describe, expect, it } from 'vitest';
import { encodeVitals, VitalsV1Schema } from '../../../../device/contract/index.ts';
import { buildVitalsMessage, type Measurement } from '../../../../device/vitals/index.ts';

const MEASUREMENT: Measurement = {
  heart_rate: 72, spo2: 97, respiratory_rate: 15, systolic_bp: 124, diastolic_bp: 76, temperature_c: 36.8, map_mmhg: 92,
  on_oxygen: false, spo2_scale: 1, consciousness: 'A', battery_pct: 88,
};
const ID = { device_id: 'bedside-001', patient_id: 'P001', ward: 'ward-7a', bed: 'bed-01', seq: 7, timestamp: '2026-01-01T08:00:00.000Z' };

describe('buildVitalsMessage', () => {
  it('lays the fields out in the contract order and leaves quality out when clean', () => {
    const message = buildVitalsMessage(MEASUREMENT, ID);
    expect(Object.keys(message)).toEqual(Object.keys(VitalsV1Schema.shape).filter((key) => key !== 'quality' && key !== 'time_scale'));
    expect(encodeVitals(message)).toBe('{"schema":"vitals/1","device_id":"bedside-001","patient_id":"P001","seq":7,"timestamp":"2026-01-01T08:00:00.000Z","heart_rate":72,"spo2":97,"respiratory_rate":15,"systolic_bp":124,"diastolic_bp":76,"temperature_c":36.8,"map_mmhg":92,"on_oxygen":false,"spo2_scale":1,"ward":"ward-7a","bed":"bed-01","consciousness":"A","battery_pct":88}');
  });

  it('places quality flags where the contract lists them and copies the array', () => {
    const quality: Measurement['quality'] = ['spo2_probe_off'];
    const message = buildVitalsMessage({ ...MEASUREMENT, spo2: null, quality }, ID);
    expect(Object.keys(message)).toEqual(Object.keys(VitalsV1Schema.shape).filter((key) => key !== 'time_scale'));
    expect(message.quality).toEqual(['spo2_probe_off']);
    expect(message.quality).not.toBe(quality);
  });

  it('writes time_scale last for an accelerated monitor, and leaves it out at real time', () => {
    expect(encodeVitals(buildVitalsMessage(MEASUREMENT, { ...ID, time_scale: 60 }))).toMatch(/,"battery_pct":88,"time_scale":60\}$/);
    expect(buildVitalsMessage(MEASUREMENT, { ...ID, time_scale: 1 })).not.toHaveProperty('time_scale');
  });
});
