import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStreamSummaryCommand, PutRecordsCommand, SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { startKinesalite, type RunningKinesalite } from '../../../../../cloud/local/kinesis/kinesalite.ts';
import { ensureStream, localKinesisClient } from '../../../../../cloud/local/kinesis/client.ts';
import { startEventSource, type EventSourceOptions, type OnFailureRecord, type RunningEventSource } from '../../../../../cloud/local/event-source/index.ts';

let kinesalite: RunningKinesalite;
let kinesis: KinesisClient;
let dir: string;
let streamCounter = 0;
const running: RunningEventSource[] = [];

beforeAll(async () => {
  kinesalite = await startKinesalite();
  kinesis = localKinesisClient(kinesalite.endpoint);
});
afterAll(async () => {
  kinesis.destroy();
  await kinesalite.close();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((source) => source.stop()));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function freshStream(): Promise<string> {
  const name = `vitals-${++streamCounter}`;
  await ensureStream(kinesis, name, 1);
  dir = await mkdtemp(join(tmpdir(), 'event-source-'));
  return name;
}

async function put(streamName: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 500) {
    await kinesis.send(new PutRecordsCommand({
      StreamName: streamName,
      Records: bodies.slice(i, i + 500).map((body) => ({ Data: Buffer.from(body), PartitionKey: 'bedside-0001' })),
    }));
  }
}

const bodies = (count: number, from = 0): string[] => Array.from({ length: count }, (_, i) => `m${from + i}`);
const decode = (event: KinesisStreamEvent): string[] => event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());

async function start(streamName: string, handler: EventSourceOptions['handler'], extra: Partial<EventSourceOptions> = {}): Promise<RunningEventSource> {
  const source = await startEventSource({
    kinesis, streamName, handler,
    checkpointDir: join(dir, 'checkpoints'), onFailureDir: join(dir, 'on-failure'),
    batchingWindowMs: 0, pollIntervalMs: 20, retryDelayMs: 5, ...extra,
  });
  running.push(source);
  return source;
}

