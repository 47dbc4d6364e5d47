/**
 * The monitor runtime against the local IoT Core stand-in (aedes over mTLS, THE policy, shadow service,
 * THE rule into kinesalite): what reaches the stream has no seq gap per device through outages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBroker, type RunningBroker } from '../../../../cloud/local/broker/index.ts';
import { ensureStream, localKinesisClient } from '../../../../cloud/local/kinesis/client.ts';
import { startKinesalite, type RunningKinesalite } from '../../../../cloud/local/kinesis/kinesalite.ts';
import { resolveTarget } from '../../../../device/fleet/targets.ts';
import { monitorSpec } from '../../../../device/fleet/specs.ts';
import { MonitorHost } from '../../../../device/monitor/index.ts';
import { Outbox } from '../../../../device/outbox/index.ts';
import { loadTransportFactory } from '../../../../device/transport/index.ts';
import { parseScenarioMix } from '../../../../device/vitals/index.ts';
import { makeCerts } from '../helpers/local-certs.ts';
import { readStream, seqGaps } from '../helpers/stream-reader.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const COUNT = 20;
let dir: string;
let certsDir: string;
let kinesalite: RunningKinesalite;
let kinesis: KinesisClient;
let streamNumber = 0;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'monitor-host-'));
  certsDir = join(dir, 'certs');
  await makeCerts(certsDir, COUNT);
  kinesalite = await startKinesalite();
  kinesis = localKinesisClient(kinesalite.endpoint);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  kinesis?.destroy();
  await kinesalite?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function stack(port = 0): Promise<{ broker: RunningBroker; streamName: string }> {
  const streamName = `vitals-${++streamNumber}`;
  await ensureStream(kinesis, streamName);
  const broker = await startLocalBroker({ certsDir, port, kinesis: { client: kinesis, streamName } });
  return { broker, streamName };
}

async function host(port: number, count: number, intervalMs: number, outboxName: string, transport: 'mqtt' | 'lite' | 'crt' = 'mqtt'): Promise<MonitorHost> {
  const target = resolveTarget({ target: `mqtts://127.0.0.1:${port}`, certsDir });
  const monitorHost = new MonitorHost({
    host: '127.0.0.1', port, transportFactory: await loadTransportFactory(transport),
    outbox: Outbox.open(join(dir, outboxName)), connectRatePerSecond: 1_000,
    backoff: { minMs: 200, maxMs: 1_000 }, connectTimeoutMs: 3_000,
  });
  const mix = parseScenarioMix('stable');
  target.things(count).forEach((identity, i) => {
    monitorHost.add({ ...monitorSpec(identity, i, { seed: 7, mix, intervalMs }), tls: target.credentials(identity.thing) });
  });
  cleanups.push(() => monitorHost.stop(500));
  return monitorHost;
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MonitorHost against the local broker', () => {
  it('keeps every device seq gap-free in the stream when the broker is killed and restarted mid-run', async () => {
    const { broker, streamName } = await stack();
    const port = broker.port;
    const monitors = await host(port, COUNT, 100, 'outage.log');
    await until('all monitors connected', () => monitors.stats().connected === COUNT);
    await sleep(600);
    await broker.close();
    await until('all monitors offline', () => monitors.stats().connected === 0);
    await sleep(700); // monitors keep measuring into the outbox meanwhile
    const queuedDuringOutage = monitors.stats().queued;
    const restarted = await startLocalBroker({ certsDir, port, kinesis: { client: kinesis, streamName } });
    cleanups.push(() => restarted.close());
    await until('all monitors reconnected', () => monitors.stats().connected === COUNT);
    await sleep(500);
    await monitors.stop(3_000);
    await sleep(300); // the rule's batcher delivers to the stream

    const stats = monitors.stats();
    const { gaps, devices } = seqGaps(await readStream(kinesis, streamName));
    expect(queuedDuringOutage).toBeGreaterThan(COUNT * 3);
    expect(stats.reconnects).toBeGreaterThanOrEqual(COUNT);
    expect(devices.size).toBe(COUNT);
    expect(Object.fromEntries(gaps)).toEqual({});
    for (const seqs of devices.values()) expect(Math.max(...seqs)).toBeGreaterThan(12);
  });

  it('resends a message whose PUBACK was lost with the same seq (a duplicate, never a new seq)', async () => {
    const { broker, streamName } = await stack();
    cleanups.push(() => broker.close());
    const proxy = await startTcpProxy('127.0.0.1', broker.port);
    cleanups.push(() => proxy.close());
    const monitors = await host(proxy.port, 3, 100, 'duplicates.log');
    await until('connected', () => monitors.stats().connected === 3);
    await sleep(300);
    const forwardedBefore = broker.stats().rules.forwarded;
    proxy.swallowReplies(true);
    // Publishes reach the broker and the stream; their PUBACKs do not come back. Waiting on the broker's
    // count rather than a fixed sleep keeps this true on a loaded machine.
    await until('publishes forwarded while PUBACKs are swallowed', () => broker.stats().rules.forwarded >= forwardedBefore + 6);
    proxy.cutAll();
    proxy.swallowReplies(false);
    await until('reconnected', () => monitors.stats().connected === 3);
    await until('the unacknowledged messages resent', () => monitors.stats().duplicatesResent > 0);
    await sleep(400);
    await monitors.stop(3_000);
    const forwardedAtStop = broker.stats().rules.forwarded;
    await until('the rule delivers everything to the stream', () => broker.stats().rules.queued === 0 && broker.stats().rules.forwarded >= forwardedAtStop);
    await sleep(300);

    const messages = await readStream(kinesis, streamName);
    const { gaps, duplicates } = seqGaps(messages);
    expect(monitors.stats().duplicatesResent).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
    expect(Object.fromEntries(gaps)).toEqual({});
    // A duplicate is byte for byte the original: same seq, same timestamp, same values.
    const byKey = new Map<string, Set<string>>();
    for (const m of messages) {
      const key = `${m.device_id}/${m.seq}`;
      byKey.set(key, (byKey.get(key) ?? new Set()).add(m.raw));
    }
    expect([...byKey.values()].every((raws) => raws.size === 1)).toBe(true);
  });

  it('runs on the lite and aws-crt transports over mTLS with every message acked and no gap', async () => {
    for (const transport of ['lite', 'crt'] as const) {
      const { broker, streamName } = await stack();
      cleanups.push(() => broker.close());
      const monitors = await host(broker.port, 5, 100, `${transport}.log`, transport);
      await until('connected', () => monitors.stats().connected === 5);
      await sleep(800);
      await monitors.stop(2_000);
      await sleep(300);
      const { gaps, devices } = seqGaps(await readStream(kinesis, streamName));
      expect(monitors.stats().queued).toBe(0);
      expect(devices.size).toBe(5);
      expect(Object.fromEntries(gaps)).toEqual({});
    }
  });

  it('applies a desired interval from a shadow delta within one tick and reports it back', async () => {
    const { broker, streamName } = await stack();
    cleanups.push(() => broker.close());
    const monitors = await host(broker.port, 1, 1_000, 'shadow.log');
    await until('connected', () => monitors.stats().connected === 1);
    await sleep(1_200);
    const thing = 'bedside-0001';
    const changedAt = Date.now();
    broker.shadows.accept(`$aws/things/${thing}/shadow/update`, Buffer.from(JSON.stringify({ state: { desired: { interval_ms: 200 } } })));
    await until('interval applied', () => monitors.monitor(thing)?.intervalMs === 200, 1_000);
    await sleep(1_100);
    await monitors.stop(2_000);
    await broker.shadows.idle();
    await sleep(300);

    const after = (await readStream(kinesis, streamName)).map((m) => Date.parse(m.timestamp)).filter((t) => t > changedAt).sort((a, b) => a - b);
    // Within one old tick (1 s) the new cadence is running: first sample soon, then ~200 ms apart.
    expect(after[0]! - changedAt).toBeLessThan(1_000);
    expect(after.length).toBeGreaterThanOrEqual(4);
    const gapsMs = after.slice(1).map((t, i) => t - after[i]!);
    expect(Math.max(...gapsMs)).toBeLessThan(300);
    const record = await broker.shadows.store.load(thing);
    expect(record.document?.state.reported).toMatchObject({ interval_ms: 200, firmware: expect.any(String) });
    expect(record.document?.state.desired).toMatchObject({ interval_ms: 200 });
  });
});
