/**
 * Device credentials for fleet tasks. Private keys never go into the image: `npm run fleet-credentials`
 * packs the provisioned things (certs/aws-out) into one JSON bundle per shard, uploaded to the fleet
 * credentials bucket (SSE-KMS with the fleet's own key); a task fetches only its shard's object and unpacks
 * it into the certs/aws-out layout under its data directory (files 0600), where the fleet runner reads it.
 * Why S3 and not Secrets Manager: a shard of 5,000 things is ~15 MB of PEM, and a secret holds 64 KB; one
 * secret per device would be 100,000 secrets at $0.40 a month each.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsOutPaths, thingPaths } from '../../certs/aws/layout.ts';
import { thingNameFor } from '../../certs/local/fleet-attributes.ts';

export const BUNDLE_FORMAT = 'fleet-credentials/1';

export interface CredentialsBundle {
  format: typeof BUNDLE_FORMAT;
  shard: { index: number; of: number };
  /** endpoint.json as provisioning wrote it. */
  endpoint: { endpoint: string; port?: number; region?: string };
  rootCa: string;
  things: { thing: string; cert: string; key: string }[];
}

export class CredentialsBundleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialsBundleError';
  }
}

/** `shard-0003-of-0020.json` (1-based, as `--shard 3/20`). */
export function bundleKey(prefix: string, shard: { index: number; of: number }): string {
  const pad = (n: number) => String(n).padStart(4, '0');
  return `${prefix}shard-${pad(shard.index)}-of-${pad(shard.of)}.json`;
}

/** The things of shard i/n of `monitors`: the same arithmetic as the fleet runner's slice. */
export function shardThings(monitors: number, shard: { index: number; of: number }): string[] {
  const first = Math.floor(((shard.index - 1) * monitors) / shard.of);
  const last = Math.floor((shard.index * monitors) / shard.of);
  return Array.from({ length: last - first }, (_, i) => thingNameFor(first + i + 1));
}

/** One shard's bundle from a provisioned out dir (certs/aws-out). */
export function packShard(awsOutDir: string, monitors: number, shard: { index: number; of: number }): CredentialsBundle {
  const paths = awsOutPaths(awsOutDir);
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new CredentialsBundleError(`cannot read ${path}: run npm run provision -- --count ${monitors} first`, { cause: error });
    }
  };
  return {
    format: BUNDLE_FORMAT,
    shard,
    endpoint: JSON.parse(read(paths.endpoint)) as CredentialsBundle['endpoint'],
    rootCa: read(paths.rootCa),
    things: shardThings(monitors, shard).map((thing) => ({ thing, cert: read(thingPaths(awsOutDir, thing).cert), key: read(thingPaths(awsOutDir, thing).key) })),
  };
}

export function parseBundle(text: string, shard: { index: number; of: number }): CredentialsBundle {
  let bundle: CredentialsBundle;
  try {
    bundle = JSON.parse(text) as CredentialsBundle;
  } catch (error) {
    throw new CredentialsBundleError('the credentials bundle is not JSON: pack it again with npm run fleet-credentials', { cause: error });
  }
  if (bundle.format !== BUNDLE_FORMAT) throw new CredentialsBundleError(`the credentials bundle is not ${BUNDLE_FORMAT} (format ${JSON.stringify(bundle.format)})`);
  if (bundle.shard?.index !== shard.index || bundle.shard?.of !== shard.of) {
    throw new CredentialsBundleError(`the bundle is for shard ${bundle.shard?.index}/${bundle.shard?.of}, this task runs ${shard.index}/${shard.of}: pack with the fleet's shard count`);
  }
  return bundle;
}

/** Writes a bundle as the certs/aws-out layout the fleet runner reads (keys 0600). */
export function unpackBundle(bundle: CredentialsBundle, dir: string): void {
  const paths = awsOutPaths(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.endpoint, JSON.stringify(bundle.endpoint));
  writeFileSync(paths.rootCa, bundle.rootCa);
  for (const { thing, cert, key } of bundle.things) {
    const p = thingPaths(dir, thing);
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    writeFileSync(p.cert, cert);
    writeFileSync(p.key, key, { mode: 0o600 });
  }
}

/** Reads `s3://bucket/key` (the SDK is loaded only on the AWS path; the client is injectable for tests). */
export async function fetchBundle(uri: string, shard: { index: number; of: number }, client?: import('@aws-sdk/client-s3').S3Client): Promise<CredentialsBundle> {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new CredentialsBundleError(`not an s3:// URI: ${uri}`);
  const { GetObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const key = bundleKey(match[2]!, shard);
  try {
    const response = await (client ?? new S3Client({})).send(new GetObjectCommand({ Bucket: match[1], Key: key }));
    const text = await response.Body?.transformToString('utf8');
    if (text === undefined) throw new CredentialsBundleError(`s3://${match[1]}/${key} is empty`);
    return parseBundle(text, shard);
  } catch (error) {
    if (error instanceof CredentialsBundleError) throw error;
    throw new CredentialsBundleError(`cannot read s3://${match[1]}/${key}: upload the bundles (npm run fleet-credentials) and check the task role`, { cause: error });
  }
}

/** `npm run fleet-credentials` writes every shard's bundle into `outDir` (then `aws s3 cp --recursive`). */
export function packAll(awsOutDir: string, monitors: number, shards: number, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (let index = 1; index <= shards; index++) {
    const file = join(outDir, bundleKey('', { index, of: shards }));
    writeFileSync(file, JSON.stringify(packShard(awsOutDir, monitors, { index, of: shards })), { mode: 0o600 });
    written.push(file);
  }
  return written;
}
