import { describe, expect, it } from 'vitest';
import { encodeVitals } from '../../../../device/contract/index.ts';
import { shardIdOf, unwrapRecord } from '../../../../cloud/etl/kinesis-record.ts';
import { kinesisRecord, SHARD, T0, vitalsMessage } from './kinesis-fixtures.ts';

describe('unwrapRecord', () => {
  it('keeps each bare payload its own bytes when the next record is unwrapped', () => {
    // The envelope is decoded into a reused scratch buffer: a kept payload must never point into it.
    const first = unwrapRecord(kinesisRecord('{"first":1}', { n: 1 }), T0);
    const second = unwrapRecord(kinesisRecord('{"second":22222}', { n: 2 }), T0);
    expect(first.payload.toString('utf8')).toBe('{"first":1}');
    expect(second.payload.toString('utf8')).toBe('{"second":22222}');
    expect(first.envelope).toBeNull();
  });

  it('unwraps an enveloped payload and its metadata', () => {
    const text = encodeVitals(vitalsMessage());
    const { envelope, payload, kinesis } = unwrapRecord(kinesisRecord(text, { n: 3, thing: 'bed-monitor-001', arrivedAt: T0 }), T0);
    expect(payload.toString('utf8')).toBe(text);
    expect(envelope).toEqual({ thing_name: 'bed-monitor-001', client_id: 'bed-monitor-001', received_at: T0 - 20 });
    expect(kinesis).toMatchObject({ shard_id: SHARD, arrived_at: T0 });
  });

  it('takes a record larger than the scratch buffer whole, enveloped or bare', () => {
    const big = `{"pad":"${'x'.repeat(100_000)}"}`;
    expect(unwrapRecord(kinesisRecord(big, { n: 4 }), T0).payload.toString('utf8')).toBe(big);
    const wrapped = unwrapRecord(kinesisRecord(big, { n: 5, thing: 'bed-monitor-002' }), T0);
    expect(wrapped.envelope?.thing_name).toBe('bed-monitor-002');
    expect(wrapped.payload.toString('utf8')).toBe(big);
  });

  it('treats a small record that only mentions thing_name in stale scratch bytes as bare', () => {
    unwrapRecord(kinesisRecord(encodeVitals(vitalsMessage()), { n: 6, thing: 'bed-monitor-001' }), T0);
    expect(unwrapRecord(kinesisRecord('{}', { n: 7 }), T0).envelope).toBeNull();
  });
});

describe('shardIdOf', () => {
  it('reads the shard from each record, also when consecutive records come from different shards', () => {
    const shards = ['shardId-000000000001', 'shardId-000000000001', 'shardId-000000000002', 'shardId-00000000000', 'shardId-000000000001'];
    expect(shards.map((shard, n) => shardIdOf(kinesisRecord('{}', { n, shard })))).toEqual(shards);
    expect(shardIdOf({ ...kinesisRecord('{}', { n: 9 }), eventID: 'no-colon' })).toBe('shardId-unknown');
  });
});
