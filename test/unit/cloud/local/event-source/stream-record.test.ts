import { describe, expect, it } from 'vitest';
import { buildOnFailureRecord } from '../../../../../cloud/local/event-source/on-failure.ts';
import { compareSequenceNumbers, toKinesisStreamEvent, type StreamRecord } from '../../../../../cloud/local/event-source/stream-record.ts';

const context = { region: 'eu-west-2', accountId: '123456789012', streamName: 'vitals', functionName: 'vitals-etl' };
const record: StreamRecord = {
  shardId: 'shardId-000000000001',
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  partitionKey: 'bedside-0001',
  data: new TextEncoder().encode('{"a":1}'),
  arrivedAtMs: 1_545_084_650_987,
};

describe('toKinesisStreamEvent', () => {
  it('builds the record shape Lambda sends for Kinesis', () => {
    expect(toKinesisStreamEvent([record], context)).toEqual({
      Records: [{
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: 'bedside-0001',
          sequenceNumber: record.sequenceNumber,
          data: Buffer.from('{"a":1}').toString('base64'),
          approximateArrivalTimestamp: 1_545_084_650.987,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000001:${record.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/vitals-etl-role',
        awsRegion: 'eu-west-2',
        eventSourceARN: 'arn:aws:kinesis:eu-west-2:123456789012:stream/vitals',
      }],
    });
  });

  it('encodes a slice of a larger buffer without its neighbours', () => {
    const backing = new TextEncoder().encode('xxHELLOyy');
    const event = toKinesisStreamEvent([{ ...record, data: backing.subarray(2, 7) }], context);
    expect(Buffer.from(event.Records[0]!.kinesis.data, 'base64').toString()).toBe('HELLO');
  });
});

describe('compareSequenceNumbers', () => {
  it('orders sequence numbers beyond 2^53 numerically', () => {
    expect(compareSequenceNumbers('49590338271490256608559692538361571095921575989136588898', '49590338271490256608559692538361571095921575989136588899')).toBe(-1);
    expect(compareSequenceNumbers('10', '9')).toBe(1);
  });
});

describe('buildOnFailureRecord', () => {
  it('describes the discarded batch in the shape of AWS on-failure records', () => {
    const later = { ...record, sequenceNumber: '49590338271490256608559692538361571095921575989136589999', arrivedAtMs: 1_545_084_651_000 };
    const built = buildOnFailureRecord({ records: [record, later], invokeCount: 4, threw: true }, context, Date.UTC(2026, 0, 2), 'req-1');
    expect(built).toEqual({
      requestContext: { requestId: 'req-1', functionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:vitals-etl', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-01-02T00:00:00.000Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000001',
        startSequenceNumber: record.sequenceNumber,
        endSequenceNumber: later.sequenceNumber,
        approximateArrivalOfFirstRecord: '2018-12-17T22:10:50.987Z',
        approximateArrivalOfLastRecord: '2018-12-17T22:10:51.000Z',
        batchSize: 2,
        streamArn: 'arn:aws:kinesis:eu-west-2:123456789012:stream/vitals',
      },
    });
  });
});
