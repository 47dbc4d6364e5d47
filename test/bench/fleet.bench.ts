/**
 * `npm run bench -- fleet [--quick]`: the simulator's own cost. Monitors (full vitals model, durable outbox,
 * shadow, QoS 1) publish at 1 Hz to an external mosquitto (plain TCP, 127.0.0.1) started here, so the
 * broker's TLS and rules are not counted. Measured in steady state (after every monitor connected and a
 * warm-up), from the workers' own process.cpuUsage(), RSS and histograms.
 *
 * Two baselines run in the same session against the same broker, measured the same way (CPU of their own
 * process over the same window): "floor", raw sockets writing a prebuilt PUBLISH per connection per second
 * (the system calls alone), and "reference", mqtt.js clients with a 200-byte payload and nothing else (what
 * the widely used simulator the targets came from does). The loopback system calls are a large share of
 * every figure and differ between machines, so the ratios to these baselines carry over where absolute
 * percentages do not.
 *
 * Then the largest fleet that holds: lite monitors from 12,000 up (steps of 2,000, then 4,000 above
 * 20,000) until a step fails (not all connected, acks below 97 % of the 1 Hz rate, or schedule jitter p99
 * above 100 ms). mosquitto and every process here are capped at 20,000 open files on this machine, so above
 * 19,000 monitors the fleet is split into shards over several mosquitto instances (`--shard i/n`, one
 * runner per broker), as a real deployment behind a load balancer would be.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFleet, type FleetHandle, type WorkerStats } from '../../device/fleet/index.ts';
import { Histogram } from '../../device/monitor/histogram.ts';
import type { TransportKind } from '../../device/transport/index.ts';
import { startMosquitto, type RunningMosquitto } from '../integration/device/helpers/mosquitto.ts';
import type { BaselineConfig, BaselineKind, BaselineMessage } from './fleet-baseline-process.ts';
import type { BenchReport, Benchmark } from './harness.ts';

type RunKind = TransportKind | `baseline: ${BaselineKind}`;

interface RunFigures {
  transport: RunKind;
  monitors: number;
  brokers: number;
  connected: number;
  ackedPerSecond: number;
  cpuPercentPerKiloMsg: number;
  monitorsPerCore: number;
  rssMiB: number;
  rssKiBPerMonitor: number;
  jitterP99Ms: number;
  ackP99Ms: number;
  dropped: number;
  errors: number;
}

const BROKER_CONNECTIONS = 19_000;
const WORKERS = 2;
const BASELINE_PROCESS = fileURLToPath(new URL('./fleet-baseline-process.ts', import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function diffHistogram(end: WorkerStats[], start: WorkerStats[], key: 'latency' | 'jitter'): Histogram {
  const histogram = new Histogram();
  for (const e of end) {
    const s = start.find((x) => x.workerId === e.workerId && x.cpuUserMicros <= e.cpuUserMicros);
    histogram.merge({ counts: e[key].counts.map((c, i) => c - (s?.[key].counts[i] ?? 0)), max: e[key].max });
  }
  return histogram;
}

function holds(run: RunFigures): boolean {
  return run.connected === run.monitors && run.ackedPerSecond >= 0.97 * run.monitors && run.jitterP99Ms <= 100;
}

async function measure(brokers: RunningMosquitto[], transport: TransportKind, monitors: number, measureMs: number, dataDir: string): Promise<RunFigures> {
  // One runner per broker, each a shard of the fleet; the workers are shared out between them.
  const fleets: FleetHandle[] = brokers.map((broker, i) => runFleet({
    count: monitors, target: broker.url, transport, shard: { index: i + 1, of: brokers.length },
    workers: Math.max(1, Math.round(WORKERS / brokers.length)), dataDir: join(dataDir, `${transport}-${monitors}`),
    connectRatePerSecond: 2_000, connectTimeoutMs: 30_000, statsEveryMs: 500, scenarioMix: 'stable:60,sepsis:20,respiratory_failure:10,haemorrhage:10',
  }));
  const connected = () => fleets.reduce((n, f) => n + f.progress().connected, 0);
  const stats = () => fleets.flatMap((f, i) => f.workerStats().map((s) => ({ ...s, workerId: i * 100 + s.workerId })));
  try {
    const deadline = Date.now() + 120_000;
    while (connected() < monitors && Date.now() < deadline) await sleep(250);
    await sleep(3_000); // warm-up: JIT, first outbox compaction, steady 1 Hz phase
    const start = stats();
    const startedAt = Date.now();
    await sleep(measureMs);
    const end = stats();
    const seconds = (Date.now() - startedAt) / 1000;
    const sum = (list: WorkerStats[], f: (s: WorkerStats) => number) => list.reduce((n, s) => n + f(s), 0);
    const cpuSeconds = (sum(end, (s) => s.cpuUserMicros + s.cpuSystemMicros) - sum(start, (s) => s.cpuUserMicros + s.cpuSystemMicros)) / 1e6;
    const acked = sum(end, (s) => s.acked) - sum(start, (s) => s.acked);
    const ackedPerSecond = acked / seconds;
    const coreShare = cpuSeconds / seconds;
    const rss = sum(end, (s) => s.rssBytes);
    return {
      transport, monitors, brokers: brokers.length, connected: connected(), ackedPerSecond,
      cpuPercentPerKiloMsg: (coreShare * 100) / (ackedPerSecond / 1000),
      monitorsPerCore: coreShare > 0 ? monitors / coreShare : Number.NaN,
      rssMiB: rss / 2 ** 20, rssKiBPerMonitor: rss / 1024 / monitors,
      jitterP99Ms: diffHistogram(end, start, 'jitter').percentile(99),
      ackP99Ms: diffHistogram(end, start, 'latency').percentile(99),
      dropped: sum(end, (s) => s.dropped), errors: sum(end, (s) => s.errors),
    };
  } finally {
    await Promise.all(fleets.map((f) => f.stop().catch(() => undefined)));
  }
}

/** A baseline in a process of its own (fleet-baseline-process.ts), measured like a fleet worker. */
async function measureBaseline(broker: RunningMosquitto, kind: BaselineKind, count: number, measureMs: number): Promise<RunFigures> {
  const child = fork(BASELINE_PROCESS, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let connected = 0;
  let sample: ((m: Extract<BaselineMessage, { type: 'sample' }>) => void) | undefined;
  child.on('message', (message: BaselineMessage) => {
    if (message.type === 'connected') connected = message.connected;
    else sample?.(message);
  });
  const ask = () => new Promise<Extract<BaselineMessage, { type: 'sample' }>>((resolve) => { sample = resolve; child.send('sample'); });
  try {
    child.send({ kind, host: broker.host, port: broker.port, count } satisfies BaselineConfig);
    const deadline = Date.now() + 120_000;
    while (connected < count && Date.now() < deadline) await sleep(250);
    await sleep(3_000);
    const start = await ask();
    const startedAt = Date.now();
    await sleep(measureMs);
    const end = await ask();
    const seconds = (Date.now() - startedAt) / 1000;
    const ackedPerSecond = (end.acked - start.acked) / seconds;
    const coreShare = (end.cpuMicros - start.cpuMicros) / 1e6 / seconds;
    return {
      transport: `baseline: ${kind}`, monitors: count, brokers: 1, connected, ackedPerSecond,
      cpuPercentPerKiloMsg: (coreShare * 100) / (ackedPerSecond / 1000),
      monitorsPerCore: coreShare > 0 ? count / coreShare : Number.NaN,
      rssMiB: end.rssBytes / 2 ** 20, rssKiBPerMonitor: end.rssBytes / 1024 / count,
      jitterP99Ms: Number.NaN, ackP99Ms: Number.NaN, dropped: 0, errors: 0,
    };
  } finally {
    child.kill('SIGKILL');
  }
}

export const benchmark: Benchmark = {
  name: 'fleet',
  description: 'simulator cost per monitor at 1 Hz against an external mosquitto: CPU per 1,000 msg/s, RSS per monitor, jitter, largest fleet that holds',
  async run({ quick, progress = () => {} }): Promise<BenchReport> {
    const brokers: RunningMosquitto[] = [await startMosquitto()];
    const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
    const measureMs = quick ? 6_000 : 15_000;
    const baselineCount = quick ? 500 : 10_000;
    const plan: [TransportKind, number][] = quick
      ? [['lite', 500]]
      : [['lite', 1_000], ['lite', 10_000], ['mqtt', 1_000], ['mqtt', 10_000], ['crt', 1_000], ['crt', 10_000]];
    const runs: RunFigures[] = [];
    const largest: RunFigures[] = [];
    const fmt1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
    const done = (r: RunFigures) => progress(`  ${r.connected}/${r.monitors} connected, ${Math.round(r.ackedPerSecond)} msg/s, `
      + `${fmt1(r.cpuPercentPerKiloMsg)} % of a core per 1k msg/s, RSS ${fmt1(r.rssKiBPerMonitor)} KiB/monitor`);
    const step = (what: string, monitors: number) => progress(`${what}, ${monitors.toLocaleString('en-US')} monitors: connect, 3 s warm-up, ${measureMs / 1000} s measured`);
    try {
      for (const kind of ['floor', 'reference'] as const) {
        step(`baseline ${kind} (bare mqtt.js clients)`, baselineCount);
        runs.push(await measureBaseline(brokers[0]!, kind, baselineCount, measureMs));
        done(runs.at(-1)!);
        await sleep(1_000);
      }
      for (const [transport, monitors] of plan) {
        step(`fleet, ${transport} transport`, monitors);
        runs.push(await measure(brokers.slice(0, 1), transport, monitors, measureMs, dataDir));
        done(runs.at(-1)!);
        await sleep(1_000);
      }
      if (!quick) {
        for (let monitors = 12_000; monitors <= 36_000; monitors += monitors < 20_000 ? 2_000 : 4_000) {
          const needed = Math.ceil(monitors / BROKER_CONNECTIONS);
          while (brokers.length < needed) brokers.push(await startMosquitto());
          step(`largest fleet that holds, lite over ${needed} broker${needed > 1 ? 's' : ''}`, monitors);
          const run = await measure(brokers.slice(0, needed), 'lite', monitors, measureMs, dataDir);
          done(run);
          largest.push(run);
          await sleep(1_000);
          if (!holds(run)) break;
        }
      }
    } finally {
      await Promise.all(brokers.map((b) => b.close()));
      rmSync(dataDir, { recursive: true, force: true });
    }
    const find = (transport: RunKind, monitors?: number) => runs.findLast((r) => r.transport === transport && (monitors === undefined || r.monitors === monitors));
    const marginal = (transport: TransportKind) => {
      const small = find(transport, 1_000);
      const big = find(transport, 10_000);
      return small && big ? ((big.rssMiB - small.rssMiB) * 1024) / (big.monitors - small.monitors) : Number.NaN;
    };
    const floor = find('baseline: floor');
    const reference = find('baseline: reference');
    const held = largest.filter(holds).at(-1);
    const fmt = (v: number, d = 1) => (Number.isFinite(v) ? Number(v.toFixed(d)) : 'n/a');
    const ratio = (r: RunFigures, base: RunFigures | undefined) => (base ? fmt(r.cpuPercentPerKiloMsg / base.cpuPercentPerKiloMsg, 2) : 'n/a');
    const row = (r: RunFigures, note = '') => [
      r.transport + note, r.monitors, r.connected, fmt(r.ackedPerSecond), fmt(r.cpuPercentPerKiloMsg, 2), ratio(r, floor), ratio(r, reference),
      fmt(r.monitorsPerCore, 0), fmt(r.rssMiB), fmt(r.rssKiBPerMonitor), fmt(r.jitterP99Ms), fmt(r.ackP99Ms), r.errors,
    ];
    const focus = find('lite', quick ? 500 : 10_000);
    return {
      name: 'fleet',
      columns: ['run', 'monitors', 'connected', 'acked msg/s', 'CPU % core / 1k msg/s', 'x floor', 'x reference', 'monitors / core', 'RSS MiB (all workers)', 'RSS KiB / monitor', 'jitter p99 ms', 'ack p99 ms', 'errors'],
      rows: [
        ...runs.map((r) => row(r)),
        ...largest.map((r) => row(r, ` (largest: ${holds(r) ? 'holds' : 'does not hold'}, ${r.brokers} broker${r.brokers > 1 ? 's' : ''})`)),
      ],
      figures: {
        quick, measure_seconds: measureMs / 1000, runs, largest_runs: largest,
        largest_count_that_holds: held?.monitors ?? null,
        marginal_rss_kib_per_monitor: { lite: fmt(marginal('lite')), mqtt: fmt(marginal('mqtt')), crt: fmt(marginal('crt')) },
        cpu_vs_floor: Object.fromEntries(runs.filter((r) => !r.transport.startsWith('baseline')).map((r) => [`${r.transport}-${r.monitors}`, ratio(r, floor)])),
        cpu_vs_reference: Object.fromEntries(runs.filter((r) => !r.transport.startsWith('baseline')).map((r) => [`${r.transport}-${r.monitors}`, ratio(r, reference)])),
      },
      targets: focus ? [
        // CPU and RSS per monitor, and the ratio to the reference, are set for 10,000 monitors: at the quick
        // run's 500, the workers' fixed costs (outbox, shadow, GC) are spread over 20 times fewer monitors
        // (device/README.md: lite is 1.48x the reference at 1,000 monitors, 0.79x at 10,000). Jitter holds
        // at any size.
        { what: `CPU per 1,000 msg/s (lite, ${focus.monitors} monitors; floor here ${floor ? fmt(floor.cpuPercentPerKiloMsg, 2) : 'n/a'} %, reference ${reference ? fmt(reference.cpuPercentPerKiloMsg, 2) : 'n/a'} %)`, target: '<= 3 % of a core', actual: `${fmt(focus.cpuPercentPerKiloMsg, 2)} %`, met: focus.cpuPercentPerKiloMsg <= 3, fullRunOnly: true },
        { what: 'CPU per 1,000 msg/s vs the reference simulator measured in this run (lite)', target: '< 1 (ahead of it)', actual: String(ratio(focus, reference)), met: reference !== undefined && focus.cpuPercentPerKiloMsg < reference.cpuPercentPerKiloMsg, fullRunOnly: true },
        { what: `RSS per monitor (lite, ${focus.monitors} monitors, whole worker RSS / monitors)`, target: '<= 25 KiB', actual: `${fmt(focus.rssKiBPerMonitor)} KiB`, met: focus.rssKiBPerMonitor <= 25, fullRunOnly: true },
        { what: `schedule jitter p99 (lite, ${focus.monitors} monitors)`, target: '<= 100 ms', actual: `${fmt(focus.jitterP99Ms)} ms`, met: focus.jitterP99Ms <= 100 },
      ] : [],
    };
  },
};
