/** Fleet totals from worker stats (pure): live progress, the end-of-run summary, the --json object. */
import { Histogram } from '../monitor/histogram.ts';
import type { WorkerStats } from './protocol.ts';

export interface FleetProgress {
  elapsedMs: number;
  monitors: number;
  connected: number;
  sent: number;
  acked: number;
  queued: number;
  dropped: number;
  duplicatesResent: number;
  reconnects: number;
  errors: number;
  /** Acked messages per second over the last five seconds. */
  msgPerSecond: number;
  /** Workers restarted after dying unexpectedly. */
  workerRestarts: number;
  lastError?: string;
}

export interface FleetSummary {
  target: string;
  transport: string;
  monitors: number;
  workers: number;
  durationSeconds: number;
  sent: number;
  acked: number;
  dropped: number;
  duplicatesResent: number;
  reconnects: number;
  errors: number;
  queuedAtEnd: number;
  samples: number;
  ackedPerSecond: number;
  publishToAckMs: { p50: number; p99: number };
  scheduleJitterMs: { p99: number };
  /** Worker CPU time (user + system) over the run, in core-seconds, and peak RSS per worker. */
  cpuSeconds: number;
  rssBytes: number;
  workerRestarts: number;
}

const COUNTERS = ['monitors', 'connected', 'sent', 'acked', 'queued', 'dropped', 'duplicatesResent', 'reconnects', 'errors', 'samples'] as const;

/** Adds up stats; `settled` are finished incarnations of restarted workers (their counters still count). */
export function totals(current: readonly WorkerStats[], settled: readonly WorkerStats[] = []): Record<(typeof COUNTERS)[number], number> & { lastError?: string } {
  const sum: Record<(typeof COUNTERS)[number], number> & { lastError?: string } = {
    monitors: 0, connected: 0, sent: 0, acked: 0, queued: 0, dropped: 0, duplicatesResent: 0, reconnects: 0, errors: 0, samples: 0,
  };
  for (const stats of [...settled, ...current]) {
    for (const key of COUNTERS) sum[key] += stats[key];
    if (stats.lastError) sum.lastError = stats.lastError;
  }
  // Gauges only from the live incarnations.
  sum.monitors = current.reduce((n, s) => n + s.monitors, 0);
  sum.connected = current.reduce((n, s) => n + s.connected, 0);
  sum.queued = current.reduce((n, s) => n + s.queued, 0);
  return sum;
}

export function mergeHistograms(stats: readonly WorkerStats[], key: 'latency' | 'jitter'): Histogram {
  const histogram = new Histogram();
  for (const s of stats) histogram.merge(s[key]);
  return histogram;
}

const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : 0);

export function formatProgress(p: FleetProgress): string {
  const seconds = Math.round(p.elapsedMs / 1000);
  return `[${seconds}s] connected ${p.connected}/${p.monitors}  ${Math.round(p.msgPerSecond)} msg/s  acked ${p.acked}  queued ${p.queued}`
    + `  reconnects ${p.reconnects}  errors ${p.errors}${p.dropped > 0 ? `  dropped ${p.dropped}` : ''}`
    + `${p.workerRestarts > 0 ? `  worker restarts ${p.workerRestarts}` : ''}`;
}

export function formatSummary(s: FleetSummary): string {
  const rows: [string, string][] = [
    ['target', `${s.target} (${s.transport})`],
    ['monitors / workers', `${s.monitors} / ${s.workers}`],
    ['duration', `${round(s.durationSeconds)} s`],
    ['sent', String(s.sent)],
    ['acked', `${s.acked} (${round(s.ackedPerSecond)} msg/s)`],
    ['queued at end', String(s.queuedAtEnd)],
    ['dropped (outbox full)', String(s.dropped)],
    ['duplicates resent', String(s.duplicatesResent)],
    ['reconnects', String(s.reconnects)],
    ['errors', String(s.errors)],
    ['publish->ack p50 / p99', `${round(s.publishToAckMs.p50)} / ${round(s.publishToAckMs.p99)} ms`],
    ['schedule jitter p99', `${round(s.scheduleJitterMs.p99)} ms`],
    ['worker CPU', `${round(s.cpuSeconds, 2)} core-s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export { round };
