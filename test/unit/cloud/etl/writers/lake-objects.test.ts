import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from '../../../../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../../../../cloud/etl/transform.ts';
import { hourPartition } from '../../../../../cloud/etl/writers/lake-keys.ts';
import { planLakeObjects } from '../../../../../cloud/etl/writers/lake-objects.ts';
import { kinesisRecord, SHARD, sequenceNumber, T0, validBatch } from '../kinesis-fixtures.ts';

const context = { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 + 10_000 };

describe('hourPartition', () => {
  it('partitions by UTC date and hour', () => {
    expect(hourPartition(Date.parse('2026-12-31T23:59:59.999Z'))).toEqual({ dt: '2026-12-31', hour: '23' });
    expect(hourPartition(Date.parse('2027-01-01T00:00:00.000Z'))).toEqual({ dt: '2027-01-01', hour: '00' });
  });
});

describe('planLakeObjects', () => {
  it('keys raw by shard and first/last sequence, curated by shard and first sequence (DESIGN §5)', () => {
    const objects = planLakeObjects(transformBatch(validBatch(10), context));
    expect(objects.map((object) => object.key)).toEqual([
      `raw/vitals/dt=2026-11-24/hour=17/${SHARD}-${sequenceNumber(0)}-${sequenceNumber(9)}.jsonl.gz`,
      `curated/vitals/dt=2026-11-24/hour=17/${SHARD}-${sequenceNumber(0)}.parquet`,
    ]);
    expect(objects.map((object) => object.rows)).toEqual([10, 10]);
  });

  it('gives the same objects, byte for byte, for the same batch', () => {
    const batch = validBatch(100);
    const first = planLakeObjects(transformBatch(batch, context));
    const second = planLakeObjects(transformBatch(batch, context));
    expect(second).toEqual(first);
  });

  it('splits curated objects at the measurement hour and names each after its own first record', () => {
    // Readings 16:59:55 .. 17:00:04: five in hour 16, five in hour 17.
    const batch = validBatch(10, { t0: Date.parse('2026-11-24T16:59:55.000Z') });
    const curated = planLakeObjects(transformBatch(batch, context)).filter((object) => object.layer === 'curated');
    expect(curated.map((object) => [object.key, object.indexes])).toEqual([
      [`curated/vitals/dt=2026-11-24/hour=16/${SHARD}-${sequenceNumber(0)}.parquet`, [0, 1, 2, 3, 4]],
      [`curated/vitals/dt=2026-11-24/hour=17/${SHARD}-${sequenceNumber(5)}.parquet`, [5, 6, 7, 8, 9]],
    ]);
  });

  it('writes rejected records to one quarantine object per day with reasons and original bytes', () => {
    const records = [kinesisRecord('garbage', { n: 1, thing: 'm1' }), ...validBatch(2, { start: 2 }), kinesisRecord('[]', { n: 4, thing: 'm1' })];
    const quarantine = planLakeObjects(transformBatch(records, context)).filter((object) => object.layer === 'quarantine');
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]!.key).toBe(`quarantine/vitals/dt=2026-11-24/${SHARD}-${sequenceNumber(1)}-${sequenceNumber(4)}.jsonl.gz`);
    const lines = gunzipSync(quarantine[0]!.body).toString().trim().split('\n').map((line) => JSON.parse(line) as { reasons: { code: string }[]; payload_base64: string });
    expect(lines.map((line) => line.reasons[0]!.code)).toEqual(['not_json', 'not_object']);
    expect(Buffer.from(lines[0]!.payload_base64, 'base64').toString()).toBe('garbage');
    expect(quarantine[0]!.indexes).toEqual([0, 3]);
  });

  it('keeps every record, rejected and duplicate ones included, in raw', () => {
    const batch = [...validBatch(3), validBatch(1)[0]!, kinesisRecord('x', { n: 9, thing: 'm' })];
    const raw = planLakeObjects(transformBatch(batch, context)).filter((object) => object.layer === 'raw');
    const lines = gunzipSync(raw[0]!.body).toString().trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[4]!)).toMatchObject({ payload: 'x', payload_encoding: 'utf8', envelope: { thing_name: 'm' } });
  });
});
