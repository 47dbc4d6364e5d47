import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsStore } from '../../../../cloud/lake/fs-store.ts';
import { ObjectStoreError } from '../../../../cloud/lake/object-store.ts';
import { createS3Store } from '../../../../cloud/lake/s3-store.ts';
import { startLocalS3, type LocalS3 } from './local-s3.ts';
import { objectStoreContract } from './object-store.contract.ts';

objectStoreContract('directory', async () => {
  const root = await mkdtemp(join(tmpdir(), 'lake-'));
  return { store: createFsStore(root), close: () => rm(root, { recursive: true, force: true }) };
});

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3.close();
});

objectStoreContract('S3 API (s3rver)', async () => {
  // One server for the file; each test starts from an empty bucket.
  const store = createS3Store({ client: s3.client, bucket: s3.bucket });
  for (const key of await store.list('')) await store.delete(key);
  return { store, close: async () => undefined };
});

describe('directory store', () => {
  it('leaves no temp file behind after a put', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lake-'));
    try {
      const store = createFsStore(root);
      await store.put('raw/vitals/a', new Uint8Array([1, 2, 3]));
      expect(await readdir(join(root, 'raw', 'vitals'))).toEqual(['a']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('S3 store', () => {
  it('wraps a failure in ObjectStoreError with the SDK error as cause', async () => {
    const store = createS3Store({ client: s3.client, bucket: 'no-such-bucket' });
    const error = await store.put('raw/vitals/a', new Uint8Array([1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).cause).toBeInstanceOf(Error);
  });

  it('sends the KMS key with every put when one is configured (mocked S3 client: s3rver ignores SSE)', async () => {
    const sent: unknown[] = [];
    const client = { send: async (command: { input: unknown }) => { sent.push(command.input); return {}; } };
    const store = createS3Store({ client: client as unknown as LocalS3['client'], bucket: 'b', kmsKeyId: 'arn:aws:kms:eu-west-2:1:key/k' });
    await store.put('curated/vitals/x.parquet', new Uint8Array([1]), 'application/vnd.apache.parquet');
    expect(sent[0]).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:eu-west-2:1:key/k', ContentType: 'application/vnd.apache.parquet' });
  });
});
