/**
 * The fleet runner end to end against the local IoT Core stand-in: worker processes, the durable outbox
 * across a SIGKILL, and what reaches the stream (kinesalite) through THE rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBroker, type RunningBroker } from '../../../../cloud/local/broker/index.ts';
import { ensureStream, localKinesisClient } from '../../../../cloud/local/kinesis/client.ts';
import { startKinesalite, type RunningKinesalite } from '../../../../cloud/local/kinesis/kinesalite.ts';
import { EndpointUnreachableError, runFleet, ThingsInUseError } from '../../../../device/fleet/index.ts';
import { makeCerts } from '../helpers/local-certs.ts';
import { main as monitorMain } from '../../../../device/cli/monitor.ts';
import { freePort } from '../helpers/mosquitto.ts';
import { readStream, seqGaps, seqReuse } from '../helpers/stream-reader.ts';

const COUNT = 20;
const STREAM = 'vitals-fleet';
let dir: string;
let certsDir: string;
let kinesalite: RunningKinesalite;
let kinesis: ReturnType<typeof localKinesisClient>;
let broker: RunningBroker;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-'));
  certsDir = join(dir, 'certs');
  await makeCerts(certsDir, COUNT);
  kinesalite = await startKinesalite();
  kinesis = localKinesisClient(kinesalite.endpoint);
  await ensureStream(kinesis, STREAM);
  broker = await startLocalBroker({ certsDir, port: 0, kinesis: { client: kinesis, streamName: STREAM } });
});

afterAll(async () => {
  await broker?.close();
  kinesis?.destroy();
  await kinesalite?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runFleet', () => {
  it('leaves no seq gap in the stream when a worker is killed with SIGKILL and restarted', async () => {
    const fleet = runFleet({
      count: COUNT, target: `mqtts://127.0.0.1:${broker.port}`, certsDir, dataDir: join(dir, 'data'), workers: 2,
      intervalMs: 100, connectRatePerSecond: 1_000, backoffMinMs: 200, backoffMaxMs: 1_000, statsEveryMs: 200,
      scenarioMix: 'stable:1,sepsis:1', seed: 3,
    });
    try {
      await until('all monitors connected', () => fleet.progress().connected === COUNT, 40_000);
      await sleep(800);
      await fleet.killWorker(0);
      await sleep(500);
      fleet.restartWorker(0);
      await until('the restarted worker reconnected', () => fleet.progress().connected === COUNT, 40_000);
      await sleep(1_000);
    } finally {
      await fleet.stop();
    }
    const summary = await fleet.summary;
    await sleep(300);
    const { gaps, devices } = seqGaps(await readStream(kinesis, STREAM));
    expect(summary.workerRestarts).toBe(1);
    expect(summary.acked).toBeGreaterThan(COUNT * 10);
    expect(summary.publishToAckMs.p99).toBeGreaterThan(0);
    expect(devices.size).toBe(COUNT);
    expect(Object.fromEntries(gaps)).toEqual({});
  }, 120_000);

  it('keeps every thing\'s seq across restarts with another --count and worker count: no gap, no reuse', async () => {
    const dataDir = join(dir, 'data-resize');
    const stream = 'vitals-resize';
    await ensureStream(kinesis, stream);
    const resizeBroker = await startLocalBroker({ certsDir, port: 0, kinesis: { client: kinesis, streamName: stream } });
    try {
      for (const [count, workers] of [[COUNT, 2], [COUNT / 2, 1], [COUNT, 3]] as const) {
        const fleet = runFleet({
          count, target: `mqtts://127.0.0.1:${resizeBroker.port}`, certsDir, dataDir, workers, intervalMs: 100,
          connectRatePerSecond: 1_000, statsEveryMs: 200, shadow: false,
        });
        try {
          await until(`${count} monitors connected`, () => fleet.progress().connected === count, 40_000);
          const acked = fleet.progress().acked;
          await until('some readings acknowledged', () => fleet.progress().acked >= acked + count * 3, 20_000);
        } finally {
          await fleet.stop();
        }
      }
    } finally {
      await resizeBroker.close();
    }
    const messages = await readStream(kinesis, stream);
    const { gaps, devices } = seqGaps(messages);
    expect(devices.size).toBe(COUNT);
    expect(Object.fromEntries(gaps)).toEqual({});
    expect(seqReuse(messages)).toEqual([]);
    // The things of the smaller middle run went on from their seq, the others resumed later from theirs.
    expect(Math.min(...devices.get('bedside-0001')!)).toBe(1);
  }, 180_000);

  it('refuses a second fleet on the same things, naming the owner and a free range', async () => {
    const dataDir = join(dir, 'data-clash');
    const owner = runFleet({ count: 10, target: `mqtts://127.0.0.1:${broker.port}`, certsDir, dataDir, workers: 1, statsEveryMs: 200, shadow: false });
    try {
      let refusal: unknown;
      try {
        runFleet({ count: 5, first: 8, target: `mqtts://127.0.0.1:${broker.port}`, certsDir, dataDir, workers: 1 });
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(ThingsInUseError);
      expect((refusal as Error).message).toMatch(new RegExp(`bedside-0008 \\.\\.\\. bedside-0010 \\(3 things\\) are already run by process ${process.pid}`));
      expect((refusal as Error).message).toContain('--first 11');
      // Other things run beside it.
      const beside = runFleet({ count: 5, first: 11, target: `mqtts://127.0.0.1:${broker.port}`, certsDir, dataDir, workers: 1, statsEveryMs: 200, shadow: false });
      await until('the second fleet connected', () => beside.progress().connected === 5, 30_000);
      await beside.stop();
    } finally {
      await owner.stop();
    }
    // Once the owner has stopped, the things are free again.
    const after = runFleet({ count: 5, first: 8, target: `mqtts://127.0.0.1:${broker.port}`, certsDir, dataDir, workers: 1, shadow: false });
    await after.stop();
  }, 120_000);

  it('restarts a worker killed from outside, and counts it', async () => {
    const logs: string[] = [];
    const fleet = runFleet({
      count: COUNT, target: `mqtts://127.0.0.1:${broker.port}`, certsDir, dataDir: join(dir, 'data-supervised'), workers: 2,
      intervalMs: 200, connectRatePerSecond: 1_000, backoffMinMs: 200, statsEveryMs: 200, restartDelayMs: 200, shadow: false,
      onLog: (line) => logs.push(line),
    });
    try {
      await until('all monitors connected', () => fleet.progress().connected === COUNT, 40_000);
      process.kill(fleet.workerPids()[0]!, 'SIGKILL');
      await until('the worker counted as down', () => fleet.progress().connected < COUNT, 10_000);
      await until('the worker restarted and reconnected', () => fleet.progress().workerRestarts === 1 && fleet.progress().connected === COUNT, 40_000);
      // msg/s is over the last seconds, whoever asks and however often (it read 0 between two worker reports).
      await sleep(1_500);
      const rates = [fleet.progress().msgPerSecond, fleet.progress().msgPerSecond];
      expect(Math.min(...rates)).toBeGreaterThan(COUNT * 2);
    } finally {
      await fleet.stop();
    }
    expect((await fleet.summary).workerRestarts).toBe(1);
    expect(logs).toEqual([expect.stringMatching(/^worker 0 \(things-1-10\) died \(signal SIGKILL\): restarting it in 0\.2 s/)]);
  }, 120_000);

  it('refuses npm run monitor on a thing a fleet runs, naming the fleet', async () => {
    const dataDir = join(dir, 'data-monitor-clash');
    const fleet = runFleet({ count: 3, target: `mqtts://127.0.0.1:${broker.port}`, certsDir, dataDir, workers: 1, shadow: false });
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: unknown) => { errors.push(String(line)); };
    let code: number;
    try {
      code = await monitorMain(['--thing', 'bedside-0002', '--target', `mqtts://127.0.0.1:${broker.port}`, '--certs-dir', certsDir, '--data-dir', dataDir]);
    } finally {
      console.error = original;
      await fleet.stop();
    }
    expect(code).toBe(2);
    expect(errors.join('\n')).toMatch(/bedside-0002 is already run by process \d+ .*another thing with --thing/);
  }, 60_000);

  it('fails with EndpointUnreachableError naming host and port when nothing answers (bounded wait)', async () => {
    const port = await freePort();
    const fleet = runFleet({
      count: 2, target: `mqtts://127.0.0.1:${port}`, certsDir, dataDir: join(dir, 'data-unreachable'), workers: 1,
      connectTimeoutMs: 1_000, unreachableAfterMs: 1_500, statsEveryMs: 200, backoffMinMs: 200,
    });
    const error = await fleet.summary.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointUnreachableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    // The transport's error already says what to check; the runner does not say it again.
    expect((error as Error).message.match(/check that the broker runs/gi) ?? []).toHaveLength(1);
  }, 60_000);
});
