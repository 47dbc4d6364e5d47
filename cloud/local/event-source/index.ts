/**
 * The local stand-in for Lambda's Kinesis event source mapping (DESIGN §1): polls every shard of a
 * kinesalite (or any Kinesis API) stream and invokes the same handler that runs in Lambda, with the same
 * event shape, batching, partial-batch retry, bisect, finite retries and on-failure destination.
 * Checkpoints live on disk, so a restart resumes after the last processed record.
 *
 *   const source = await startEventSource({ kinesis, streamName, handler, checkpointDir, onFailureDir });
 *   ...; source.stats(); await source.stop();
 */
import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { CheckpointStore } from './checkpoint-store.ts';
import { appendOnFailureRecord, buildOnFailureRecord } from './on-failure.ts';
import { ShardConsumer } from './shard-consumer.ts';
import { ShardReader } from './shard-reader.ts';
import { toKinesisStreamEvent, type EventContext } from './stream-record.ts';
import {
  EventSourceConfigError, type EventSourceOptions, type EventSourceStats, type RunningEventSource,
} from './types.ts';

export * from './types.ts';
export type { OnFailureRecord } from './on-failure.ts';

const DEFAULTS = {
  batchSize: 100, batchingWindowMs: 1_000, maxRetries: 3, bisectOnError: true, pollIntervalMs: 200,
  retryDelayMs: 100, shardDiscoveryMs: 10_000, region: 'us-east-1', accountId: '000000000000', functionName: 'vitals-etl',
};

function checkOptions(options: EventSourceOptions): Required<Omit<EventSourceOptions, 'log' | 'clock'>> {
  const resolved = { ...DEFAULTS, ...withoutUndefined(options) } as Required<Omit<EventSourceOptions, 'log' | 'clock'>>;
  const { batchSize, batchingWindowMs, maxRetries } = resolved;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new EventSourceConfigError(`batchSize must be an integer from 1 to 10,000 (Kinesis BatchSize limits); got ${batchSize}`);
  }
  if (!(batchingWindowMs >= 0 && batchingWindowMs <= 300_000)) {
    throw new EventSourceConfigError(`batchingWindowMs must be 0 to 300,000 (MaximumBatchingWindowInSeconds is at most 300); got ${batchingWindowMs}`);
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10_000) {
    throw new EventSourceConfigError(`maxRetries must be an integer from 0 to 10,000; infinite retries would block a shard for the whole retention period; got ${maxRetries}`);
  }
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(new ListShardsCommand(nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken }));
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return shards;
}

