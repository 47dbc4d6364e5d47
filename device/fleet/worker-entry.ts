/**
 * How the runner starts a worker process. Forked with `--import tsx`, every worker carried tsx's loader,
 * which on Node 20 runs on a thread with a heap of its own: about 60 MiB of RSS per worker before the
 * first monitor (measured: an idle worker 101 MiB under tsx, 42 MiB bundled), i.e. 2,400 monitors' worth
 * of the 25 KiB/monitor budget.
 * So the runner bundles worker.ts with our own modules once per process with esbuild (npm packages stay
 * external and load from node_modules as usual; lazily imported transports stay separate chunks, so a
 * worker only loads the client it uses) and forks the bundle with plain node. Where esbuild is missing
 * (an install without devDependencies) or fails, workers start with tsx as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransportKind } from '../transport/index.ts';

export interface WorkerEntry {
  modulePath: string;
  execArgv: string[];
  /** Why the bundle was not used (undefined when it was). */
  fallbackReason?: string;
}

const WORKER_SOURCE = fileURLToPath(new URL('./worker.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Inside the project, so that the bundle's bare imports resolve to the project's node_modules. */
const BUNDLE_ROOT = join(PROJECT_ROOT, 'node_modules', '.cache', 'healthcare-realtime-datalake');

interface EsbuildOutput { path: string; text: string }
interface Esbuild {
  buildSync(options: Record<string, unknown>): { outputFiles: EsbuildOutput[] };
}

/**
 * V8 heap settings of a lite worker. With the defaults, V8 let the old space grow to about 4x the live
 * heap between full collections and kept 32 MiB of new space: 10,000 lite monitors over two workers held
 * 35-37 KiB of RSS each. Growing the heap by 25 % and halving the semi-spaces holds them at 25 KiB for
 * about 10 % more CPU (measured alternately, same machine: 7.5-8.0 vs 8.2-8.8 % of a core per 1,000
 * msg/s). A simulator's fleet is sized by memory on small machines (a Raspberry Pi), so memory wins. Not
 * for mqtt.js and aws-crt workers: they allocate several times more per message, and the tight heap made
 * mqtt.js at 10,000 monitors collect so often that its schedule slipped by seconds.
 */
export const LITE_WORKER_V8_FLAGS: readonly string[] = ['--heap-growing-percent=25', '--max-semi-space-size=8'];

let cached: WorkerEntry | undefined;

/**
 * A worker bundle built ahead of time (the fleet container image: cloud/fleet-image/build.ts bundles the
 * runner and the worker side by side, and the image has neither sources nor esbuild to build one at start).
 */
export function usePrebuiltWorker(modulePath: string): void {
  cached = { modulePath, execArgv: [] };
}

/** The entry point of a worker running `transport` (built on the first call of the process, reused after). */
export function workerEntry(transport: TransportKind): WorkerEntry {
  cached ??= buildWorkerEntry();
  const flags = transport === 'lite' ? LITE_WORKER_V8_FLAGS : [];
  return { ...cached, execArgv: [...flags, ...cached.execArgv] };
}

function tsxFallback(reason: string): WorkerEntry {
  return { modulePath: WORKER_SOURCE, execArgv: ['--import', 'tsx'], fallbackReason: reason };
}

function buildWorkerEntry(): WorkerEntry {
  if (process.env.FLEET_WORKER_LOADER === 'tsx') return tsxFallback('FLEET_WORKER_LOADER=tsx');
  let esbuild: Esbuild;
  try {
    esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
  } catch (error) {
    return tsxFallback(`esbuild not installed (${(error as Error).message.split('\n')[0]})`);
  }
  try {
    const outdir = join(BUNDLE_ROOT, 'staging');
    const { outputFiles } = esbuild.buildSync({
      entryPoints: { 'fleet-worker': WORKER_SOURCE },
      bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', outExtension: { '.js': '.mjs' },
      packages: 'external', write: false, outdir, logLevel: 'silent',
    });
    // Content-addressed directory: concurrent runners (parallel tests) write identical files, and a
    // changed source never runs a stale bundle.
    const hash = createHash('sha256');
    for (const file of outputFiles) hash.update(relative(outdir, file.path)).update(file.text);
    const dir = join(BUNDLE_ROOT, `fleet-worker-${hash.digest('hex').slice(0, 16)}`);
    const entry = join(dir, 'fleet-worker.mjs');
    if (!existsSync(entry)) {
      // Chunks first, the entry last: its presence says the bundle is complete. Each file via a temp
      // name and a rename, so a concurrent reader never sees half a file.
      const ordered = [...outputFiles].sort((a, b) => Number(a.path.endsWith('fleet-worker.mjs')) - Number(b.path.endsWith('fleet-worker.mjs')));
      for (const file of ordered) {
        const target = join(dir, relative(outdir, file.path));
        mkdirSync(dirname(target), { recursive: true });
        const temp = `${target}.${process.pid}.tmp`;
        writeFileSync(temp, file.text);
        renameSync(temp, target);
      }
    }
    return { modulePath: entry, execArgv: [] };
  } catch (error) {
    return tsxFallback(`esbuild could not bundle the worker (${(error as Error).message.split('\n')[0]})`);
  }
}
