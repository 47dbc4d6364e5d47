/**
 * runFleet: the fleet runner's programmatic API (the CLI, `npm start` and the tests use it). Spreads the
 * monitors of this shard over worker processes (child_process.fork, one per core by default), paces
 * connects fleet-wide, aggregates progress, stops after the duration or on stop(), and returns a summary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { claimThings, commandLine, ThingsClaimedError, type ThingClaim } from '../outbox/index.ts';
import type { OutboxLimits } from '../outbox/index.ts';
import type { TransportKind } from '../transport/index.ts';
import { indexOfThingName } from '../../certs/local/fleet-attributes.ts';
import { EndpointUnreachableError, FleetArgumentError, FleetError, ThingsInUseError, WorkerCrashLoopError } from './errors.ts';
import { outboxLocation } from './outbox-location.ts';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './protocol.ts';
import { formatProgress, mergeHistograms, round, totals, type FleetProgress, type FleetSummary } from './summary.ts';
import { resolveTarget } from './targets.ts';
import { workerEntry } from './worker-entry.ts';

export interface FleetOptions {
  /** Monitors in the whole fleet (all shards). */
  count: number;
  /** 1-based position of the fleet's first thing among the target's things (default 1): another range of things. */
  first?: number;
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
  /** Outboxes live under `<dataDir>/outbox/<identity namespace>/` (outbox-location.ts). */
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
  /** A worker that dies unexpectedly is restarted after this (doubling per restart in a row, at most 30 s). */
  restartDelayMs?: number;
  /** More unexpected deaths than this within a minute stop the fleet instead (a crash loop). */
  maxRestartsPerMinute?: number;
  onProgress?: (progress: FleetProgress) => void;
  onLog?: (message: string) => void;
}

export interface FleetHandle {
  readonly summary: Promise<FleetSummary>;
  /** Graceful stop: workers flush their outboxes (bounded) and report. */
  stop(): Promise<FleetSummary>;
  /** SIGKILLs one worker and leaves it stopped (tests: the durable outbox must cover it). */
  killWorker(index: number): Promise<void>;
  /** Starts a killed worker again with the same monitors; they resume from the outbox. */
  restartWorker(index: number): void;
  /** Pids of the live worker processes (chaos tests kill them from outside, as a user or the OOM killer would). */
  workerPids(): number[];
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
  /** The worker reported a fatal error (bad certificates, things in use): restarting would not help. */
  fatal: boolean;
  /** Killed through killWorker(): stays down until restartWorker(). */
  held: boolean;
  restartsInARow: number;
  restartTimer: NodeJS.Timeout | undefined;
  exited: Promise<void>;
}

function claimOrExplain(dir: string, things: readonly string[]): ThingClaim {
  try {
    return claimThings(dir, things);
  } catch (error) {
    if (!(error instanceof ThingsClaimedError)) throw error;
    const next = (indexOfThingName(error.ownerLast) ?? 0) + 1;
    throw new ThingsInUseError(`${error.message}. Stop that process, or run other things: e.g. --first ${next} `
      + `(npm run certs -- --count N makes certificates for more things)`, { cause: error });
  }
}

