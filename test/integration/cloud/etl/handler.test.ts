import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEtlHandler } from '../../../../cloud/etl/handler.ts';
import { createS3Store } from '../../../../cloud/lake/s3-store.ts';
import type { ObjectStore } from '../../../../cloud/lake/object-store.ts';
import { eventOf, kinesisRecord, sequenceNumber, T0, validBatch } from '../../../unit/cloud/etl/kinesis-fixtures.ts';
import { startLocalS3 } from '../lake/local-s3.ts';
import { failingPuts, snapshot, tempLake } from './lake-fixture.ts';
import { curatedScan, duckdbQuery } from './lake-readers.ts';

const HMAC_KEY = 'handler-test-key-0123456789';

describe('ETL handler over a directory lake', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let logs: string[];
  const handlerFor = (store: ObjectStore) => createEtlHandler({ store, hmacKey: HMAC_KEY, clock: () => T0 + 3_600_000, log: (line) => logs.push(line) });

  beforeEach(async () => {
    lake = await tempLake();
    logs = [];
  });
  afterEach(async () => {
    await lake.close();
  });

  it('writes raw, curated and quarantine objects and reports no failure', async () => {
    const records = [...validBatch(20), kinesisRecord('{"schema":"vitals/1"}', { n: 20, thing: 'bed-monitor-001' })];
    const response = await handlerFor(lake.store)(eventOf(records));
    expect(response).toEqual({ batchItemFailures: [] });
    const keys = await lake.store.list('');
    expect(keys.map((key) => key.split('/')[0])).toEqual(['curated', 'quarantine', 'raw']);
    const [count] = await duckdbQuery(`SELECT count(*) AS n FROM ${curatedScan(lake.root)}`);
    expect(count!.n).toBe(20n);
  });

  it('writes identical objects and row counts when the same batch is delivered three times', async () => {
    const handler = handlerFor(lake.store);
    const records = [...validBatch(100), kinesisRecord('nope', { n: 100, thing: 'bed-monitor-001' })];
    await handler(eventOf(records));
    const first = await snapshot(lake.store);
    await handler(eventOf(records));
    await handler(eventOf(records));
    const third = await snapshot(lake.store);
    expect([...third.keys()]).toEqual([...first.keys()]);
    for (const [key, bytes] of first) expect(Buffer.from(third.get(key)!).equals(Buffer.from(bytes))).toBe(true);
    const [count] = await duckdbQuery(`SELECT count(*) AS n, count(DISTINCT (device_id, seq)) AS distinct_readings FROM ${curatedScan(lake.root)}`);
    expect(count).toEqual({ n: 100n, distinct_readings: 100n });
  });

  it('names only the first unwritten record when a write fails at record 37 of 100, and a retry completes without duplicates', async () => {
    // Records 0-36 are measured (and arrive) in hour 16, records 37-99 in hour 17: the hour-17 objects fail.
    const records = validBatch(100, { t0: Date.parse('2026-11-24T16:59:23.000Z') });
    const flaky = failingPuts(lake.store, (key) => key.includes('/hour=17/'));
    const response = await handlerFor(flaky)(eventOf(records));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(37) }] });
    expect(flaky.failed.length).toBeGreaterThan(0);
    const error = logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.level === 'error');
    expect(error).toMatchObject({ retry_from_sequence: sequenceNumber(37) });

    // Lambda retries from the reported record: the rest of the batch, now with a healthy store.
    const retry = await handlerFor(lake.store)(eventOf(records.slice(37)));
    expect(retry).toEqual({ batchItemFailures: [] });
    const [count] = await duckdbQuery(`SELECT count(*) AS n, count(DISTINCT (device_id, seq)) AS distinct_readings, count(DISTINCT hour) AS hours FROM ${curatedScan(lake.root)}`);
    expect(count).toEqual({ n: 100n, distinct_readings: 100n, hours: 2n });
  });

  it('reports the first record of the batch when the one object holding it fails', async () => {
    const flaky = failingPuts(lake.store, (key) => key.startsWith('curated/'));
    const records = validBatch(10);
    expect(await handlerFor(flaky)(eventOf(records))).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(0) }] });
  });

  it('removes in-batch duplicates (QoS 1 redelivery) from curated and keeps every copy in raw', async () => {
    const readings = validBatch(30);
    // Each message arrives twice, the copy later in the batch, as a broker redelivery would put it.
    const records = [...readings, ...readings.map((record, i) => ({ ...record, eventID: record.eventID.replace(/:.*/, `:${sequenceNumber(30 + i)}`), kinesis: { ...record.kinesis, sequenceNumber: sequenceNumber(30 + i) } }))];
    expect(await handlerFor(lake.store)(eventOf(records))).toEqual({ batchItemFailures: [] });
    const [count] = await duckdbQuery(`SELECT count(*) AS n FROM ${curatedScan(lake.root)}`);
    expect(count!.n).toBe(30n);
    const rawKey = (await lake.store.list('raw/'))[0]!;
    expect(gunzipSync((await lake.store.get(rawKey))!).toString().trim().split('\n')).toHaveLength(60);
    expect(JSON.parse(logs[0]!)).toMatchObject({ RecordsIn: 60, Curated: 30, Duplicates: 30 });
  });

  it('logs counts, quarantine reasons and latency as CloudWatch embedded metrics', async () => {
    await handlerFor(lake.store)(eventOf([...validBatch(5), kinesisRecord('[1]', { n: 5, thing: 'bed-monitor-001' })]));
    const entries = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries[0]).toMatchObject({ RecordsIn: 6, Curated: 5, Quarantined: 1, Duplicates: 0, WriteFailures: 0 });
    expect(entries[0]!.IngestLatencyMax).toBe(3_600_000);
    expect(entries[1]).toMatchObject({ Reason: 'not_object', Quarantined: 1 });
    expect(entries.at(-1)).toMatchObject({ level: 'info', message: 'batch written', records: 6 });
  });

  it('keeps raw patient ids out of every curated object', async () => {
    await handlerFor(lake.store)(eventOf(validBatch(300)));
    const patientIds = new Set(Array.from({ length: 10 }, (_, i) => `MRN-${String(i).padStart(4, '0')}`));
    // Raw does hold them (it is PHI too, DESIGN §8): the scan below would catch a leak.
    const rawKey = (await lake.store.list('raw/'))[0]!;
    expect(gunzipSync((await lake.store.get(rawKey))!).toString()).toContain('MRN-0001');
    for (const key of await lake.store.list('curated/')) {
      expect(Buffer.from((await lake.store.get(key))!).toString('latin1')).not.toContain('MRN-');
    }
    const rows = await duckdbQuery(`SELECT * FROM ${curatedScan(lake.root)}`);
    const values = rows.flatMap((row) => Object.values(row)).filter((value): value is string => typeof value === 'string');
    expect(values.some((value) => patientIds.has(value) || value.includes('MRN-'))).toBe(false);
  });
});

describe('ETL handler over the S3 API (s3rver)', () => {
  it('writes the same layout to a bucket as to a directory', async () => {
    const s3 = await startLocalS3();
    try {
      const store = createS3Store({ client: s3.client, bucket: s3.bucket });
      const handler = createEtlHandler({ store, hmacKey: HMAC_KEY, clock: () => T0 + 5000, log: () => undefined });
      expect(await handler(eventOf(validBatch(50)))).toEqual({ batchItemFailures: [] });
      const keys = await store.list('');
      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(/^curated\/vitals\/dt=2026-11-24\/hour=17\/shardId-000000000000-\d+\.parquet$/);
      expect(keys[1]).toMatch(/^raw\/vitals\/dt=2026-11-24\/hour=17\/shardId-000000000000-\d+-\d+\.jsonl\.gz$/);
    } finally {
      await s3.close();
    }
  });
});
