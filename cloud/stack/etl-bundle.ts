/**
 * Bundles the ETL Lambda handler (cloud/etl/lambda.ts, `export const handler`) with esbuild into one ESM
 * file. The stack uses it as the asset's local bundler (no Docker) and the infra test runs the very same
 * bundle over sample data, so what is tested is byte for byte what is deployed.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';

export const ETL_ENTRY = fileURLToPath(new URL('../etl/lambda.ts', import.meta.url));
/** Lambda handler setting for the bundle: file `index.mjs`, export `handler`. */
export const ETL_BUNDLE_HANDLER = 'index.handler';
export const ETL_BUNDLE_FILE = 'index.mjs';
/** Matches the Lambda runtime (Runtime.NODEJS_24_X) while staying runnable on the Node 20/22 of CI. */
export const ETL_BUNDLE_TARGET = 'node20';

export class EtlBundleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EtlBundleError';
  }
}

export interface EtlBundle {
  readonly outfile: string;
  readonly bytes: number;
}

export function bundleEtlHandler(outDir: string, entry: string = ETL_ENTRY): EtlBundle {
  if (!existsSync(entry)) {
    throw new EtlBundleError(`ETL handler not found at ${entry}: cloud/etl/lambda.ts must export \`handler\``);
  }
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, ETL_BUNDLE_FILE);
  try {
    buildSync({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: ETL_BUNDLE_TARGET,
      minify: true,
      // Error classes name themselves after their class (`new.target.name`): minified names would lie in logs.
      keepNames: true,
      // index.mjs.map next to the bundle: readable stack traces with NODE_OPTIONS=--enable-source-maps.
      sourcemap: 'linked',
      sourcesContent: false,
      legalComments: 'none',
      logLevel: 'silent',
      // CommonJS dependencies (parts of the AWS SDK) call require(); give the ESM bundle one.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
  } catch (error) {
    throw new EtlBundleError(`esbuild could not bundle ${entry}`, { cause: error });
  }
  return { outfile, bytes: statSync(outfile).size };
}

/**
 * Lambda code for a handler file, bundled locally at synthesis (no Docker: the scratch image is never
 * pulled). Hashed on the bundle's output: a change in any imported module (contract, schema) redeploys.
 */
export function bundledHandlerCode(entry: string): lambda.Code {
  return lambda.Code.fromAsset(dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('scratch'),
      local: { tryBundle: (outputDir) => (bundleEtlHandler(outputDir, entry), true) },
    },
  });
}
