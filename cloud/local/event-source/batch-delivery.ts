/**
 * Delivering one batch with Lambda's error handling for stream sources (no I/O here; everything injected):
 * - ReportBatchItemFailures: records before the lowest failed sequence number are done (checkpointed);
 *   the retry starts at that record.
 * - A thrown error with BisectBatchOnFunctionError splits the batch in two and delivers each half;
 *   as on AWS, splitting does not consume the retry quota.
 * - After MaximumRetryAttempts retries the remaining records are given up (on-failure destination) and
 *   the shard moves on past them.
 * A response naming an identifier that is not in the batch (or an empty one) fails the whole batch, as
 * Lambda does.
 */
import type { KinesisStreamBatchResponse } from 'aws-lambda';
import type { GiveUp } from './on-failure.ts';
import type { StreamRecord } from './stream-record.ts';

export type InvocationOutcome =
  | { kind: 'ok' }
  | { kind: 'partial'; failedIndex: number }
  | { kind: 'error'; error: unknown };

export interface DeliveryDeps {
  invoke(records: readonly StreamRecord[]): Promise<KinesisStreamBatchResponse | void>;
  /** Records up to and including this one are done. */
  commit(last: StreamRecord): Promise<void>;
  /** Retries exhausted: record the batch metadata and move past it. */
  giveUp(giveUp: GiveUp): Promise<void>;
  /** Resolves after ms, or early (false) when the source is stopping. */
  sleep(ms: number): Promise<boolean>;
  isStopping(): boolean;
  maxRetries: number;
  bisectOnError: boolean;
  retryDelayMs: number;
  /** Counters for the dashboard. */
  onInvocation?(outcome: InvocationOutcome, size: number): void;
  onRetry?(): void;
  onBisect?(): void;
}

export type DeliveryResult = 'done' | 'stopped';

/** Classifies a handler's result against the batch it was given. */
export function classifyResponse(records: readonly StreamRecord[], response: KinesisStreamBatchResponse | void): InvocationOutcome {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return { kind: 'ok' };
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const index = records.findIndex((record) => record.sequenceNumber === failure.itemIdentifier);
    if (index < 0) {
      return { kind: 'error', error: new Error(`batchItemFailures names "${String(failure.itemIdentifier)}", which is not in the batch: the whole batch counts as failed`) };
    }
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', failedIndex: lowest };
}

export async function deliverBatch(records: readonly StreamRecord[], deps: DeliveryDeps): Promise<DeliveryResult> {
  return deliverSegment(records, deps, 0, 0);
}

async function deliverSegment(records: readonly StreamRecord[], deps: DeliveryDeps, retriesUsed: number, invokeCount: number): Promise<DeliveryResult> {
  let pending = records;
  let retries = retriesUsed;
  let invocations = invokeCount;
  for (;;) {
    let outcome: InvocationOutcome;
    try {
      outcome = classifyResponse(pending, await deps.invoke(pending));
    } catch (error) {
      outcome = { kind: 'error', error };
    }
    invocations += 1;
    deps.onInvocation?.(outcome, pending.length);
    if (outcome.kind === 'ok') {
      await deps.commit(pending[pending.length - 1]!);
      return 'done';
    }
    if (outcome.kind === 'partial' && outcome.failedIndex > 0) {
      await deps.commit(pending[outcome.failedIndex - 1]!);
      pending = pending.slice(outcome.failedIndex);
    }
    if (outcome.kind === 'error' && deps.bisectOnError && pending.length > 1) {
      deps.onBisect?.();
      const middle = Math.ceil(pending.length / 2);
      for (const half of [pending.slice(0, middle), pending.slice(middle)]) {
        if (deps.isStopping()) return 'stopped';
        if ((await deliverSegment(half, deps, retries, invocations)) === 'stopped') return 'stopped';
      }
      return 'done';
    }
    if (retries >= deps.maxRetries) {
      await deps.giveUp({ records: pending, invokeCount: invocations, threw: outcome.kind === 'error' });
      return 'done';
    }
    retries += 1;
    deps.onRetry?.();
    const delay = Math.min(2_000, deps.retryDelayMs * 2 ** (retries - 1));
    if (!(await deps.sleep(delay)) || deps.isStopping()) return 'stopped';
  }
}
