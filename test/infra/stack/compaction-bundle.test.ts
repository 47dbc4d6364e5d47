/**
 * The deployed compactor artefact: the same esbuild bundling the stack uses for cloud/etl/compaction/lambda.ts,
 * run in a separate Node process with the environment the stack gives it (LAKE_BUCKET, LAKE_KMS_KEY_ID,
 * COMPACTION_GRACE_MINUTES) and a scheduled event, over ETL files in s3rver (a real S3 API).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCuratedParquet } from '../../../cloud/etl/compaction/read-curated.ts';
import { createEtlHandler } from '../../../cloud/etl/handler.ts';
import type { ObjectStore } from '../../../cloud/lake/object-store.ts';
import { createS3Store } from '../../../cloud/lake/s3-store.ts';
import { COMPACTION_ENTRY } from '../../../cloud/stack/compaction.ts';
import { COMPACTION_DEFAULTS } from '../../../cloud/stack/defaults.ts';
import { bundleEtlHandler, type EtlBundle } from '../../../cloud/stack/etl-bundle.ts';
import { startLocalS3, type LocalS3 } from '../../integration/cloud/lake/local-s3.ts';
import { eventOf, T0, validBatch } from '../../unit/cloud/etl/kinesis-fixtures.ts';

const PARTITION = 'curated/vitals/dt=2026-11-24/hour=17/';
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

let workDir: string;
let bundle: EtlBundle;
let s3: LocalS3;
let store: ObjectStore;
let s3Endpoint = '';

/** Runs `handler(scheduledEvent)` of the bundle in a fresh Node process; resolves to its exit error, if any. */
function invokeBundle(time: string): Promise<{ ok: boolean; stderr: string }> {
  const event = { version: '0', id: 'e', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time, region: 'eu-west-2', resources: [], detail: {} };
  const runner = [
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle.outfile).href)});`,
    `await handler(${JSON.stringify(event)});`,
  ].join('\n');
  const env = {
    PATH: process.env.PATH ?? '',
    LAKE_BUCKET: s3.bucket,
    LAKE_KMS_KEY_ID: 'arn:aws:kms:eu-west-2:123456789012:key/11111111-2222-3333-4444-555555555555',
    COMPACTION_GRACE_MINUTES: String(COMPACTION_DEFAULTS.graceMinutes),
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3Endpoint,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', runner], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) =>
      resolve({ ok: error === null, stderr }),
    );
  });
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'compaction-bundle-'));
  bundle = bundleEtlHandler(workDir, COMPACTION_ENTRY);
  s3 = await startLocalS3('lake');
  store = createS3Store({ client: s3.client, bucket: s3.bucket });
  const endpoint = await s3.client.config.endpoint?.();
  s3Endpoint = `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`;
});

afterAll(async () => {
  await s3?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the bundled compaction handler', () => {
  it('is one ESM file under 5 MiB', () => {
    expect(bundle.outfile.endsWith('index.mjs')).toBe(true);
    expect(bundle.bytes).toBeGreaterThan(10_000);
    expect(bundle.bytes).toBeLessThan(MAX_BUNDLE_BYTES);
  });

  it('folds a closed hour of ETL files into one object when the schedule fires (s3rver)', async () => {
    let clock = T0 + 3 * 3_600_000;
    for (const records of [validBatch(60, { start: 0 }), validBatch(60, { start: 60 })]) {
      clock += 1_000;
      const at = clock;
      const etl = createEtlHandler({ store, hmacKey: 'compaction-bundle-test-key-0123456789', clock: () => at, log: () => {} });
      expect(await etl(eventOf(records))).toEqual({ batchItemFailures: [] });
    }
    expect(await store.list(PARTITION)).toHaveLength(2);

    // Within the grace after the hour: nothing is touched.
    const early = await invokeBundle(new Date(T0 + 60 * 60_000).toISOString());
    expect(early.ok, early.stderr).toBe(true);
    expect(await store.list(PARTITION)).toHaveLength(2);

    const due = await invokeBundle(new Date(T0 + 2 * 3_600_000).toISOString());
    expect(due.ok, due.stderr).toBe(true);
    expect(await store.list(PARTITION)).toEqual([`${PARTITION}compacted.parquet`]);
    const rows = await readCuratedParquet('compacted', (await store.get(`${PARTITION}compacted.parquet`))!);
    expect(rows).toHaveLength(120);
  });
});
