import {
  CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';

/**
 * A Kinesis client for kinesalite. The SDK would speak HTTP/2 to a real endpoint; kinesalite needs
 * HTTP/1.1, and any credentials do.
 */
export function localKinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
    maxAttempts: 3,
  });
}

/** Creates the stream if it is missing and waits (bounded) until it is ACTIVE. */
export async function ensureStream(client: KinesisClient, streamName: string, shardCount = 1, timeoutMs = 10_000): Promise<void> {
  try {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`stream ${streamName} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
