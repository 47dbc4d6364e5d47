/**
 * The local stand-in for the hourly schedule: a compaction pass every intervalMs over the same store the
 * ETL writes, never two at once. A failed pass is logged and retried at the next tick (nothing was deleted
 * unless the compacted file was written).
 */
import type { ObjectStore } from '../../lake/object-store.ts';
import { compactCuratedLake, type CompactionSummary } from './compact.ts';

export const DEFAULT_COMPACTION_GRACE_MS = 15 * 60_000;

export interface CompactorOptions {
  store: ObjectStore;
  /** Time between the end of one pass and the start of the next. */
  intervalMs: number;
  /** How long after an hour ends its partition is left alone (see plan.ts). */
  graceMs?: number;
  clock?: () => number;
  log?: (line: string) => void;
}

export interface RunningCompactor {
  /** Runs a pass now (after the one in flight, if any). */
  runOnce(): Promise<CompactionSummary>;
  /** Stops the timer and waits for the pass in flight; safe to call twice. */
  close(): Promise<void>;
}

export function startCompactor({ store, intervalMs, graceMs = DEFAULT_COMPACTION_GRACE_MS, clock = Date.now, log = () => {} }: CompactorOptions): RunningCompactor {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs is ${intervalMs}: use a positive number of milliseconds`);
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  const runOnce = (): Promise<CompactionSummary> => {
    const pass = inFlight.then(() => compactCuratedLake({ store, nowMs: clock(), graceMs, log }));
    inFlight = pass.catch(() => undefined);
    return pass;
  };
  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((error: unknown) => log(`compaction pass failed (retried in ${intervalMs} ms): ${error instanceof Error ? error.message : String(error)}`))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    runOnce,
    async close() {
      closed = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
