/**
 * Robustness (DESIGN §8 "bad input"): ten thousand generated malformed payloads, mixed with valid ones,
 * through the real handler into a directory lake. Nothing crashes, every malformed payload is
 * quarantined with a contract reason code, every valid one is in curated.
 */
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { createEtlHandler } from '../../../../cloud/etl/handler.ts';
import type { QuarantineEntry } from '../../../../cloud/etl/transform.ts';
import { encodeVitals, REASON_CODES, type VitalsV1 } from '../../../../device/contract/index.ts';
import { eventOf, kinesisRecord, validBatch, vitalsMessage } from '../../../unit/cloud/etl/kinesis-fixtures.ts';
import { tempLake } from './lake-fixture.ts';
import { curatedScan, duckdbQuery } from './lake-readers.ts';

const MALFORMED = 10_000;
const BATCHES = 10;
const VALID_PER_BATCH = 100;
const THING = 'bed-monitor-777';

const REQUIRED: (keyof VitalsV1)[] = ['schema', 'device_id', 'patient_id', 'seq', 'timestamp', 'heart_rate', 'spo2', 'respiratory_rate',
  'systolic_bp', 'diastolic_bp', 'temperature_c', 'on_oxygen', 'ward', 'bed', 'consciousness', 'battery_pct'];
const NUMERIC = ['seq', 'heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp', 'diastolic_bp', 'temperature_c', 'battery_pct'] as const;

const base = vitalsMessage({ device_id: THING, seq: 1 });
const mutate = (change: (message: Record<string, unknown>) => void): string => {
  const message: Record<string, unknown> = { ...base };
  change(message);
  return JSON.stringify(message);
};

/** Payloads that must never reach curated: each arbitrary is invalid by construction. */
const malformedPayload: fc.Arbitrary<{ payload: string | Uint8Array; bare: boolean }> = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((payload) => ({ payload, bare: false })),
  fc.string({ maxLength: 200 }).map((payload) => ({ payload, bare: false })),
  fc.json({ maxDepth: 3 }).map((payload) => ({ payload, bare: false })),
  fc.constantFrom(...REQUIRED).map((field) => ({ payload: mutate((m) => { delete m[field]; }), bare: false })),
  fc.tuple(fc.constantFrom(...NUMERIC), fc.oneof(fc.string(), fc.boolean(), fc.constant({}), fc.constant([])))
    .map(([field, value]) => ({ payload: mutate((m) => { m[field] = value; }), bare: false })),
  fc.tuple(fc.constantFrom('heart_rate', 'spo2', 'respiratory_rate', 'systolic_bp'), fc.oneof(fc.integer({ min: 301, max: 1e9 }), fc.integer({ min: -1e9, max: -1 })))
    .map(([field, value]) => ({ payload: mutate((m) => { m[field] = value; }), bare: false })),
  fc.string({ maxLength: 40 }).filter((text) => !/^\d{4}-\d{2}-\d{2}T/.test(text))
    .map((timestamp) => ({ payload: mutate((m) => { m.timestamp = timestamp; }), bare: false })),
  fc.oneof(fc.constant('vitals/2'), fc.string({ maxLength: 10 }), fc.integer())
    .map((schema) => ({ payload: mutate((m) => { m.schema = schema; }), bare: false })),
  fc.constant({ payload: mutate((m) => { m.device_id = 'someone-else'; }), bare: false }),
  fc.integer({ min: 4100, max: 20_000 }).map((size) => ({ payload: mutate((m) => { m.ward = 'w'.repeat(size); }), bare: false })),
  fc.uint8Array({ maxLength: 200 }).map((payload) => ({ payload, bare: true })),
);

describe('ETL handler under generated malformed input', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  const responses: KinesisStreamBatchResponse[] = [];
  let validIds: Set<string>;
  let total = 0;

  beforeAll(async () => {
    lake = await tempLake();
    const handler = createEtlHandler({ store: lake.store, hmacKey: 'fuzz-key-0123456789abcdef', log: () => undefined });
    const malformed = fc.sample(malformedPayload, { numRuns: MALFORMED, seed: 20261124 });
    validIds = new Set();
    let n = 0;
    for (let b = 0; b < BATCHES; b += 1) {
      const records: KinesisStreamRecord[] = [];
      const valid = validBatch(VALID_PER_BATCH, { start: b * VALID_PER_BATCH, devices: 7 });
      for (const record of valid) validIds.add(`${payloadOf(record).device_id}/${payloadOf(record).seq}`);
      const slice = malformed.slice(b * (MALFORMED / BATCHES), (b + 1) * (MALFORMED / BATCHES));
      slice.forEach((item, i) => {
        records.push(kinesisRecord(item.payload, { n: n++, thing: item.bare ? undefined : THING }));
        if (i % 10 === 0) {
          const message = payloadOf(valid[i / 10]!);
          records.push(kinesisRecord(encodeVitals(message), { n: n++, thing: message.device_id }));
        }
      });
      total += records.length;
      responses.push(await handler(eventOf(records)));
    }
  }, 120_000);
  afterAll(async () => {
    await lake.close();
  });

  it('never fails a batch', () => {
    expect(responses).toHaveLength(BATCHES);
    for (const response of responses) expect(response.batchItemFailures).toEqual([]);
  });

  it('quarantines every malformed payload with at least one contract reason code', async () => {
    const entries: QuarantineEntry[] = [];
    for (const key of await lake.store.list('quarantine/')) {
      const text = gunzipSync((await lake.store.get(key))!).toString();
      for (const line of text.trim().split('\n')) entries.push(JSON.parse(line) as QuarantineEntry);
    }
    expect(entries).toHaveLength(MALFORMED);
    const known = new Set<string>(REASON_CODES);
    const unexplained = entries.filter((entry) => entry.reasons.length === 0 || entry.reasons.some((reason) => !known.has(reason.code)));
    expect(unexplained).toEqual([]);
  });

  it('puts every valid reading in curated, and nothing else', async () => {
    const rows = await duckdbQuery(`SELECT device_id, seq FROM ${curatedScan(lake.root)}`);
    expect(new Set(rows.map((row) => `${String(row.device_id)}/${String(row.seq)}`))).toEqual(validIds);
    expect(rows).toHaveLength(validIds.size);
  });

  it('keeps every record, valid or not, in raw', async () => {
    let lines = 0;
    for (const key of await lake.store.list('raw/')) lines += gunzipSync((await lake.store.get(key))!).toString().trim().split('\n').length;
    expect(lines).toBe(total);
  });
});

function payloadOf(record: KinesisStreamRecord): VitalsV1 {
  const envelope = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString()) as { payload: string };
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as VitalsV1;
}