export async function startEventSource(options: EventSourceOptions): Promise<RunningEventSource> {
  const config = checkOptions(options);
  const clock = options.clock ?? Date.now;
  const log = options.log ?? (() => {});
  const context: EventContext = { region: config.region, accountId: config.accountId, streamName: config.streamName, functionName: config.functionName };
  const checkpoints = new CheckpointStore(config.checkpointDir, config.streamName, clock);
  const stopper = new AbortController();
  const consumers = new Map<string, { consumer: ShardConsumer; done: Promise<void> }>();
  const totals: Omit<EventSourceStats, 'iteratorAgeMs' | 'shards'> = {
    recordsIn: 0, batches: 0, recordsProcessed: 0, failedInvocations: 0, retries: 0, bisections: 0,
    batchesSentToOnFailure: 0, recordsSentToOnFailure: 0, lastError: undefined,
  };
  const noteError = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    totals.lastError = { message, at: new Date(clock()).toISOString() };
    log(`event-source: ${message}`);
  };
  const sleep = (ms: number): Promise<boolean> => new Promise((resolve) => {
    if (stopper.signal.aborted) return resolve(false);
    const timer = setTimeout(() => { stopper.signal.removeEventListener('abort', onAbort); resolve(true); }, ms);
    const onAbort = (): void => { clearTimeout(timer); resolve(false); };
    stopper.signal.addEventListener('abort', onAbort, { once: true });
  });
  const isStopping = (): boolean => stopper.signal.aborted;
  let draining = false;
  const isDraining = (): boolean => draining;

  async function startShard(shardId: string): Promise<void> {
    const checkpoint = await checkpoints.read(shardId);
    const consumer = new ShardConsumer({
      reader: new ShardReader(config.kinesis, config.streamName, shardId, checkpoint),
      batchSize: config.batchSize,
      batchingWindowMs: config.batchingWindowMs,
      pollIntervalMs: config.pollIntervalMs,
      maxRetries: config.maxRetries,
      bisectOnError: config.bisectOnError,
      retryDelayMs: config.retryDelayMs,
      clock,
      sleep,
      isStopping,
      isDraining,
      invoke: (records) => config.handler(toKinesisStreamEvent(records, context)),
      commit: async (last) => {
        await checkpoints.write(shardId, last.sequenceNumber);
      },
      giveUp: async (giveUp) => {
        const record = buildOnFailureRecord(giveUp, context, clock());
        const file = await appendOnFailureRecord(config.onFailureDir, record, config.streamName);
        const last = giveUp.records[giveUp.records.length - 1]!;
        await checkpoints.write(shardId, last.sequenceNumber);
        totals.batchesSentToOnFailure += 1;
        totals.recordsSentToOnFailure += giveUp.records.length;
        log(`event-source: gave up on ${giveUp.records.length} record(s) of ${shardId} after ${giveUp.invokeCount} invocation(s); metadata in ${file}`);
      },
      onInvocation: (outcome, size) => {
        totals.batches += 1;
        if (outcome.kind === 'ok') totals.recordsProcessed += size;
        else if (outcome.kind === 'partial') { totals.failedInvocations += 1; totals.recordsProcessed += outcome.failedIndex; }
        else { totals.failedInvocations += 1; noteError(outcome.error); }
      },
      onRetry: () => { totals.retries += 1; },
      onBisect: () => { totals.bisections += 1; },
      onRecordsIn: (count) => { totals.recordsIn += count; },
      onError: noteError,
    }, checkpoint);
    const done = consumer.run().then(() => {
      if (consumer.stats.finished) {
        log(`event-source: ${shardId} is closed and drained`);
        void discover().catch(noteError);
      }
    }, noteError);
    consumers.set(shardId, { consumer, done });
    log(`event-source: polling ${config.streamName}/${shardId} from ${checkpoint === undefined ? 'TRIM_HORIZON' : `after ${checkpoint}`}`);
  }

  // Discovery runs from a timer and when a shard drains: chained so that no shard gets two loops.
  let discovering: Promise<void> = Promise.resolve();
  function discover(): Promise<void> {
    discovering = discovering.catch(() => {}).then(discoverOnce);
    return discovering;
  }

  /** Starts a loop for every shard not yet followed whose parents are drained (order across a reshard). */
  async function discoverOnce(): Promise<void> {
    if (isStopping()) return;
    const shards = await listShards(config.kinesis, config.streamName);
    const known = new Set(shards.map((shard) => shard.ShardId));
    const parentDone = (parent: string | undefined): boolean =>
      parent === undefined || !known.has(parent) || consumers.get(parent)?.consumer.stats.finished === true;
    for (const shard of shards) {
      const shardId = shard.ShardId;
      if (shardId === undefined || consumers.has(shardId) || isStopping()) continue;
      if (parentDone(shard.ParentShardId) && parentDone(shard.AdjacentParentShardId)) await startShard(shardId);
    }
  }

  await discover();
  const discovery = setInterval(() => { discover().catch(noteError); }, config.shardDiscoveryMs);
  discovery.unref();

  return {
    async stop(stopOptions = {}) {
      clearInterval(discovery);
      const loops = Promise.all([...consumers.values()].map((entry) => entry.done));
      if (stopOptions.drainMs !== undefined && stopOptions.drainMs > 0) {
        draining = true;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([loops, new Promise((resolve) => { timer = setTimeout(resolve, stopOptions.drainMs); })]);
        clearTimeout(timer);
      }
      stopper.abort();
      await loops;
    },
    stats() {
      const shards = [...consumers.values()].map((entry) => ({ ...entry.consumer.stats }));
      return { ...totals, iteratorAgeMs: Math.max(0, ...shards.map((shard) => shard.iteratorAgeMs)), shards };
    },
  };
}
