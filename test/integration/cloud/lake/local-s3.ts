/** An s3rver (real S3 API over HTTP) on 127.0.0.1 with one bucket, and a client for it. */
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  client: S3Client;
  bucket: string;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'lake'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver speaks HTTP/1.1 only; keep-alive off so close() is not held up by idle sockets.
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: false }) }),
    maxAttempts: 1,
  });
  return {
    client,
    bucket,
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
