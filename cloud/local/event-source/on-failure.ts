/**
 * The local on-failure destination: when retries are exhausted, the metadata of the discarded batch is
 * appended as one JSON line, in the shape Lambda sends to an SQS/SNS on-failure destination for Kinesis
 * (requestContext, responseContext, KinesisBatchInfo). Like AWS, it carries no record data: the records
 * stay readable in the stream by sequence number until retention ends.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { functionArn, streamArn, type EventContext, type StreamRecord } from './stream-record.ts';

export interface OnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: 'Unhandled' };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface GiveUp {
  records: readonly StreamRecord[];
  invokeCount: number;
  /** True when the last invocation threw; false when it returned item failures. */
  threw: boolean;
}

export function buildOnFailureRecord(giveUp: GiveUp, context: EventContext, nowMs: number, requestId: string = randomUUID()): OnFailureRecord {
  const first = giveUp.records[0];
  const last = giveUp.records[giveUp.records.length - 1];
  if (first === undefined || last === undefined) throw new RangeError('an on-failure record needs at least one record');
  return {
    requestContext: {
      requestId,
      functionArn: functionArn(context),
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: giveUp.invokeCount,
    },
    responseContext: giveUp.threw
      ? { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' }
      : { statusCode: 200, executedVersion: '$LATEST' },
    version: '1.0',
    timestamp: new Date(nowMs).toISOString(),
    KinesisBatchInfo: {
      shardId: first.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivedAtMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivedAtMs).toISOString(),
      batchSize: giveUp.records.length,
      streamArn: streamArn(context),
    },
  };
}

/** Appends to `<dir>/<stream>.jsonl`; one line per discarded batch. */
export async function appendOnFailureRecord(dir: string, record: OnFailureRecord, streamName: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${streamName}.jsonl`);
  await appendFile(file, `${JSON.stringify(record)}\n`, 'utf8');
  return file;
}
