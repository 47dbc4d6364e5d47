/** Messages between the fleet runner and its worker processes (IPC, structured clone). */
import type { HostStats } from '../monitor/index.ts';
import type { ClaimGroup, OutboxLimits } from '../outbox/index.ts';
import type { TransportKind } from '../transport/index.ts';
import type { ThingIdentity } from './targets.ts';

export interface WorkerConfig {
  workerId: number;
  target: string;
  certsDir?: string;
  awsOutDir?: string;
  transport: TransportKind;
  protocolVersion: 4 | 5;
  things: { identity: ThingIdentity; fleetIndex: number }[];
  fleetSize: number;
  /** The outbox directory of the things' namespace; the worker opens a log of its own inside it. */
  outboxDir: string;
  outboxLabel: string;
  /** Older outbox directories whose logs are adopted (the layout before namespaces). */
  adoptFrom: string[];
  /** The runner's claim group: the workers' claims share it. */
  claimGroup: ClaimGroup;
  claimCommand: string;
  outboxLimits?: Partial<OutboxLimits>;
  seed: number;
  scenarioMix: string;
  intervalMs: number;
  speed: number;
  shadow: boolean;
  connectRatePerSecond: number;
  maxPublishesPerSecond: number;
  connectTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  statsEveryMs: number;
  stopTimeoutMs: number;
}

export interface HistogramData {
  counts: number[];
  max: number;
}

export interface WorkerStats extends HostStats {
  workerId: number;
  /** process.cpuUsage() of the worker (µs) and its RSS (bytes), for the benchmark. */
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssBytes: number;
  latency: HistogramData;
  jitter: HistogramData;
}

export type ToWorker =
  | { type: 'start'; config: WorkerConfig }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'final'; stats: WorkerStats }
  | { type: 'fatal'; message: string; name: string };
