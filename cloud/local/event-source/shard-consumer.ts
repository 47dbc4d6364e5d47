/**
 * One loop per shard: read into a buffer, invoke when the batch is full (BatchSize) or the oldest
 * buffered record has waited the batching window (MaximumBatchingWindowInSeconds; 0 = as soon as records
 * arrive), deliver with retries/bisect, checkpoint. Batches of a shard are strictly sequential, as on AWS
 * with ParallelizationFactor 1, so order per partition key holds.
 */
import { deliverBatch, type DeliveryDeps } from './batch-delivery.ts';
import type { ShardReader } from './shard-reader.ts';
import type { StreamRecord } from './stream-record.ts';
import type { ShardStats } from './types.ts';

export interface ShardConsumerDeps extends Omit<DeliveryDeps, 'commit'> {
  reader: ShardReader;
  commit(last: StreamRecord): Promise<void>;
  batchSize: number;
  batchingWindowMs: number;
  pollIntervalMs: number;
  clock: () => number;
  onRecordsIn(count: number): void;
  onError(error: unknown): void;
  /** True while the source drains before stopping: deliver what is read at once, end when caught up. */
  isDraining?(): boolean;
}

export class ShardConsumer {
  readonly stats: ShardStats;
  private readonly buffer: StreamRecord[] = [];
  private oldestBufferedAt = 0;
  private closed = false;

  constructor(private readonly deps: ShardConsumerDeps, checkpoint: string | undefined) {
    this.stats = { shardId: deps.reader.shardId, recordsIn: 0, batches: 0, checkpoint, iteratorAgeMs: 0, finished: false };
  }

  /** Runs until the source stops or the shard is closed and drained. */
  async run(): Promise<void> {
    const { deps } = this;
    while (!deps.isStopping()) {
      let caughtUp = true;
      if (!this.closed && this.buffer.length < deps.batchSize) {
        try {
          caughtUp = await this.fill();
        } catch (error) {
          deps.onError(error);
          if (!(await deps.sleep(Math.max(deps.pollIntervalMs, 500)))) break;
          continue;
        }
      }
      if (this.isReady()) {
        const batch = this.buffer.splice(0, deps.batchSize);
        this.stats.batches += 1;
        const result = await deliverBatch(batch, {
          ...deps,
          commit: async (last) => {
            await deps.commit(last);
            this.stats.checkpoint = last.sequenceNumber;
          },
          giveUp: async (giveUp) => {
            await deps.giveUp(giveUp);
            const last = giveUp.records[giveUp.records.length - 1];
            if (last !== undefined) this.stats.checkpoint = last.sequenceNumber;
          },
        });
        if (result === 'stopped') break;
        continue;
      }
      if (this.closed && this.buffer.length === 0) {
        this.stats.finished = true;
        return;
      }
      if (caughtUp && this.buffer.length === 0 && deps.isDraining?.()) return;
      if (caughtUp) {
        // Wait for new records, but never past the moment the buffered ones are due.
        const due = this.buffer.length > 0 ? this.oldestBufferedAt + deps.batchingWindowMs - deps.clock() : deps.pollIntervalMs;
        if (!(await deps.sleep(Math.max(1, Math.min(deps.pollIntervalMs, due))))) break;
      }
    }
  }

  /** One GetRecords; true when the reader is caught up with the shard. */
  private async fill(): Promise<boolean> {
    const limit = Math.min(10_000, Math.max(this.deps.batchSize - this.buffer.length, 1));
    const result = await this.deps.reader.read(limit);
    this.stats.iteratorAgeMs = result.millisBehindLatest;
    this.closed = result.closed;
    if (result.records.length > 0) {
      if (this.buffer.length === 0) this.oldestBufferedAt = this.deps.clock();
      this.buffer.push(...result.records);
      this.stats.recordsIn += result.records.length;
      this.deps.onRecordsIn(result.records.length);
    }
    return result.records.length < limit;
  }

  private isReady(): boolean {
    if (this.buffer.length === 0) return false;
    if (this.buffer.length >= this.deps.batchSize || this.closed || this.deps.isDraining?.()) return true;
    return this.deps.clock() - this.oldestBufferedAt >= this.deps.batchingWindowMs;
  }
}
