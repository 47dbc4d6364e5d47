/**
 * The fleet container's entry: reads its shard from the environment (config.ts), fetches that shard's
 * device credentials (target aws), runs the fleet runner with `--shard i/n`, writes a JSON progress line
 * every FLEET_REPORT_SECONDS and the summary at the end, and stops cleanly on SIGTERM (ECS and Kubernetes
 * stop a task that way). Built into dist/fleet-image by build.ts; runs from source with tsx too.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFleet, type FleetHandle, type FleetProgress } from '../../device/fleet/index.ts';
import { usePrebuiltWorker } from '../../device/fleet/worker-entry.ts';
import { onStopSignal } from '../../device/cli/stop-signal.ts';
import { runIfEntryPoint } from '../../device/cli/entry-point.ts';
import { FleetImageConfigError, readFleetImageConfig, type Env, type FleetImageConfig } from './config.ts';
import { fetchBundle, unpackBundle } from './credentials.ts';
import { progressLine, summaryLine } from './report.ts';

export interface EntryIo {
  env: Env;
  /** One JSON line per call. */
  write(line: string): void;
}

async function start(config: FleetImageConfig): Promise<FleetHandle> {
  let awsOutDir: string | undefined;
  if (config.target === 'aws') {
    awsOutDir = join(config.dataDir, 'aws-out');
    unpackBundle(await fetchBundle(config.credentialsUri!, config.shard), awsOutDir);
  }
  return runFleet({
    count: config.monitors, shard: config.shard, target: config.target, transport: config.transport,
    connectRatePerSecond: config.connectRatePerSecond, maxPublishesPerSecond: config.publishRatePerSecond,
    intervalMs: config.intervalMs, workers: config.workers, durationMs: config.durationMs,
    scenarioMix: config.scenarioMix, seed: config.seed, dataDir: config.dataDir, awsOutDir,
  });
}

export async function main(io: EntryIo): Promise<number> {
  let config: FleetImageConfig;
  try {
    config = readFleetImageConfig(io.env);
  } catch (error) {
    if (!(error instanceof FleetImageConfigError)) throw error;
    io.write(JSON.stringify({ event: 'fleet-error', message: error.message }));
    return 2;
  }
  // Bundled (the image), the worker bundle sits beside this file; from source, the runner builds one.
  const prebuilt = join(dirname(fileURLToPath(import.meta.url)), 'fleet-worker.mjs');
  if (existsSync(prebuilt)) usePrebuiltWorker(prebuilt);
  io.write(JSON.stringify({ event: 'fleet-start', shard: `${config.shard.index}/${config.shard.of}`, monitors: config.monitors, target: config.target, transport: config.transport, connect_rate: config.connectRatePerSecond, interval_ms: config.intervalMs }));
  let handle: FleetHandle;
  try {
    handle = await start(config);
  } catch (error) {
    io.write(JSON.stringify({ event: 'fleet-error', message: (error as Error).message, cause: String((error as Error).cause ?? '') }));
    return 2;
  }
  let previous: FleetProgress | undefined;
  const timer = setInterval(() => {
    const progress = handle.progress();
    io.write(JSON.stringify(progressLine(config.shard, progress, previous)));
    previous = progress;
  }, config.reportEverySeconds * 1_000);
  const dispose = onStopSignal(() => void handle.stop().catch(() => undefined), { write: (line) => io.write(JSON.stringify({ event: 'fleet-stopping', message: line })) });
  try {
    const summary = await handle.summary;
    io.write(JSON.stringify(summaryLine(config.shard, summary)));
    return summary.errors > 0 && summary.acked === 0 ? 1 : 0;
  } catch (error) {
    io.write(JSON.stringify({ event: 'fleet-error', message: (error as Error).message }));
    return 1;
  } finally {
    clearInterval(timer);
    dispose();
  }
}

runIfEntryPoint(import.meta.url, () => main({ env: process.env, write: (line) => process.stdout.write(`${line}\n`) }), { exit: true });
