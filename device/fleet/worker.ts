/**
 * A fleet worker process (child_process.fork): runs its share of the monitors in one MonitorHost, with
 * one outbox log, and reports counters to the runner. Started by run-fleet.ts; nothing runs on import
 * unless this file is the process entry point.
 */
import { pathToFileURL } from 'node:url';
import { MonitorHost } from '../monitor/index.ts';
import { claimThings, openOutboxForThings } from '../outbox/index.ts';
import { loadTransportFactory } from '../transport/index.ts';
import { parseScenarioMix } from '../vitals/index.ts';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './protocol.ts';
import { localSourceAddress, monitorSpec } from './specs.ts';
import { resolveTarget } from './targets.ts';

export async function startWorkerHost(config: WorkerConfig): Promise<MonitorHost> {
  const target = resolveTarget({ target: config.target, certsDir: config.certsDir, awsOutDir: config.awsOutDir });
  const mix = parseScenarioMix(config.scenarioMix);
  const transportFactory = await loadTransportFactory(config.transport);
  // Read every certificate before opening any connection: a missing file fails fast, not mid-ramp.
  const specs = config.things.map(({ identity, fleetIndex }) => ({
    ...monitorSpec(identity, fleetIndex, { seed: config.seed, mix, intervalMs: config.intervalMs }),
    tls: target.credentials(identity.thing),
    localAddress: localSourceAddress(fleetIndex, config.fleetSize, target.host),
  }));
  // Claim first (the runner's group), then gather these things' histories from whatever logs hold them.
  const things = config.things.map(({ identity }) => identity.thing);
  claimThings(config.outboxDir, things, { group: config.claimGroup, command: config.claimCommand });
  const { outbox } = openOutboxForThings({
    dir: config.outboxDir, label: config.outboxLabel, things, adoptFrom: config.adoptFrom, limits: config.outboxLimits,
  });
  const host = new MonitorHost({
    host: target.host,
    port: target.port,
    transportFactory,
    protocolVersion: config.protocolVersion,
    outbox,
    connectRatePerSecond: config.connectRatePerSecond,
    maxPublishesPerSecond: config.maxPublishesPerSecond,
    shadow: config.shadow,
    speed: config.speed,
    backoff: { minMs: config.backoffMinMs, maxMs: config.backoffMaxMs },
    connectTimeoutMs: config.connectTimeoutMs,
  });
  for (const spec of specs) host.add(spec);
  return host;
}

export function workerStats(workerId: number, host: MonitorHost): WorkerStats {
  const cpu = process.cpuUsage();
  return {
    workerId, ...host.stats(),
    cpuUserMicros: cpu.user, cpuSystemMicros: cpu.system, rssBytes: process.memoryUsage.rss(),
    latency: host.latency.toJSON(), jitter: host.jitter.toJSON(),
  };
}

function send(message: FromWorker, then?: () => void): void {
  if (process.connected && process.send) process.send(message, undefined, {}, () => then?.());
  else then?.();
}

/** Exits once the last message is on its way (process.disconnect() with messages pending can crash Node 20). */
function sendAndExit(message: FromWorker, code: number): void {
  send(message, () => process.exit(code));
  setTimeout(() => process.exit(code), 2_000).unref();
}

export function runWorkerProcess(): void {
  let host: MonitorHost | undefined;
  let config: WorkerConfig | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let stopRequested = false;
  const fatal = (error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    sendAndExit({ type: 'fatal', message: e.message, name: e.name }, 1);
  };
  const stop = () => {
    if (ticker) clearInterval(ticker);
    const running = host;
    if (!running || !config) return; // stopped as soon as it has started
    running.stop(config.stopTimeoutMs).then(() => sendAndExit({ type: 'final', stats: workerStats(config!.workerId, running) }, 0), fatal);
  };
  process.on('message', (message: ToWorker) => {
    if (message.type === 'start') {
      config = message.config;
      startWorkerHost(config).then((started) => {
        host = started;
        if (stopRequested) {
          stop();
          return;
        }
        ticker = setInterval(() => send({ type: 'stats', stats: workerStats(config!.workerId, started) }), config!.statsEveryMs);
      }, fatal);
    } else if (message.type === 'stop') {
      stopRequested = true;
      if (!config) process.exit(0);
      stop();
    }
  });
  // The runner going away (Ctrl-C of the parent, crash) must not leave orphan monitors behind.
  process.on('disconnect', () => {
    if (ticker) clearInterval(ticker);
    setTimeout(() => process.exit(), 100).unref();
  });
  process.on('SIGINT', () => undefined);
  // Messages sent before this listener existed would be lost: the runner waits for this first.
  send({ type: 'ready' });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runWorkerProcess();