export function runFleet(options: FleetOptions): FleetHandle {
  const count = options.count;
  if (!Number.isSafeInteger(count) || count < 1) throw new FleetArgumentError(`--count must be a positive integer (got ${count})`);
  const shard = options.shard ?? { index: 1, of: 1 };
  if (!(shard.index >= 1 && shard.index <= shard.of)) throw new FleetArgumentError(`--shard ${shard.index}/${shard.of}: use i/n with 1 <= i <= n`);
  const offset = (options.first ?? 1) - 1;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new FleetArgumentError(`--first must be a positive integer (got ${options.first})`);
  const first = offset + Math.floor(((shard.index - 1) * count) / shard.of);
  const last = offset + Math.floor((shard.index * count) / shard.of);
  const sliceSize = last - first;
  if (sliceSize < 1) throw new FleetArgumentError(`shard ${shard.index}/${shard.of} of ${count} monitors is empty: use fewer shards`);
  const target = resolveTarget({ target: options.target, certsDir: options.certsDir, awsOutDir: options.awsOutDir });
  const identities = target.slice ? target.slice(first, last) : target.things(last).slice(first);
  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), sliceSize));
  const location = outboxLocation(options.dataDir ?? 'data', target);
  // Before any worker starts: a second owner of these things is refused here, with the owner's name.
  const claim = claimOrExplain(location.dir, identities.map((identity) => identity.thing));
  const connectRate = options.connectRatePerSecond ?? 100;
  const statsEveryMs = options.statsEveryMs ?? 1_000;
  const slots: WorkerSlot[] = [];
  const settled: WorkerStats[] = [];
  for (let w = 0; w < workerCount; w++) {
    const from = Math.floor((w * sliceSize) / workerCount);
    const to = Math.floor(((w + 1) * sliceSize) / workerCount);
    slots.push({
      child: undefined, latest: undefined, final: false, fatal: false, held: false, restartsInARow: 0, restartTimer: undefined,
      exited: Promise.resolve(),
      config: {
        workerId: w, target: options.target, certsDir: options.certsDir, awsOutDir: options.awsOutDir,
        transport: options.transport ?? 'mqtt', protocolVersion: options.protocolVersion ?? 4,
        things: identities.slice(from, to).map((identity, i) => ({ identity, fleetIndex: first + from + i })),
        fleetSize: offset + count, outboxDir: location.dir, outboxLabel: `things-${first + from + 1}-${first + to}`,
        adoptFrom: location.adoptFrom, claimGroup: claim.group, claimCommand: commandLine(),
        outboxLimits: options.outboxLimits,
        seed: options.seed ?? 1, scenarioMix: options.scenarioMix ?? 'stable', intervalMs: options.intervalMs ?? 1_000,
        speed: options.speed ?? 1, shadow: options.shadow ?? true,
        connectRatePerSecond: connectRate / workerCount, maxPublishesPerSecond: options.maxPublishesPerSecond ?? 90,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000, backoffMinMs: options.backoffMinMs ?? 1_000,
        backoffMaxMs: options.backoffMaxMs ?? 60_000, statsEveryMs, stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
      },
    });
  }

  const startedAt = Date.now();
  let lastProgress: FleetProgress = { elapsedMs: 0, monitors: sliceSize, connected: 0, sent: 0, acked: 0, queued: 0, dropped: 0, duplicatesResent: 0, reconnects: 0, errors: 0, msgPerSecond: 0, workerRestarts: 0 };
  /** (time, acked) once per tick: msg/s is over the last RATE_WINDOW_MS, whoever asks and how often. */
  const ackSamples: { at: number; acked: number }[] = [];
  let everConnected = false;
  let stopping: Promise<void> | undefined;
  let restarts = 0;
  const recentDeaths: number[] = [];
  let failure: Error | undefined;
  let resolveSummary!: (summary: FleetSummary) => void;
  let rejectSummary!: (error: Error) => void;
  const summary = new Promise<FleetSummary>((resolve, reject) => { resolveSummary = resolve; rejectSummary = reject; });
  summary.catch(() => undefined);
  const restartDelayMs = options.restartDelayMs ?? 1_000;
  const maxRestartsPerMinute = options.maxRestartsPerMinute ?? 10;

  /** A worker gone: what it had counted stays in the totals; nothing of it is connected or queued any more. */
  const settle = (slot: WorkerSlot) => {
    if (slot.latest && !slot.final) settled.push({ ...slot.latest, monitors: 0, connected: 0, queued: 0 });
    else if (slot.latest) settled.push(slot.latest);
    slot.latest = undefined;
    slot.child = undefined;
  };

  const onUnexpectedExit = (slot: WorkerSlot, how: string) => {
    const now = Date.now();
    recentDeaths.push(now);
    while (recentDeaths.length > 0 && recentDeaths[0]! < now - 60_000) recentDeaths.shift();
    const label = `worker ${slot.config.workerId} (${slot.config.outboxLabel})`;
    if (recentDeaths.length > maxRestartsPerMinute) {
      failure ??= new WorkerCrashLoopError(`${label} died ${how}; ${recentDeaths.length} workers died within a minute, so the fleet stops `
        + '(what their monitors had not sent stays in the outbox for the next run)');
      stop().catch(() => undefined);
      return;
    }
    const delay = Math.min(30_000, restartDelayMs * 2 ** slot.restartsInARow);
    slot.restartsInARow++;
    options.onLog?.(`${label} died ${how}: restarting it in ${round(delay / 1000, 1)} s; its monitors resend what their outbox holds`);
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (stopping || slot.child) return;
      restarts++;
      launch(slot);
    }, delay);
  };

  const launch = (slot: WorkerSlot) => {
    const entry = workerEntry(slot.config.transport);
    const child = fork(entry.modulePath, [], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    slot.child = child;
    slot.final = false;
    slot.fatal = false;
    child.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        child.send({ type: 'start', config: slot.config } satisfies ToWorker);
      } else if (message.type === 'stats' || message.type === 'final') {
        slot.latest = message.stats;
        if (message.type === 'final') slot.final = true;
        // Up and connected again: the next death starts the backoff from the beginning.
        if (message.stats.connected > 0) slot.restartsInARow = 0;
      } else if (message.type === 'fatal') {
        slot.fatal = true;
        failure ??= message.name === 'ThingsClaimedError'
          ? new ThingsInUseError(`worker ${slot.config.workerId}: ${message.message}`)
          : new FleetError(`worker ${slot.config.workerId} failed: ${message.message}`);
        stop().catch(() => undefined);
      }
    });
    slot.exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
      if (slot.child === child) {
        const planned = stopping !== undefined || slot.held || slot.fatal || slot.final;
        settle(slot);
        if (!planned) onUnexpectedExit(slot, signal ? `(signal ${signal})` : `(exit code ${code})`);
      }
      resolve();
    }));
  };

  const RATE_WINDOW_MS = 5_000;
  const progress = (): FleetProgress => {
    const now = Date.now();
    const live = slots.flatMap((s) => (s.latest ? [s.latest] : []));
    const sum = totals(live, settled);
    const oldest = ackSamples[0];
    const rate = oldest && now - oldest.at > 200 ? ((sum.acked - oldest.acked) * 1000) / (now - oldest.at) : lastProgress.msgPerSecond;
    lastProgress = {
      elapsedMs: now - startedAt, monitors: sliceSize, connected: sum.connected, sent: sum.sent, acked: sum.acked,
      queued: sum.queued, dropped: sum.dropped, duplicatesResent: sum.duplicatesResent, reconnects: sum.reconnects,
      errors: sum.errors, msgPerSecond: rate, workerRestarts: restarts, ...(sum.lastError ? { lastError: sum.lastError } : {}),
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
    ackSamples.push({ at: Date.now(), acked: p.acked });
    while (ackSamples.length > 1 && ackSamples[0]!.at < Date.now() - RATE_WINDOW_MS) ackSamples.shift();
    options.onProgress?.(p);
    const unreachableAfter = options.unreachableAfterMs ?? Math.max(20_000, (options.connectTimeoutMs ?? 10_000) + 5_000);
    if (!everConnected && p.elapsedMs > unreachableAfter && p.errors > 0) {
      failure ??= new EndpointUnreachableError(`no monitor could connect to ${target.host}:${target.port} in ${Math.round(p.elapsedMs / 1000)} s `
        + `(last error: ${p.lastError ?? 'none'})${hintFor(options.target)}`);
      stop().catch(() => undefined);
    }
  }, statsEveryMs);

  let durationTimer: NodeJS.Timeout | undefined;
  const stop = (): Promise<FleetSummary> => {
    stopping ??= (async () => {
      clearInterval(ticker);
      if (durationTimer) clearTimeout(durationTimer);
      for (const slot of slots) {
        if (slot.restartTimer) clearTimeout(slot.restartTimer);
        if (slot.child?.connected) slot.child.send({ type: 'stop' } satisfies ToWorker);
      }
      const deadline = (options.stopTimeoutMs ?? 5_000) + 5_000;
      const timer = setTimeout(() => { for (const slot of slots) slot.child?.kill('SIGKILL'); }, deadline);
      await Promise.all(slots.map((s) => s.exited));
      clearTimeout(timer);
      // Only now: every worker that ran these things has exited.
      claim.release();
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
    workerPids: () => slots.flatMap((s) => (s.child?.pid !== undefined ? [s.child.pid] : [])),
    async killWorker(index) {
      const slot = slots[index];
      if (!slot?.child) throw new FleetArgumentError(`no worker ${index} (there are ${slots.length})`);
      slot.held = true;
      slot.child.kill('SIGKILL');
      await slot.exited;
    },
    restartWorker(index) {
      const slot = slots[index];
      if (!slot || slot.child) throw new FleetArgumentError(`worker ${index} is not stopped`);
      slot.held = false;
      restarts++;
      launch(slot);
    },
  };
}

/** What the transport's own error does not know: which process should be listening. */
function hintFor(target: string): string {
  if (target === 'local') return '. Is the local stack running (npm start)? It listens on 127.0.0.1:8883.';
  if (target === 'aws') return '. Check the endpoint in certs/aws-out/endpoint.json, outbound access to port 8883, and that the stack is deployed (npm run deploy).';
  return '.';
}
