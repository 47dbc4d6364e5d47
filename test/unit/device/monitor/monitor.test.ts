import { describe, expect, it } from 'vitest';
import { Monitor, MONITOR_SNAPSHOT_VERSION, type MonitorSnapshot, type MonitorSpec } from '../../../../device/monitor/monitor.ts';
import type { Transport } from '../../../../device/transport/index.ts';
import { ModelSnapshotError } from '../../../../device/vitals/index.ts';

const START = Date.UTC(2026, 0, 1, 8);
const SPEC: MonitorSpec = {
  thing: 'bedside-0002', patientId: 'P0002', ward: 'ward-7a', bed: 'bed-02', firmware: '1.0.0',
  scenario: 'sepsis', seed: 1234, intervalMs: 1000,
};
/** The monitor only keeps its transport; these tests never connect. */
const transport = { kind: 'mqttjs', clientId: SPEC.thing } as unknown as Transport;
const viaJson = (snapshot: MonitorSnapshot): MonitorSnapshot => JSON.parse(JSON.stringify(snapshot)) as MonitorSnapshot;
const payload = (message: string): Record<string, unknown> => JSON.parse(message) as Record<string, unknown>;

describe('Monitor snapshot', () => {
  it('resumes the same patient after a restart: the messages go on as if the process had never stopped', () => {
    const uninterrupted = new Monitor(0, SPEC, transport, START, 60);
    const before = new Monitor(0, SPEC, transport, START, 60);
    const expected: Record<string, unknown>[] = [];
    for (let i = 1; i <= 200; i++) expected.push(payload(uninterrupted.measure(START + i * 1000, i)));
    for (let i = 1; i <= 100; i++) before.measure(START + i * 1000, i);
    const stoppedAt = START + 100 * 1000;
    const downtime = 5 * 3_600_000;
    const after = new Monitor(0, SPEC, transport, stoppedAt + downtime, 60, viaJson(before.snapshot(stoppedAt)));
    const resumed = Array.from({ length: 100 }, (_, i) => payload(after.measure(stoppedAt + downtime + (i + 1) * 1000, 101 + i)));
    // Same vitals; only the measurement time moved by the downtime.
    const withoutTime = (m: Record<string, unknown>): Record<string, unknown> => ({ ...m, timestamp: undefined });
    expect(resumed.map(withoutTime)).toEqual(expected.slice(100).map(withoutTime));
    expect(Date.parse(resumed[0]!.timestamp as string)).toBe(Date.parse(expected[100]!.timestamp as string) + downtime);
    // 100 wall seconds at speed 60 is 100 simulated minutes: well into sepsis, and still there after 5 hours down.
    expect(resumed[0]!.temperature_c as number).toBeGreaterThan(38.5);
  });

  it('keeps what the shadow changed: scenario and sampling interval', () => {
    const before = new Monitor(0, SPEC, transport, START, 1);
    before.measure(START + 1000, 1);
    before.setScenario('tachyarrhythmia', START + 1500);
    before.intervalMs = 5000;
    before.measure(START + 2000, 2);
    const snapshot = viaJson(before.snapshot(START + 2000));
    expect(snapshot).toMatchObject({ version: MONITOR_SNAPSHOT_VERSION, thing: SPEC.thing, scenario: 'tachyarrhythmia', intervalMs: 5000, takenAtMs: START + 2000 });
    expect(JSON.stringify(snapshot).length).toBeLessThan(1024);
    const after = new Monitor(0, SPEC, transport, START + 60_000, 1, snapshot);
    expect(after.scenario).toBe('tachyarrhythmia');
    expect(after.model.scenario).toBe('tachyarrhythmia');
    expect(after.intervalMs).toBe(5000);
    expect(after.batteryPct).toBe(before.batteryPct);
  });

  it('refuses the snapshot of another monitor, another assignment or another format', () => {
    const snapshot = viaJson(new Monitor(0, SPEC, transport, START, 1).snapshot(START));
    const reason = (spec: MonitorSpec, value: unknown): string | undefined => {
      try {
        new Monitor(0, spec, transport, START, 1, value as MonitorSnapshot);
      } catch (error) {
        if (error instanceof ModelSnapshotError) return error.reason;
        throw error;
      }
      return undefined;
    };
    expect(reason(SPEC, snapshot)).toBeUndefined();
    expect(reason({ ...SPEC, thing: 'bedside-0003' }, snapshot)).toBe('thing');
    expect(reason({ ...SPEC, scenario: 'stable' }, snapshot)).toBe('scenario');
    expect(reason({ ...SPEC, seed: 99 }, snapshot)).toBe('seed');
    expect(reason(SPEC, { ...snapshot, version: 2 })).toBe('version');
    expect(reason(SPEC, { ...snapshot, intervalMs: -1 })).toBe('malformed');
    expect(reason(SPEC, null)).toBe('malformed');
  });
});
