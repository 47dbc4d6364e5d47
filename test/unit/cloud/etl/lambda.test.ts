import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventOf, validBatch } from './kinesis-fixtures.ts';

describe('Lambda entry point (mocked S3)', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => {
    vi.resetModules();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    s3.reset();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('writes its metrics to stdout as whole JSON lines, the form CloudWatch extracts embedded metrics from', async () => {
    vi.stubEnv('LAKE_BUCKET', 'vitals-lake-test');
    vi.stubEnv('HMAC_KEY', 'lambda-test-key-0123456789');
    s3.on(PutObjectCommand).resolves({});
    const { handler } = await import('../../../../cloud/etl/lambda.ts');
    await handler(eventOf(validBatch(3)));
    const written = vi.mocked(process.stdout.write).mock.calls.map((call) => String(call[0]));
    const emf = written.filter((line) => line.startsWith('{"_aws"'));
    expect(emf.length).toBeGreaterThan(0);
    for (const line of emf) {
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({ Service: 'vitals-etl' });
    }
  });

  it('reads its configuration once and writes the batch to the configured bucket with SSE-KMS', async () => {
    vi.stubEnv('LAKE_BUCKET', 'vitals-lake-test');
    vi.stubEnv('LAKE_KMS_KEY_ID', 'alias/lake');
    vi.stubEnv('HMAC_KEY', 'lambda-test-key-0123456789');
    s3.on(PutObjectCommand).resolves({});
    const { handler } = await import('../../../../cloud/etl/lambda.ts');
    expect(await handler(eventOf(validBatch(10)))).toEqual({ batchItemFailures: [] });
    vi.stubEnv('LAKE_BUCKET', 'changed-after-start');
    expect(await handler(eventOf(validBatch(5, { start: 10 })))).toEqual({ batchItemFailures: [] });
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.length).toBe(4);
    for (const put of puts) expect(put).toMatchObject({ Bucket: 'vitals-lake-test', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/lake' });
  });

  it('fails the invocation with the variable named when configuration is missing, and retries it next time', async () => {
    vi.stubEnv('LAKE_BUCKET', '');
    vi.stubEnv('HMAC_KEY', 'lambda-test-key-0123456789');
    const { handler } = await import('../../../../cloud/etl/lambda.ts');
    await expect(handler(eventOf(validBatch(1)))).rejects.toThrow(/LAKE_BUCKET/);
    vi.stubEnv('LAKE_BUCKET', 'vitals-lake-test');
    s3.on(PutObjectCommand).resolves({});
    expect(await handler(eventOf(validBatch(1)))).toEqual({ batchItemFailures: [] });
  });
});
