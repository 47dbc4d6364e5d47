import { describe, expect, it } from 'vitest';
import { encodeVitals, validatePayload } from '../../../../device/contract/index.ts';
import { CuratedColumns } from '../../../../cloud/etl/curated-columns.ts';
import { toCuratedRow, type CuratedRow } from '../../../../cloud/etl/curated-row.ts';
import { unwrapRecord } from '../../../../cloud/etl/kinesis-record.ts';
import { createPseudonymiser } from '../../../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../../../cloud/etl/transform.ts';
import { kinesisRecord, T0, validBatch, vitalsMessage } from './kinesis-fixtures.ts';

const context = { pseudonymise: createPseudonymiser('test-key-0123456789abcdef'), now: T0 + 2500 };

function mixedRows(): CuratedRow[] {
  const probeOff = vitalsMessage({ device_id: 'bed-monitor-009', seq: 77, spo2: null, quality: ['spo2_probe_off', 'motion_artefact'], consciousness: null, on_oxygen: true, spo2_scale: 2 });
  const legacy = JSON.stringify({ patient_id: 1234, heart_rate: 88, temperature: 101.3, timestamp: '2026-11-24 17:00:00' });
  const records = [
    ...validBatch(20),
    kinesisRecord(encodeVitals(probeOff), { n: 30, thing: 'bed-monitor-009' }),
    kinesisRecord(legacy, { n: 31, thing: 'legacy-monitor-9' }),
    kinesisRecord(encodeVitals(vitalsMessage({ seq: 5000 })), { n: 32 }),
  ];
  return transformBatch(records, context).curated.map((row) => row.value);
}

describe('CuratedColumns', () => {
  it('removes the rows at given positions and keeps the others, in order, with their batch positions', () => {
    const rows = mixedRows();
    const columns = CuratedColumns.fromRows(rows);
    const removed = new Set([0, 5, rows.length - 2]);
    columns.removeRows(removed);
    const kept = rows.filter((_, at) => !removed.has(at));
    expect(columns.length).toBe(kept.length);
    expect(kept.map((_, at) => columns.rowAt(at))).toStrictEqual(kept);
    expect([...columns.index.subarray(0, columns.length)]).toEqual(rows.map((_, at) => at).filter((at) => !removed.has(at)));
  });

  it('gives back every row it was given, nulls, booleans and numbers included', () => {
    const rows = mixedRows();
    const columns = CuratedColumns.fromRows(rows);
    expect(columns.length).toBe(rows.length);
    expect(rows.map((_, at) => columns.rowAt(at))).toStrictEqual(rows);
    // The mix covers what the typed storage must keep apart: nulls, true/false, joined flags, doubles.
    expect(rows.some((row) => row.received_at === null)).toBe(true);
    expect(rows.some((row) => row.on_oxygen === null)).toBe(true);
    expect(rows.some((row) => row.on_oxygen === true)).toBe(true);
    expect(rows.some((row) => row.quality_flags === 'spo2_probe_off,motion_artefact')).toBe(true);
    expect(rows.filter((row) => row.spo2 === null)).toHaveLength(2);
  });

  it('keeps each distinct repeated string once per batch', () => {
    const columns = CuratedColumns.fromRows(transformBatch(validBatch(100, { devices: 7 }), context).curated.map((row) => row.value));
    const devices = columns.column('device_id');
    expect(devices.kind).toBe('dictionary');
    if (devices.kind === 'dictionary') expect(devices.dictionary).toHaveLength(7);
    expect(columns.column('kinesis_sequence').kind).toBe('string');
  });

  it('records the batch position of each row', () => {
    const rows = mixedRows();
    const columns = new CuratedColumns(2);
    columns.append(rows[0]!, 7);
    columns.append(rows[1]!, 9);
    expect([...columns.index]).toEqual([7, 9]);
    expect(() => columns.append(rows[2]!, 10)).toThrow(RangeError);
  });
});

describe('transformBatch columns', () => {
  it('hold the same rows, at the same batch positions, as the row view', () => {
    const records = [...validBatch(5), kinesisRecord('not json', { n: 40, thing: 'bed-monitor-001' }), ...validBatch(3, { start: 5 })];
    const result = transformBatch(records, context);
    const columns = result.curatedColumns;
    expect(columns.length).toBe(8);
    expect([...columns.index.subarray(0, columns.length)]).toEqual([0, 1, 2, 3, 4, 6, 7, 8]);
    expect(result.curated.map((row) => row.index)).toEqual([0, 1, 2, 3, 4, 6, 7, 8]);
    // Built independently of the columns: each valid record's row straight from the contract and toCuratedRow.
    const expected = [0, 1, 2, 3, 4, 6, 7, 8].map((index) => {
      const unwrapped = unwrapRecord(records[index]!, context.now);
      const validated = validatePayload(unwrapped.payload, { thingName: unwrapped.envelope!.thing_name });
      if (!validated.ok) throw new Error('fixture is valid');
      return toCuratedRow(validated.reading, {
        shardId: unwrapped.kinesis.shard_id, sequenceNumber: unwrapped.kinesis.sequence_number, receivedAt: unwrapped.envelope!.received_at,
        pseudonymise: context.pseudonymise, ingestedAt: context.now,
      });
    });
    expect(result.curated.map((row) => row.value)).toStrictEqual(expected);
  });
});
