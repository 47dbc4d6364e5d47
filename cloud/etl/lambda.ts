/**
 * The Lambda entry point (bundled by esbuild in the CDK ETL construct): configuration and the pseudonym
 * key are read once per container, on the first invocation; every invocation then goes to the same
 * handler the local poller uses. No native modules or DuckDB here: keep it bundle-friendly.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createS3Store } from '../lake/s3-store.ts';
import { readEtlConfig } from './config.ts';
import { createEtlHandler, type EtlHandler } from './handler.ts';
import { fetchHmacKey } from './hmac-secret.ts';

let ready: Promise<EtlHandler> | undefined;

async function initialise(): Promise<EtlHandler> {
  const config = readEtlConfig();
  const hmacKey = config.hmacKey.kind === 'inline'
    ? config.hmacKey.key
    : await fetchHmacKey(new SecretsManagerClient({}), config.hmacKey.secretArn);
  const store = createS3Store({ client: new S3Client({}), bucket: config.bucket, ...(config.kmsKeyId === undefined ? {} : { kmsKeyId: config.kmsKeyId }) });
  return createEtlHandler({ store, hmacKey });
}

export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  // A failed initialisation is not cached: the next invocation tries again (the secret may be back).
  ready ??= initialise().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return (await ready)(event);
};
