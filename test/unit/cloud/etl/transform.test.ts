import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeVitals } from '../../../../device/contract/index.ts';
import { CURATED_COLUMNS } from '../../../../cloud/lake/curated-schema.ts';
import { createPseudonymiser } from '../../../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../../../cloud/etl/transform.ts';
import { kinesisRecord, SHARD, sequenceNumber, T0, validBatch, vitalsMessage } from './kinesis-fixtures.ts';

const KEY = 'test-key-0123456789abcdef';
const context = { pseudonymise: createPseudonymiser(KEY), now: T0 + 2500 };

describe('transformBatch', () => {
  it('turns an enveloped vitals message into one curated row with NEWS2, pseudonym and ingest latency', () => {
    const message = vitalsMessage({ respiratory_rate: 26, spo2: 90, heart_rate: 135 });
    const { curated, quarantine, raw } = transformBatch([kinesisRecord(encodeVitals(message), { n: 5, thing: message.device_id })], context);
    expect(quarantine).toEqual([]);
    expect(raw).toHaveLength(1);
    expect(curated).toHaveLength(1);
    const row = curated[0]!.value;
    expect(row).toMatchObject({
      device_id: 'bed-monitor-001', seq: 1, ward: 'ward-7', bed: 'bed-3', measured_at: T0,
      news2_respiration: 3, news2_spo2: 3, news2_pulse: 3, news2_band: 'high', news2_complete: true, news2_missing: null,
      source_schema: 'vitals/1', received_at: T0 + 1000 - 20, ingested_at: T0 + 2500, ingest_latency_ms: 2500,
      kinesis_shard: SHARD, kinesis_sequence: sequenceNumber(5),
    });
    expect(row.patient_key).toBe(createHmac('sha256', KEY).update('MRN-0001').digest('hex'));
  });

  it('produces rows whose fields are exactly the curated schema columns, in order', () => {
    const { curated } = transformBatch(validBatch(1), context);
    expect(Object.keys(curated[0]!.value)).toEqual(CURATED_COLUMNS.map((column) => column.name));
  });

  it('never puts the patient id in a curated row', () => {
    const { curated } = transformBatch(validBatch(50), context);
    const text = JSON.stringify(curated);
    expect(text).not.toMatch(/MRN-/);
  });

  it('accepts a payload put on the stream without the rule envelope', () => {
    const { curated } = transformBatch([kinesisRecord(encodeVitals(vitalsMessage()), { n: 1 })], context);
    expect(curated).toHaveLength(1);
    expect(curated[0]!.value.received_at).toBeNull();
  });

  it('normalises the legacy sample format (°F to °C, device from the thing name)', () => {
    const legacy = JSON.stringify({ patient_id: 1234, heart_rate: 88, temperature: 101.3, timestamp: '2026-11-24 17:00:00' });
    const { curated } = transformBatch([kinesisRecord(legacy, { n: 1, thing: 'legacy-monitor-9' })], context);
    expect(curated[0]!.value).toMatchObject({
      source_schema: 'legacy', device_id: 'legacy-monitor-9', temperature_c: 38.5, heart_rate: 88, measured_at: T0,
      quality_flags: 'not_measured', news2_complete: false,
    });
    expect(JSON.stringify(curated[0]!.value)).not.toContain('1234"');
  });

  it('drops in-batch duplicates by (device_id, seq), keeping the first, and counts them', () => {
    const payload = encodeVitals(vitalsMessage({ seq: 42 }));
    const records = [0, 1, 2].map((n) => kinesisRecord(payload, { n, thing: 'bed-monitor-001' }));
    const { curated, duplicates, raw } = transformBatch(records, context);
    expect(curated.map((row) => row.index)).toEqual([0]);
    expect(duplicates.map((d) => [d.index, d.value.kept_index])).toEqual([[1, 0], [2, 0]]);
    expect(raw).toHaveLength(3);
  });

  it('quarantines a record with its reason codes and the original bytes', () => {
    const bad = encodeVitals(vitalsMessage({ heart_rate: 999 }));
    const { curated, quarantine } = transformBatch([kinesisRecord(bad, { n: 3, thing: 'bed-monitor-001' })], context);
    expect(curated).toEqual([]);
    const entry = quarantine[0]!.value;
    expect(entry.reasons[0]).toMatchObject({ code: 'out_of_range', field: 'heart_rate' });
    expect(Buffer.from(entry.payload_base64, 'base64').toString()).toBe(bad);
    expect(entry.kinesis).toMatchObject({ shard_id: SHARD, sequence_number: sequenceNumber(3) });
    expect(entry.envelope?.thing_name).toBe('bed-monitor-001');
  });

  it('quarantines a message published under another thing name as device_mismatch', () => {
    const { quarantine } = transformBatch([kinesisRecord(encodeVitals(vitalsMessage()), { n: 1, thing: 'bed-monitor-002' })], context);
    expect(quarantine[0]!.value.reasons.map((r) => r.code)).toContain('device_mismatch');
  });

  it('keeps a non-UTF-8 payload in raw as base64 and quarantines it as not_utf8', () => {
    const bytes = Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]);
    const { raw, quarantine } = transformBatch([kinesisRecord(bytes, { n: 1, thing: 'bed-monitor-001' })], context);
    expect(raw[0]!).toMatchObject({ payload: Buffer.from(bytes).toString('base64'), payload_encoding: 'base64' });
    expect(quarantine[0]!.value.reasons[0]!.code).toBe('not_utf8');
  });

  it('keeps a UTF-8 payload in raw as its text, exactly as published', () => {
    const { raw, quarantine } = transformBatch([kinesisRecord('not json at all', { n: 1, thing: 'bed-monitor-001' })], context);
    expect(raw[0]!).toMatchObject({ payload: 'not json at all', payload_encoding: 'utf8' });
    expect(quarantine[0]!.value.reasons[0]!.code).toBe('not_json');
  });

  it('quarantines an oversize payload as oversize', () => {
    const { quarantine } = transformBatch([kinesisRecord(`{"x":"${'a'.repeat(5000)}"}`, { n: 1, thing: 'bed-monitor-001' })], context);
    expect(quarantine[0]!.value.reasons[0]!.code).toBe('oversize');
  });
});

describe('transformBatch with an odd Kinesis record', () => {
  it('partitions raw by the ingest time when the arrival timestamp is missing', () => {
    const record = kinesisRecord(encodeVitals(vitalsMessage()), { n: 1, thing: 'bed-monitor-001' });
    record.kinesis.approximateArrivalTimestamp = Number.NaN;
    const { raw } = transformBatch([record], context);
    expect(raw[0]!.kinesis.arrived_at).toBe(context.now);
  });
});
