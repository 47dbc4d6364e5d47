/**
 * Types of the local Kinesis event source: the stand-in for Lambda's event source mapping (DESIGN §1).
 * The handler type is Lambda's own, so the very handler deployed to AWS runs here unchanged.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';

/** A Kinesis-triggered Lambda handler. Returning nothing means the whole batch succeeded. */
export type KinesisBatchHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | void>;

export interface EventSourceOptions {
  kinesis: KinesisClient;
  streamName: string;
  handler: KinesisBatchHandler;
  /** Where the last fully processed sequence number of each shard is kept (one JSON file per shard). */
  checkpointDir: string;
  /** Local on-failure destination: metadata of batches given up on, as JSON lines. */
  onFailureDir: string;
  /** BatchSize: the most records per invocation (default 100, 1-10,000). */
  batchSize?: number;
  /** MaximumBatchingWindowInSeconds, in ms (default 1,000; 0 invokes as soon as records arrive). */
  batchingWindowMs?: number;
  /** MaximumRetryAttempts (default 3, finite on purpose: STYLE "To avoid"). */
  maxRetries?: number;
  /** BisectBatchOnFunctionError (default true). */
  bisectOnError?: boolean;
  /** How long a shard loop sleeps after an empty GetRecords (default 200 ms). */
  pollIntervalMs?: number;
  /** Wait before retrying a failed batch (default 100 ms, doubled per attempt, at most 2 s). */
  retryDelayMs?: number;
  /** How often the shard list is re-read to pick up resharding (default 10 s). */
  shardDiscoveryMs?: number;
  /** Region and account used in ARNs of the event (defaults: us-east-1, 000000000000). */
  region?: string;
  accountId?: string;
  functionName?: string;
  /** Lifecycle and error lines. */
  log?: (line: string) => void;
  /** Injected clock (epoch ms). */
  clock?: () => number;
}

export interface ShardStats {
  shardId: string;
  recordsIn: number;
  batches: number;
  /** Last checkpointed sequence number, or undefined before the first success. */
  checkpoint: string | undefined;
  /** MillisBehindLatest of the last GetRecords: how far this shard's reader trails the stream tip. */
  iteratorAgeMs: number;
  finished: boolean;
}

export interface EventSourceStats {
  /** Records read from the stream. */
  recordsIn: number;
  /** Handler invocations (retries and bisected halves included). */
  batches: number;
  /** Records the handler reported as processed (checkpointed). */
  recordsProcessed: number;
  /** Invocations that threw or reported item failures. */
  failedInvocations: number;
  retries: number;
  bisections: number;
  /** Batches given up on and written to the on-failure destination. */
  batchesSentToOnFailure: number;
  recordsSentToOnFailure: number;
  /** Largest iterator age over the shards (stream lag, ms). */
  iteratorAgeMs: number;
  lastError: { message: string; at: string } | undefined;
  shards: ShardStats[];
}

export interface RunningEventSource {
  /**
   * Stops polling, lets the batch in flight finish, and resolves when every shard loop has ended.
   * With `drainMs`, first delivers everything already in the stream (without waiting for the batching
   * window) for up to that long: a graceful stop leaves nothing acknowledged outside the lake.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
  stats(): EventSourceStats;
}

/** Base of the event source's errors. */
export class EventSourceError extends Error {
  override name = 'EventSourceError';
}

/** Options that cannot work, named with what to change. */
export class EventSourceConfigError extends EventSourceError {
  override name = 'EventSourceConfigError';
}

/** A checkpoint file that exists but cannot be read. */
export class CheckpointError extends EventSourceError {
  override name = 'CheckpointError';
}
