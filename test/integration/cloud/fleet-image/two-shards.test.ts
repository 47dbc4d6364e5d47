/**
 * The fleet image's entry, built without Docker (esbuild, as the Dockerfile does), run as two shard
 * processes (SHARD_INDEX 0 and 1 of SHARD_COUNT 2) against one mosquitto: together they publish for every
 * thing of the fleet, and no thing runs in both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildFleetImage } from '../../../../cloud/fleet-image/build.ts';
import { thingNameFor } from '../../../../certs/local/fleet-attributes.ts';
import { startMosquitto, type RunningMosquitto } from '../../device/helpers/mosquitto.ts';

const MONITORS = 9;
let dir: string;
let entry: string;
let broker: RunningMosquitto;

interface Shard { child: ChildProcess; lines: Record<string, unknown>[]; exit: Promise<number | null> }

function startShard(index: number, of: number, transport: string): Shard {
  // Run from an empty directory, with no node_modules on the way up: the bundle must carry its packages.
  const child = spawn(process.execPath, [entry], {
    cwd: dir,
    env: {
      PATH: process.env.PATH, SHARD_INDEX: String(index), SHARD_COUNT: String(of), FLEET_MONITORS: String(MONITORS),
      FLEET_TARGET: broker.url, FLEET_TRANSPORT: transport, FLEET_WORKERS: '1', FLEET_REPORT_SECONDS: '1',
      FLEET_DATA_DIR: join(dir, `data-${transport}-${index}`), FLEET_CONNECT_RATE: '50',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exit };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-image-'));
  entry = await buildFleetImage(join(dir, 'dist'));
  broker = await startMosquitto();
}, 60_000);

afterAll(async () => {
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the fleet image entry', () => {
  it('is built by esbuild into files that need no node_modules and no sources', () => {
    const files = readdirSync(join(dir, 'dist'));
    expect(files).toEqual(expect.arrayContaining(['fleet-entry.mjs', 'fleet-worker.mjs']));
    expect(files.every((file) => file.endsWith('.mjs'))).toBe(true);
  });

  it.each(['lite', 'mqtt'])('runs shard 1/2 and 2/2 (%s) that together publish for every thing exactly once', async (transport) => {
    const subscriber = await mqtt.connectAsync(broker.url, { clientId: `observer-${transport}` });
    const seen = new Map<string, number>();
    subscriber.on('message', (_topic, payload) => {
      const { device_id: device } = JSON.parse(payload.toString('utf8')) as { device_id: string };
      seen.set(device, (seen.get(device) ?? 0) + 1);
    });
    await subscriber.subscribeAsync('dt/bedside/+/vitals', { qos: 1 });
    const shards = [startShard(0, 2, transport), startShard(1, 2, transport)];
    try {
      const everyThing = Array.from({ length: MONITORS }, (_, i) => thingNameFor(i + 1));
      await vi.waitFor(() => expect([...seen.keys()].sort()).toEqual(everyThing), { timeout: 20_000, interval: 100 });
      for (const shard of shards) shard.child.kill('SIGTERM');
      expect(await Promise.all(shards.map((s) => s.exit))).toEqual([0, 0]);
    } finally {
      for (const shard of shards) if (shard.child.exitCode === null) shard.child.kill('SIGKILL');
      await subscriber.endAsync();
    }
    const starts = shards.map((s) => s.lines.find((l) => l.event === 'fleet-start'));
    expect(starts.map((s) => s?.shard)).toEqual(['1/2', '2/2']);
    // The connect quota is the shard's share; the progress lines carry the shard for the metric filters.
    expect(shards.every((s) => s.lines.some((l) => l.event === 'fleet-progress' && typeof l.connected === 'number'))).toBe(true);
    const summaries = shards.map((s) => s.lines.find((l) => l.event === 'fleet-summary') as { shard: string; monitors: number; reconnects: number; errors: number } | undefined);
    expect(summaries.map((s) => s?.shard)).toEqual(['1', '2']);
    // 4 + 5 monitors and 9 distinct things observed: no thing can have run in both shards. A thing in both
    // would also have taken its own session over on the broker (a reconnect on each side).
    expect(summaries.map((s) => s?.monitors)).toEqual([4, 5]);
    expect(summaries.map((s) => [s?.reconnects, s?.errors])).toEqual([[0, 0], [0, 0]]);
    expect(seen.size).toBe(MONITORS);
  }, 60_000);
});
