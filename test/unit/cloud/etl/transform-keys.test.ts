/**
 * Issue 12, "nothing acknowledged is lost, nothing is silently merged", in the transform: legacy keys,
 * the plausible-time window, in-batch conflicts.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeVitals, LEGACY_SEQ_BASE } from '../../../../device/contract/index.ts';
import { createPseudonymiser } from '../../../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../../../cloud/etl/transform.ts';
import { planLakeObjects } from '../../../../cloud/etl/writers/lake-objects.ts';
import { DT_PROJECTION_RANGE, plausibleWindow } from '../../../../cloud/lake/plausible-time.ts';
import { kinesisRecord, T0, vitalsMessage } from './kinesis-fixtures.ts';

const context = { pseudonymise: createPseudonymiser('test-key-0123456789abcdef'), now: T0 + 2500 };
const THING = 'bedside-0003';
const legacy = (timestamp: string): string => JSON.stringify({ patient_id: 'P3', heart_rate: 80, temperature: 98.6, timestamp });
const v1 = (seq: number, overrides = {}): string => encodeVitals(vitalsMessage({ device_id: THING, seq, ...overrides }));

describe('transformBatch: legacy readings', () => {
  it('curates a legacy reading at epoch ms 5 next to a vitals/1 seq 0 and seq 5 of the same device, none dropped', () => {
    // The ETL's clock in 1970, so that the plausible-time window lets every reading through.
    const at = '1970-01-01T00:00:00.005Z';
    const records = [v1(0, { timestamp: at }), v1(5, { timestamp: at }), legacy(at)].map((payload, n) => kinesisRecord(payload, { n, thing: THING }));
    const { curated, duplicates, quarantine } = transformBatch(records, { ...context, now: 86_400_000 });
    expect(quarantine).toEqual([]);
    expect(duplicates).toEqual([]);
    expect(curated.map((row) => [row.value.source_schema, row.value.seq])).toEqual([['vitals/1', 0], ['vitals/1', 5], ['legacy', LEGACY_SEQ_BASE + 5]]);
  });

  it('keys a legacy reading so that it never equals a vitals/1 seq of the same device in one batch', () => {
    const at = new Date(T0).toISOString();
    const records = [v1(T0), legacy(at)].map((payload, n) => kinesisRecord(payload, { n, thing: THING }));
    const { curated, duplicates, quarantine } = transformBatch(records, context);
    expect(quarantine).toEqual([]);
    expect(duplicates).toEqual([]);
    expect(curated.map((row) => [row.value.source_schema, row.value.seq])).toEqual([['vitals/1', T0], ['legacy', LEGACY_SEQ_BASE + T0]]);
  });

  it('quarantines a legacy reading of year 1000 as bad_timestamp instead of curating a negative seq', () => {
    const { curated, quarantine } = transformBatch([kinesisRecord(legacy('1000-01-01T00:00:00Z'), { n: 1, thing: THING })], context);
    expect(curated).toEqual([]);
    expect(quarantine[0]!.value.reasons[0]).toMatchObject({ code: 'bad_timestamp', field: 'timestamp' });
  });
});

describe('transformBatch: the plausible-time window', () => {
  const window = plausibleWindow(context.now);

  it.each([
    ['0000-01-01T00:00:00.000Z', 'start'], ['1000-01-01T00:00:00.000Z', 'start'], ['1970-01-01T00:00:00.000Z', 'start'],
    ['2100-01-01T00:00:00.000Z', 'end'], ['9999-12-31T00:00:00.000Z', 'end'],
  ])('quarantines a reading measured at %s as bad_timestamp, naming the %s of the window', (timestamp, bound) => {
    const records = [kinesisRecord(v1(1, { timestamp }), { n: 1, thing: THING }), kinesisRecord(legacy(timestamp), { n: 2, thing: THING })];
    const { curated, quarantine } = transformBatch(records, context);
    expect(curated).toEqual([]);
    // Year 0000 is no valid legacy timestamp key (before 1970): rejected by the contract, the same reason code.
    for (const entry of quarantine) {
      expect(entry.value.reasons).toHaveLength(1);
      expect(entry.value.reasons[0]).toMatchObject({ code: 'bad_timestamp', field: 'timestamp' });
    }
    const message = quarantine[0]!.value.reasons[0]!.message;
    expect(message).toContain(`plausible window's ${bound}`);
    expect(message).toContain(new Date(window.fromMs).toISOString());
    expect(message).toContain(new Date(window.toMs).toISOString());
    expect(message).toContain(DT_PROJECTION_RANGE);
  });

  it('curates readings at both edges of the window and quarantines one a millisecond outside each', () => {
    const stamps = [window.fromMs - 1, window.fromMs, window.toMs, window.toMs + 1].map((ms) => new Date(ms).toISOString());
    const records = stamps.map((timestamp, n) => kinesisRecord(v1(n, { timestamp }), { n, thing: THING }));
    const { curated, quarantine } = transformBatch(records, context);
    expect(curated.map((row) => row.index)).toEqual([1, 2]);
    expect(quarantine.map((entry) => entry.index)).toEqual([0, 3]);
  });

  it('writes the raw record and the quarantine record of a year-9999 reading under its arrival time, never under 9999', () => {
    const result = transformBatch([kinesisRecord(v1(1, { timestamp: '9999-12-31T00:00:00.000Z' }), { n: 1, thing: THING })], context);
    const objects = planLakeObjects(result);
    const arrivalDay = new Date(T0 + 1000).toISOString().slice(0, 10);
    expect(objects.map((object) => object.key).sort()).toEqual([
      expect.stringMatching(new RegExp(`^quarantine/vitals/dt=${arrivalDay}/`)),
      expect.stringMatching(new RegExp(`^raw/vitals/dt=${arrivalDay}/hour=17/`)),
    ]);
    expect(objects.some((object) => object.key.includes('9999'))).toBe(false);
  });
});

describe('transformBatch: in-batch copies of a (device_id, seq)', () => {
  it('curates one of identical copies and counts the rest as duplicates', () => {
    const records = [0, 1, 2].map((n) => kinesisRecord(v1(5), { n, thing: THING }));
    const { curated, duplicates, quarantine } = transformBatch(records, context);
    expect(curated.map((row) => row.index)).toEqual([0]);
    expect(duplicates.map((entry) => entry.index)).toEqual([1, 2]);
    expect(quarantine).toEqual([]);
  });

  it('takes a copy in another JSON layout that normalises to the same reading as a duplicate', () => {
    const spaced = JSON.stringify(JSON.parse(v1(5)) as unknown, null, 2);
    const { curated, duplicates, quarantine } = transformBatch([kinesisRecord(v1(5), { n: 0, thing: THING }), kinesisRecord(spaced, { n: 1, thing: THING })], context);
    expect([curated.length, duplicates.length, quarantine.length]).toEqual([1, 1, 0]);
  });

  it('quarantines every copy as conflicting_duplicate when their content differs, curating none', () => {
    const records = [v1(4), v1(5), v1(5), v1(5, { heart_rate: 140 }), v1(5), v1(6)].map((payload, n) => kinesisRecord(payload, { n, thing: THING }));
    const { curated, duplicates, quarantine } = transformBatch(records, context);
    expect(curated.map((row) => row.value.seq)).toEqual([4, 6]);
    expect(duplicates).toEqual([]);
    expect(quarantine.map((entry) => entry.index)).toEqual([1, 2, 3, 4]);
    for (const { value } of quarantine) {
      expect(value.reasons).toEqual([{ code: 'conflicting_duplicate', field: 'seq', message: expect.stringContaining('seq 5 arrived 4 times') as string }]);
    }
    expect(JSON.parse(Buffer.from(quarantine[2]!.value.payload_base64, 'base64').toString())).toMatchObject({ heart_rate: 140 });
  });

  it('writes the conflicting copies to one quarantine object, keyed by the first of them, and the rest as usual', () => {
    const records = [v1(4), v1(5), v1(5, { heart_rate: 140 })].map((payload, n) => kinesisRecord(payload, { n, thing: THING }));
    const objects = planLakeObjects(transformBatch(records, context));
    const quarantine = objects.find((object) => object.layer === 'quarantine')!;
    expect(quarantine.indexes).toEqual([1, 2]);
    expect(gunzipSync(quarantine.body).toString().trim().split('\n')).toHaveLength(2);
    expect(objects.find((object) => object.layer === 'curated')!.indexes).toEqual([0]);
  });
});
