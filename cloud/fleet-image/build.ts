/**
 * Builds the fleet container's program without Docker: esbuild bundles the entry and the fleet worker
 * side by side (`fleet-entry.mjs`, `fleet-worker.mjs`, shared chunks) with every npm package inside,
 * except the optional native aws-iot-device-sdk-v2 (the `crt` transport). The image copies the output
 * onto a plain Node image: no sources, no node_modules, no keys. `npx tsx cloud/fleet-image/build.ts <outdir>`.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIfEntryPoint } from '../../device/cli/entry-point.ts';

export const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));
export const WORKER = fileURLToPath(new URL('../../device/fleet/worker.ts', import.meta.url));

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ errors: unknown[] }>;
}

/** Bundles into `outdir`; returns the entry's path. */
export async function buildFleetImage(outdir: string): Promise<string> {
  const esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
  await esbuild.build({
    entryPoints: { 'fleet-entry': ENTRY, 'fleet-worker': WORKER },
    bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', outExtension: { '.js': '.mjs' },
    outdir, external: ['aws-iot-device-sdk-v2', 'aws-crt'], logLevel: 'warning', legalComments: 'none',
    // CommonJS packages inside an ESM bundle call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return resolve(outdir, 'fleet-entry.mjs');
}

runIfEntryPoint(import.meta.url, async (argv) => {
  const out = argv[0] ?? 'dist/fleet-image';
  console.log(await buildFleetImage(out));
  return 0;
});
