/**
 * runFleet: the fleet runner's programmatic API (the CLI, `npm start` and the tests use it). Spreads the
 * monitors of this shard over worker processes (child_process.fork, one per core by default), paces
 * connects fleet-wide, aggregates progress, stops after the duration or on stop(), and returns a summary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { OutboxLimits } from '../outbox/index.ts';
import type { TransportKind } from '../transport/index.ts';
import { EndpointUnreachableError, FleetArgumentError, FleetError, OutboxLayoutError } from './errors.ts';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './protocol.ts';
import { formatProgress, mergeHistograms, round, totals, type FleetProgress, type FleetSummary } from './summary.ts';
import { resolveTarget } from './targets.ts';
import { workerEntry } from './worker-entry.ts';

export interface FleetOptions {
  /** Monitors in the whole fleet (all shards). */
  count: number;
  target: string;
  transport?: TransportKind;
  protocolVersion?: 4 | 5;
  scenarioMix?: string;
  seed?: number;
  speed?: number;
  /** Stop after this long; undefined = until stop(). */
  durationMs?: number;
  /** 1-based shard of `of` (several machines share one fleet). */
  shard?: { index: number; of: number };
  workers?: number;
  certsDir?: string;
  awsOutDir?: string;
  /** Outboxes live under `<dataDir>/outbox/<target>/`. */
  dataDir?: string;
  intervalMs?: number;
  shadow?: boolean;
  /** Fleet-wide connection attempts per second (AWS IoT Core: 100/s per account by default). */
  connectRatePerSecond?: number;
  /** Per connection (AWS IoT Core: 100/s; we stay under). */
  maxPublishesPerSecond?: number;
  connectTimeoutMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  outboxLimits?: Partial<OutboxLimits>;
  /** Give up when nothing has connected after this long (bounded wait for an unreachable endpoint). */
  unreachableAfterMs?: number;
  stopTimeoutMs?: number;
  statsEveryMs?: number;
  onProgress?: (progress: FleetProgress) => void;
  onLog?: (message: string) => void;
}

export interface FleetHandle {
  readonly summary: Promise<FleetSummary>;
  /** Graceful stop: workers flush their outboxes (bounded) and report. */
  stop(): Promise<FleetSummary>;
  /** SIGKILLs one worker (tests: the durable outbox must cover it). */
  killWorker(index: number): Promise<void>;
  /** Starts a killed worker again with the same monitors and outbox. */
  restartWorker(index: number): void;
  readonly workerCount: number;
  progress(): FleetProgress;
  /** The latest report of each live worker (counters, CPU, RSS, histograms): for benchmarks. */
  workerStats(): WorkerStats[];
}

interface WorkerSlot {
  config: WorkerConfig;
  child: ChildProcess | undefined;
  latest: WorkerStats | undefined;
  final: boolean;
  exited: Promise<void>;
}

export function outboxDirFor(dataDir: string, target: string): string {
  return join(dataDir, 'outbox', target.replace(/[^a-zA-Z0-9.-]+/g, '_'));
}

/** Refuses to run over outboxes written with another split of things into files (seq would restart). */
function checkOutboxLayout(dir: string, files: string[]): void {
  if (!existsSync(dir)) return;
  const ranges = (names: string[]) => names.map((name) => /^things-(\d+)-(\d+)\.log$/.exec(name)).filter((m) => m !== null).map((m) => [Number(m[1]), Number(m[2])] as const);
  const existing = ranges(readdirSync(dir));
  const wanted = ranges(files);
  for (const [a0, a1] of existing) {
    for (const [b0, b1] of wanted) {
      if (a0 <= b1 && b0 <= a1 && (a0 !== b0 || a1 !== b1)) {
        throw new OutboxLayoutError(`the outbox in ${dir} was written with another --count/--workers/--shard layout (file things-${a0}-${a1}.log): `
          + 'run with the same layout to resend what it holds, or delete that directory (pending messages are lost and seq numbers restart)');
      }
    }
  }
}

