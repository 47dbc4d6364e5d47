/**
 * What a fleet task writes to its log: one JSON object per line, `event` first. The stack's metric filters
 * turn `fleet-progress` lines into the per-task metrics (dimension Shard), and `fleet-summary` is the
 * run's end. Pure: values in, a line out (STYLE: pass values, not log text, inside the process).
 */
import type { FleetProgress, FleetSummary } from '../../device/fleet/index.ts';

export const METRIC_NAMESPACE = 'HealthcareDatalake/Fleet';

/** Fields of a progress line that the stack turns into metrics (name -> JSON field). */
export const PROGRESS_METRICS = {
  Connected: 'connected',
  AckedPerSecond: 'msg_per_second',
  Queued: 'queued',
  DroppedInInterval: 'dropped_delta',
  ErrorsInInterval: 'errors_delta',
} as const;

export interface ProgressLine {
  event: 'fleet-progress';
  shard: string;
  connected: number;
  monitors: number;
  msg_per_second: number;
  queued: number;
  acked: number;
  dropped_delta: number;
  errors_delta: number;
  reconnects: number;
}

/** A progress line, with deltas against the previous one (a metric filter sums them per period). */
export function progressLine(shard: { index: number; of: number }, progress: FleetProgress, previous: FleetProgress | undefined): ProgressLine {
  return {
    event: 'fleet-progress',
    shard: String(shard.index),
    connected: progress.connected,
    monitors: progress.monitors,
    msg_per_second: progress.msgPerSecond,
    queued: progress.queued,
    acked: progress.acked,
    dropped_delta: progress.dropped - (previous?.dropped ?? 0),
    errors_delta: progress.errors - (previous?.errors ?? 0),
    reconnects: progress.reconnects,
  };
}

export function summaryLine(shard: { index: number; of: number }, summary: FleetSummary): { event: 'fleet-summary'; shard: string } & FleetSummary {
  return { event: 'fleet-summary', shard: String(shard.index), ...summary };
}