async function until(condition: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startEventSource against kinesalite', () => {
  it('drains what the stream holds on a graceful stop instead of leaving it for the next start', async () => {
    const stream = await freshStream();
    const seen: string[] = [];
    // A batching window far longer than the test: without the drain nothing would be delivered.
    const source = await start(stream, async (event) => { seen.push(...decode(event)); }, { batchingWindowMs: 60_000, batchSize: 1000 });
    await put(stream, bodies(120));
    await until(() => source.stats().recordsIn === 120, 'the records read into the buffer');
    expect(seen).toHaveLength(0);
    await source.stop({ drainMs: 5_000 });
    expect(seen).toEqual(bodies(120));
    expect(source.stats().shards[0]?.checkpoint).toMatch(/^\d+$/);
  });

  it('delivers every record once, in order, in batches of at most batchSize, with the Lambda event shape', async () => {
    const stream = await freshStream();
    await put(stream, bodies(250));
    const seen: string[] = [];
    const sizes: number[] = [];
    let first: KinesisStreamEvent | undefined;
    const source = await start(stream, async (event) => {
      first ??= event;
      sizes.push(event.Records.length);
      seen.push(...decode(event));
    }, { batchSize: 100 });
    await until(() => seen.length >= 250, '250 records');
    expect(seen).toEqual(bodies(250));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    const record = first!.Records[0]!;
    expect(record.eventSource).toBe('aws:kinesis');
    expect(record.eventSourceARN).toBe(`arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`);
    expect(record.eventID).toBe(`shardId-000000000000:${record.kinesis.sequenceNumber}`);
    expect(record.kinesis.partitionKey).toBe('bedside-0001');
    expect(record.kinesis.approximateArrivalTimestamp).toBeGreaterThan(1_600_000_000);
    expect(record.kinesis.approximateArrivalTimestamp).toBeLessThan(1e11); // seconds, not ms
    expect(source.stats()).toMatchObject({ recordsIn: 250, recordsProcessed: 250, failedInvocations: 0 });
  });

  it('waits for the batching window to gather records that trickle in', async () => {
    const stream = await freshStream();
    const sizes: number[] = [];
    await start(stream, async (event) => { sizes.push(event.Records.length); }, { batchingWindowMs: 600, batchSize: 1_000 });
    for (let i = 0; i < 5; i += 1) {
      await put(stream, bodies(2, i * 2));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await until(() => sizes.reduce((a, b) => a + b, 0) >= 10, '10 records');
    expect(sizes).toEqual([10]);
  });

  it('retries a partial failure from the failed record, not from the start of the batch', async () => {
    const stream = await freshStream();
    await put(stream, bodies(10));
    const deliveries: string[][] = [];
    let failuresLeft = 2;
    const source = await start(stream, async (event): Promise<KinesisStreamBatchResponse> => {
      deliveries.push(decode(event));
      const bad = event.Records.find((r) => Buffer.from(r.kinesis.data, 'base64').toString() === 'm6');
      if (bad !== undefined && failuresLeft > 0) {
        failuresLeft -= 1;
        return { batchItemFailures: [{ itemIdentifier: bad.kinesis.sequenceNumber }] };
      }
      return { batchItemFailures: [] };
    }, { batchSize: 10 });
    await until(() => source.stats().recordsProcessed >= 10, 'all processed');
    expect(deliveries).toEqual([bodies(10), bodies(4, 6), bodies(4, 6)]);
    expect(source.stats().retries).toBe(2);
  });

  it('bisects on a thrown error, gives up on the poison record into the on-failure dir, and moves on', async () => {
    const stream = await freshStream();
    await put(stream, bodies(8));
    const processed: string[] = [];
    const source = await start(stream, async (event) => {
      const data = decode(event);
      if (data.includes('m5')) throw new Error('cannot parse m5');
      processed.push(...data);
    }, { batchSize: 8, maxRetries: 2, bisectOnError: true });
    await until(() => source.stats().batchesSentToOnFailure === 1 && processed.length === 7, 'give-up and the rest processed');
    expect(processed.sort()).toEqual(bodies(8).filter((b) => b !== 'm5').sort());
    const lines = (await readFile(join(dir, 'on-failure', `${stream}.jsonl`), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const failure = JSON.parse(lines[0]!) as OnFailureRecord;
    expect(failure.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failure.KinesisBatchInfo.batchSize).toBe(1);
    expect(failure.KinesisBatchInfo.startSequenceNumber).toBe(failure.KinesisBatchInfo.endSequenceNumber);
    expect(failure.responseContext.functionError).toBe('Unhandled');
    expect(source.stats().bisections).toBeGreaterThanOrEqual(3);
    expect(source.stats().lastError?.message).toBe('cannot parse m5');
  });

  it('resumes after a restart from the checkpoint without re-delivering processed records', async () => {
    const stream = await freshStream();
    await put(stream, bodies(30));
    const firstRun: string[] = [];
    const first = await start(stream, async (event) => { firstRun.push(...decode(event)); }, { batchSize: 10 });
    await until(() => firstRun.length >= 30, 'first 30');
    await first.stop();

    await put(stream, bodies(20, 30));
    const secondRun: string[] = [];
    await start(stream, async (event) => { secondRun.push(...decode(event)); }, { batchSize: 10 });
    await until(() => secondRun.length >= 20, 'next 20');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(firstRun).toEqual(bodies(30));
    expect(secondRun).toEqual(bodies(20, 30));
  });

  it('re-delivers after a restart the records whose batch had not succeeded', async () => {
    const stream = await freshStream();
    await put(stream, bodies(6));
    let healthy = false;
    const attempts: string[][] = [];
    const first = await start(stream, async (event) => {
      attempts.push(decode(event));
      if (!healthy) throw new Error('store unavailable');
    }, { batchSize: 6, maxRetries: 1_000, retryDelayMs: 20, bisectOnError: false });
    await until(() => attempts.length >= 2, 'two failed attempts');
    await first.stop();
    healthy = true;
    const delivered: string[] = [];
    await start(stream, async (event) => { delivered.push(...decode(event)); }, { batchSize: 6 });
    await until(() => delivered.length >= 6, 'the batch after restart');
    expect(delivered).toEqual(bodies(6));
  });

  it('follows a reshard: drains the parent shard, then reads the child shards', async () => {
    const stream = await freshStream();
    await put(stream, bodies(5));
    const seen: string[] = [];
    const source = await start(stream, async (event) => { seen.push(...decode(event)); }, { batchSize: 100, shardDiscoveryMs: 100 });
    await until(() => seen.length >= 5, 'records before the split');
    await kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
    for (let i = 0; i < 100; i += 1) {
      const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await kinesis.send(new PutRecordsCommand({
      StreamName: stream,
      Records: bodies(20, 5).map((body, i) => ({ Data: Buffer.from(body), PartitionKey: `bedside-${i}` })),
    }));
    await until(() => seen.length >= 25, 'records after the split');
    expect([...seen].sort()).toEqual(bodies(25).sort());
    const shards = source.stats().shards;
    expect(shards.find((s) => s.shardId === 'shardId-000000000000')?.finished).toBe(true);
    expect(shards.map((s) => s.shardId).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
  });
});
