/**
 * One Kinesis record as the event source holds it between GetRecords and the handler, and the pure
 * mapping to the event Lambda sends (the documented KinesisStreamEvent shape, field for field).
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export interface StreamRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** ApproximateArrivalTimestamp, epoch ms. */
  arrivedAtMs: number;
}

export interface EventContext {
  region: string;
  accountId: string;
  streamName: string;
  functionName: string;
}

export function streamArn(context: EventContext): string {
  return `arn:aws:kinesis:${context.region}:${context.accountId}:stream/${context.streamName}`;
}

export function functionArn(context: EventContext): string {
  return `arn:aws:lambda:${context.region}:${context.accountId}:function:${context.functionName}`;
}

export function toKinesisStreamEvent(records: readonly StreamRecord[], context: EventContext): KinesisStreamEvent {
  const sourceArn = streamArn(context);
  const roleArn = `arn:aws:iam::${context.accountId}:role/${context.functionName}-role`;
  return {
    Records: records.map((record): KinesisStreamRecord => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString('base64'),
        // Lambda sends epoch seconds with a fraction, not milliseconds.
        approximateArrivalTimestamp: record.arrivedAtMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${record.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: roleArn,
      awsRegion: context.region,
      eventSourceARN: sourceArn,
    })),
  };
}

/** Kinesis sequence numbers are decimal strings longer than 2^53: compare them as bigints. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
