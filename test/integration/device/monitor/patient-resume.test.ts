/**
 * Patients survive restarts (issue: "bedside-0002 went from NEWS2 13 / 39.2 °C to 0 / 36.5 °C between seq
 * 601 and 602"): a monitor resumes its patient from the state its outbox kept, after a clean stop and
 * after a kill (the disk as a kill -9 leaves it). The monitors run offline (nothing listens on the port):
 * they sample into the outbox as they would during an outage.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MonitorHost } from '../../../../device/monitor/index.ts';
import { Outbox } from '../../../../device/outbox/index.ts';
import { loadTransportFactory } from '../../../../device/transport/index.ts';
import { freePort } from '../helpers/mosquitto.ts';

const dir = mkdtempSync(join(tmpdir(), 'patient-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = {
  thing: 'bedside-0002', patientId: 'MRN-2', ward: 'icu', bed: 'icu-002', firmware: '1.0.0',
  scenario: 'sepsis' as const, seed: 11, intervalMs: 50, phaseMs: 0,
};

async function offlineHost(outboxPath: string, port: number, patientSaveIntervalMs = 5_000): Promise<MonitorHost> {
  const host = new MonitorHost({
    host: '127.0.0.1', port, transportFactory: await loadTransportFactory('mqtt'), outbox: Outbox.open(outboxPath),
    speed: 3_600, backoff: { minMs: 60_000, maxMs: 60_000 }, connectTimeoutMs: 500, shadow: false, patientSaveIntervalMs,
  });
  host.add(SPEC);
  return host;
}

function temperatures(outbox: Outbox): number[] {
  return [...outbox.queue(SPEC.thing).pending()].map((entry) => (JSON.parse(entry.payload) as { temperature_c: number }).temperature_c);
}

const waitMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a restarted monitor resumes its patient', () => {
  it('continues a septic patient after a clean stop instead of starting again from baseline', async () => {
    const port = await freePort();
    const path = join(dir, 'clean.log');
    const first = await offlineHost(path, port);
    await waitMs(1_500);
    await first.stop(100);
    const before = temperatures(Outbox.open(path));
    const feverBefore = before.at(-1)!;
    expect(feverBefore).toBeGreaterThan(38);

    const second = await offlineHost(path, port);
    await waitMs(200);
    await second.stop(100);
    const after = temperatures(Outbox.open(path)).slice(before.length);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.abs(after[0]! - feverBefore)).toBeLessThan(0.5);
  });

  it('continues from the last saved state after a kill (the outbox file as a kill -9 leaves it)', async () => {
    const port = await freePort();
    const path = join(dir, 'killed.log');
    const running = await offlineHost(path, port, 100);
    await waitMs(1_500);
    // What is on disk right now is what a kill -9 would leave (the outbox writes every tick).
    const killedCopy = join(dir, 'killed-copy.log');
    copyFileSync(path, killedCopy);
    await running.stop(100);
    const before = temperatures(Outbox.open(killedCopy));
    expect(before.at(-1)!).toBeGreaterThan(38);

    const restarted = await offlineHost(killedCopy, port, 100);
    await waitMs(200);
    await restarted.stop(100);
    const after = temperatures(Outbox.open(killedCopy)).slice(before.length);
    // At most one save interval (100 ms wall = 6 simulated minutes) behind: still febrile, not 36-37 °C.
    expect(after[0]!).toBeGreaterThan(38);
  });
});
