/**
 * `npm run bench -- fleet [--quick]`: the simulator's own cost. Monitors (full vitals model, durable outbox,
 * shadow, QoS 1) publish at 1 Hz to an external mosquitto (plain TCP, 127.0.0.1) started here, so the
 * broker's TLS and rules are not counted. Measured in steady state (after every monitor connected and a
 * warm-up), from the workers' own process.cpuUsage(), RSS and histograms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFleet, type WorkerStats } from '../../device/fleet/index.ts';
import { Histogram } from '../../device/monitor/histogram.ts';
import type { TransportKind } from '../../device/transport/index.ts';
import { startMosquitto } from '../integration/device/helpers/mosquitto.ts';
import type { BenchReport, Benchmark } from './harness.ts';

interface RunFigures {
  transport: TransportKind;
  monitors: number;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function diffHistogram(end: WorkerStats[], start: WorkerStats[], key: 'latency' | 'jitter'): Histogram {
  const histogram = new Histogram();
  for (const e of end) {
    const s = start.find((x) => x.workerId === e.workerId);
    histogram.merge({ counts: e[key].counts.map((c, i) => c - (s?.[key].counts[i] ?? 0)), max: e[key].max });
  }
  return histogram;
}

async function measure(url: string, transport: TransportKind, monitors: number, measureMs: number, dataDir: string): Promise<RunFigures> {
  const fleet = runFleet({
    count: monitors, target: url, transport, workers: 2, dataDir: join(dataDir, `${transport}-${monitors}`),
    connectRatePerSecond: 2_000, connectTimeoutMs: 30_000, statsEveryMs: 500, scenarioMix: 'stable:60,sepsis:20,respiratory_failure:10,haemorrhage:10',
  });
  try {
    const deadline = Date.now() + 120_000;
    while (fleet.progress().connected < monitors && Date.now() < deadline) await sleep(250);
    await sleep(3_000); // warm-up: JIT, first outbox compaction, steady 1 Hz phase
    const start = fleet.workerStats();
    const startedAt = Date.now();
    await sleep(measureMs);
    const end = fleet.workerStats();
    const seconds = (Date.now() - startedAt) / 1000;
    const sum = (list: WorkerStats[], f: (s: WorkerStats) => number) => list.reduce((n, s) => n + f(s), 0);
    const cpuSeconds = (sum(end, (s) => s.cpuUserMicros + s.cpuSystemMicros) - sum(start, (s) => s.cpuUserMicros + s.cpuSystemMicros)) / 1e6;
    const acked = sum(end, (s) => s.acked) - sum(start, (s) => s.acked);
    const ackedPerSecond = acked / seconds;
    const coreShare = cpuSeconds / seconds;
    const rss = sum(end, (s) => s.rssBytes);
    return {
      transport, monitors, connected: fleet.progress().connected, ackedPerSecond,
      cpuPercentPerKiloMsg: (coreShare * 100) / (ackedPerSecond / 1000),
      monitorsPerCore: coreShare > 0 ? monitors / coreShare : Number.NaN,
      rssMiB: rss / 2 ** 20, rssKiBPerMonitor: rss / 1024 / monitors,
      jitterP99Ms: diffHistogram(end, start, 'jitter').percentile(99),
      ackP99Ms: diffHistogram(end, start, 'latency').percentile(99),
      dropped: sum(end, (s) => s.dropped), errors: sum(end, (s) => s.errors),
    };
  } finally {
    await fleet.stop().catch(() => undefined);
  }
}

export const benchmark: Benchmark = {
  name: 'fleet',
  description: 'simulator cost per monitor at 1 Hz against an external mosquitto: CPU per 1,000 msg/s, RSS per monitor, jitter',
  async run({ quick }): Promise<BenchReport> {
    const broker = await startMosquitto();
    const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
    const plan: [TransportKind, number][] = quick
      ? [['mqtt', 500]]
      : [['mqtt', 1_000], ['mqtt', 10_000], ['lite', 1_000], ['lite', 10_000], ['crt', 1_000], ['crt', 10_000]];
    const measureMs = quick ? 6_000 : 15_000;
    const runs: RunFigures[] = [];
    try {
      for (const [transport, monitors] of plan) {
        runs.push(await measure(broker.url, transport, monitors, measureMs, dataDir));
        await sleep(1_000);
      }
    } finally {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const marginal = (transport: TransportKind) => {
      const small = runs.find((r) => r.transport === transport && r.monitors === 1_000);
      const big = runs.find((r) => r.transport === transport && r.monitors === 10_000);
      return small && big ? ((big.rssMiB - small.rssMiB) * 1024) / (big.monitors - small.monitors) : Number.NaN;
    };
    const biggest = (transport: TransportKind) => runs.filter((r) => r.transport === transport).at(-1);
    const fmt = (v: number, d = 1) => (Number.isFinite(v) ? Number(v.toFixed(d)) : 'n/a');
    return {
      name: 'fleet',
      columns: ['transport', 'monitors', 'connected', 'acked msg/s', 'CPU % core / 1k msg/s', 'monitors / core', 'RSS MiB (2 workers)', 'RSS KiB / monitor', 'jitter p99 ms', 'ack p99 ms', 'errors'],
      rows: runs.map((r) => [r.transport, r.monitors, r.connected, fmt(r.ackedPerSecond), fmt(r.cpuPercentPerKiloMsg, 2), fmt(r.monitorsPerCore, 0), fmt(r.rssMiB), fmt(r.rssKiBPerMonitor), fmt(r.jitterP99Ms), fmt(r.ackP99Ms), r.errors]),
      figures: {
        quick, measure_seconds: measureMs / 1000, runs,
        marginal_rss_kib_per_monitor: { mqtt: fmt(marginal('mqtt')), lite: fmt(marginal('lite')), crt: fmt(marginal('crt')) },
      },
      targets: (['mqtt', 'lite'] as const).flatMap((transport) => {
        const r = biggest(transport);
        if (!r) return [];
        return [
          { what: `CPU per 1,000 msg/s (${transport}, ${r.monitors} monitors)`, target: '<= 3 % of a core', actual: `${fmt(r.cpuPercentPerKiloMsg, 2)} %`, met: r.cpuPercentPerKiloMsg <= 3 },
          { what: `RSS per monitor (${transport}, ${r.monitors} monitors, whole worker RSS / monitors)`, target: '<= 25 KiB', actual: `${fmt(r.rssKiBPerMonitor)} KiB`, met: r.rssKiBPerMonitor <= 25 },
          { what: `schedule jitter p99 (${transport}, ${r.monitors} monitors)`, target: '<= 100 ms', actual: `${fmt(r.jitterP99Ms)} ms`, met: r.jitterP99Ms <= 100 },
        ];
      }),
    };
  },
};