export function runFleet(options: FleetOptions): FleetHandle {
  const count = options.count;
  if (!Number.isSafeInteger(count) || count < 1) throw new FleetArgumentError(`--count must be a positive integer (got ${count})`);
  const shard = options.shard ?? { index: 1, of: 1 };
  if (!(shard.index >= 1 && shard.index <= shard.of)) throw new FleetArgumentError(`--shard ${shard.index}/${shard.of}: use i/n with 1 <= i <= n`);
  const first = Math.floor(((shard.index - 1) * count) / shard.of);
  const last = Math.floor((shard.index * count) / shard.of);
  const sliceSize = last - first;
  if (sliceSize < 1) throw new FleetArgumentError(`shard ${shard.index}/${shard.of} of ${count} monitors is empty: use fewer shards`);
  const target = resolveTarget({ target: options.target, certsDir: options.certsDir, awsOutDir: options.awsOutDir });
  const identities = target.things(last).slice(first);
  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), sliceSize));
  const outboxDir = outboxDirFor(options.dataDir ?? 'data', target.label);
  const connectRate = options.connectRatePerSecond ?? 100;
  const statsEveryMs = options.statsEveryMs ?? 1_000;
  const slots: WorkerSlot[] = [];
  const settled: WorkerStats[] = [];
  const files: string[] = [];
  for (let w = 0; w < workerCount; w++) {
    const from = Math.floor((w * sliceSize) / workerCount);
    const to = Math.floor(((w + 1) * sliceSize) / workerCount);
    const file = `things-${first + from + 1}-${first + to}.log`;
    files.push(file);
    slots.push({
      child: undefined, latest: undefined, final: false, exited: Promise.resolve(),
      config: {
        workerId: w, target: options.target, certsDir: options.certsDir, awsOutDir: options.awsOutDir,
        transport: options.transport ?? 'mqtt', protocolVersion: options.protocolVersion ?? 4,
        things: identities.slice(from, to).map((identity, i) => ({ identity, fleetIndex: first + from + i })),
        fleetSize: count, outboxPath: join(outboxDir, file), outboxLimits: options.outboxLimits,
        seed: options.seed ?? 1, scenarioMix: options.scenarioMix ?? 'stable', intervalMs: options.intervalMs ?? 1_000,
        speed: options.speed ?? 1, shadow: options.shadow ?? true,
        connectRatePerSecond: connectRate / workerCount, maxPublishesPerSecond: options.maxPublishesPerSecond ?? 90,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000, backoffMinMs: options.backoffMinMs ?? 1_000,
        backoffMaxMs: options.backoffMaxMs ?? 60_000, statsEveryMs, stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
      },
    });
  }
  checkOutboxLayout(outboxDir, files);
  mkdirSync(outboxDir, { recursive: true });

  const startedAt = Date.now();
  let lastProgress: FleetProgress = { elapsedMs: 0, monitors: sliceSize, connected: 0, sent: 0, acked: 0, queued: 0, dropped: 0, duplicatesResent: 0, reconnects: 0, errors: 0, msgPerSecond: 0 };
  let lastAcked = 0;
  let lastAckedAt = startedAt;
  let everConnected = false;
  let stopping: Promise<void> | undefined;
  let restarts = 0;
  let failure: Error | undefined;
  let resolveSummary!: (summary: FleetSummary) => void;
  let rejectSummary!: (error: Error) => void;
  const summary = new Promise<FleetSummary>((resolve, reject) => { resolveSummary = resolve; rejectSummary = reject; });
  summary.catch(() => undefined);

  const launch = (slot: WorkerSlot) => {
    const entry = workerEntry(slot.config.transport);
    const child = fork(entry.modulePath, [], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    slot.child = child;
    slot.final = false;
    child.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        child.send({ type: 'start', config: slot.config } satisfies ToWorker);
      } else if (message.type === 'stats' || message.type === 'final') {
        slot.latest = message.stats;
        if (message.type === 'final') slot.final = true;
      } else if (message.type === 'fatal') {
        failure ??= new FleetError(`worker ${slot.config.workerId} failed: ${message.message}`);
        stop().catch(() => undefined);
      }
    });
    slot.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  };

  const progress = (): FleetProgress => {
    const now = Date.now();
    const sum = totals(slots.flatMap((s) => (s.latest ? [s.latest] : [])), settled);
    const seconds = (now - lastAckedAt) / 1000;
    const rate = seconds > 0.2 ? (sum.acked - lastAcked) / seconds : lastProgress.msgPerSecond;
    if (seconds > 0.2) { lastAcked = sum.acked; lastAckedAt = now; }
    lastProgress = {
      elapsedMs: now - startedAt, monitors: sliceSize, connected: sum.connected, sent: sum.sent, acked: sum.acked,
      queued: sum.queued, dropped: sum.dropped, duplicatesResent: sum.duplicatesResent, reconnects: sum.reconnects,
      errors: sum.errors, msgPerSecond: rate, ...(sum.lastError ? { lastError: sum.lastError } : {}),
    };
    if (sum.connected > 0) everConnected = true;
    return lastProgress;
  };

  const finish = (): FleetSummary => {
    const all = [...settled, ...slots.flatMap((s) => (s.latest ? [s.latest] : []))];
    const sum = totals(slots.flatMap((s) => (s.latest ? [s.latest] : [])), settled);
    const durationSeconds = (Date.now() - startedAt) / 1000;
    const latency = mergeHistograms(all, 'latency');
    const jitter = mergeHistograms(all, 'jitter');
    return {
      target: target.label, transport: slots[0]!.config.transport, monitors: sliceSize, workers: workerCount, durationSeconds,
      sent: sum.sent, acked: sum.acked, dropped: sum.dropped, duplicatesResent: sum.duplicatesResent,
      reconnects: sum.reconnects, errors: sum.errors, queuedAtEnd: sum.queued, samples: sum.samples,
      ackedPerSecond: round(sum.acked / durationSeconds),
      publishToAckMs: { p50: round(latency.percentile(50), 2), p99: round(latency.percentile(99), 2) },
      scheduleJitterMs: { p99: round(jitter.percentile(99), 2) },
      cpuSeconds: round(all.reduce((n, s) => n + (s.cpuUserMicros + s.cpuSystemMicros) / 1e6, 0), 3),
      rssBytes: Math.max(0, ...all.map((s) => s.rssBytes)),
      workerRestarts: restarts,
    };
  };

  const ticker = setInterval(() => {
    const p = progress();
    options.onProgress?.(p);
    const unreachableAfter = options.unreachableAfterMs ?? Math.max(20_000, (options.connectTimeoutMs ?? 10_000) + 5_000);
    if (!everConnected && p.elapsedMs > unreachableAfter && p.errors > 0) {
      failure ??= new EndpointUnreachableError(`no monitor could connect to ${target.host}:${target.port} in ${Math.round(p.elapsedMs / 1000)} s `
        + `(last error: ${p.lastError ?? 'none'}). ${hintFor(options.target)}`);
      stop().catch(() => undefined);
    }
  }, statsEveryMs);

  let durationTimer: NodeJS.Timeout | undefined;
  const stop = (): Promise<FleetSummary> => {
    stopping ??= (async () => {
      clearInterval(ticker);
      if (durationTimer) clearTimeout(durationTimer);
      for (const slot of slots) {
        if (slot.child?.connected) slot.child.send({ type: 'stop' } satisfies ToWorker);
      }
      const deadline = (options.stopTimeoutMs ?? 5_000) + 5_000;
      const timer = setTimeout(() => { for (const slot of slots) slot.child?.kill('SIGKILL'); }, deadline);
      await Promise.all(slots.map((s) => s.exited));
      clearTimeout(timer);
      const result = finish();
      if (failure) rejectSummary(failure);
      else resolveSummary(result);
    })();
    return summary;
  };

  const { fallbackReason } = workerEntry(options.transport ?? 'mqtt');
  if (fallbackReason) options.onLog?.(`fleet workers start with tsx (slower to start, ~60 MiB more each): ${fallbackReason}`);
  for (const slot of slots) launch(slot);
  if (options.durationMs !== undefined) durationTimer = setTimeout(() => { stop().catch(() => undefined); }, options.durationMs);

  return {
    summary,
    workerCount,
    stop,
    progress: () => progress(),
    workerStats: () => slots.flatMap((s) => (s.latest ? [s.latest] : [])),
    async killWorker(index) {
      const slot = slots[index];
      if (!slot?.child) throw new FleetArgumentError(`no worker ${index} (there are ${slots.length})`);
      slot.child.kill('SIGKILL');
      await slot.exited;
      if (slot.latest) settled.push({ ...slot.latest, monitors: 0, connected: 0, queued: 0 });
      slot.latest = undefined;
      slot.child = undefined;
    },
    restartWorker(index) {
      const slot = slots[index];
      if (!slot || slot.child) throw new FleetArgumentError(`worker ${index} is not stopped`);
      restarts++;
      launch(slot);
    },
  };
}

function hintFor(target: string): string {
  if (target === 'local') return 'Is the local stack running (npm start)? It listens on 127.0.0.1:8883.';
  if (target === 'aws') return 'Check the endpoint in certs/aws-out/endpoint.json, outbound access to port 8883, and that the stack is deployed (npm run deploy).';
  return 'Check that the broker runs, and the host and port of --target.';
}
