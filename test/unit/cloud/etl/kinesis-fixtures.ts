/**
 * Test data for the ETL: contract-valid vitals messages and Kinesis records shaped exactly as Lambda
 * delivers them (data = base64 of the IoT rule's envelope, or a bare payload).
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { encodeVitals, VITALS_SCHEMA_ID, type VitalsV1 } from '../../../../device/contract/index.ts';
import type { VitalsEnvelope } from '../../../../cloud/ingest/vitals-rule.ts';

export const T0 = Date.parse('2026-11-24T17:00:00.000Z');
export const SHARD = 'shardId-000000000000';

export function vitalsMessage(overrides: Partial<VitalsV1> = {}): VitalsV1 {
  return {
    schema: VITALS_SCHEMA_ID, device_id: 'bed-monitor-001', patient_id: 'MRN-0001', seq: 1,
    timestamp: new Date(T0).toISOString(), heart_rate: 72, spo2: 97, respiratory_rate: 16,
    systolic_bp: 120, diastolic_bp: 80, temperature_c: 36.8, on_oxygen: false, ward: 'ward-7', bed: 'bed-3',
    consciousness: 'A', battery_pct: 88, ...overrides,
  };
}

/** A Kinesis-style sequence number: 56 decimal digits, increasing with n. */
export function sequenceNumber(n: number): string {
  return `4964${String(n).padStart(52, '0')}`;
}

export interface RecordOptions {
  /** Position in the shard (drives the sequence number). */
  n: number;
  /** Thing name the rule saw; undefined puts the payload on the stream bare (no envelope). */
  thing?: string | undefined;
  arrivedAt?: number;
  shard?: string;
}

export function kinesisRecord(payload: string | Uint8Array, { n, thing, arrivedAt = T0 + 1000, shard = SHARD }: RecordOptions): KinesisStreamRecord {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const data = thing === undefined
    ? bytes
    : Buffer.from(JSON.stringify({ payload: bytes.toString('base64'), thing_name: thing, client_id: thing, received_at: arrivedAt - 20 } satisfies VitalsEnvelope));
  const sequence = sequenceNumber(n);
  return {
    awsRegion: 'eu-west-2',
    eventID: `${shard}:${sequence}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: 'arn:aws:kinesis:eu-west-2:123456789012:stream/vitals',
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/etl',
    kinesis: {
      approximateArrivalTimestamp: arrivedAt / 1000,
      data: data.toString('base64'),
      kinesisSchemaVersion: '1.0',
      partitionKey: thing ?? 'bare',
      sequenceNumber: sequence,
    },
  };
}

/** n valid readings from `devices` monitors, one second apart, enveloped by the rule. */
export function validBatch(count: number, { devices = 10, start = 0, t0 = T0 } = {}): KinesisStreamRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const n = start + i;
    const device = `bed-monitor-${String(n % devices).padStart(3, '0')}`;
    const message = vitalsMessage({
      device_id: device, patient_id: `MRN-${String(n % devices).padStart(4, '0')}`, seq: Math.floor(n / devices) + 1,
      timestamp: new Date(t0 + n * 1000).toISOString(), heart_rate: 60 + (n % 70), respiratory_rate: 10 + (n % 20),
    });
    return kinesisRecord(encodeVitals(message), { n, thing: device, arrivedAt: t0 + n * 1000 + 150 });
  });
}

export function eventOf(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}
