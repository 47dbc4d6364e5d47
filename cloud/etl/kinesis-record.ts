/**
 * Unwraps one Kinesis record: its metadata, and the MQTT payload bytes inside the IoT rule's envelope
 * (cloud/ingest/vitals-rule.ts). A record put on the stream directly (no envelope) is tolerated: its data
 * is then the payload itself, with no thing name to check it against.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { VitalsEnvelope } from '../ingest/vitals-rule.ts';

export interface KinesisMeta {
  shard_id: string;
  sequence_number: string;
  partition_key: string;
  /** Epoch ms when the record reached the stream. */
  arrived_at: number;
}

/** The rule envelope without its payload; received_at null when the envelope lacked a usable one. */
export interface EnvelopeMeta {
  thing_name: string;
  client_id: string;
  received_at: number | null;
}

export interface UnwrappedRecord {
  kinesis: KinesisMeta;
  /** Null when the record was not wrapped by the rule. */
  envelope: EnvelopeMeta | null;
  payload: Buffer;
}

/** Lambda's eventID is `<shardId>:<sequenceNumber>`; the shard id is what keys the lake objects. */
export function shardIdOf(record: KinesisStreamRecord): string {
  const colon = record.eventID.indexOf(':');
  return colon > 0 ? record.eventID.slice(0, colon) : 'shardId-unknown';
}

/** `now` stands in for a missing or broken arrival timestamp, so that partitioning never fails. */
export function kinesisMetaOf(record: KinesisStreamRecord, now: number): KinesisMeta {
  const arrivedAt = Math.round(record.kinesis.approximateArrivalTimestamp * 1000);
  return {
    shard_id: shardIdOf(record),
    sequence_number: record.kinesis.sequenceNumber,
    partition_key: record.kinesis.partitionKey,
    arrived_at: Number.isFinite(arrivedAt) ? arrivedAt : now,
  };
}

export function unwrapRecord(record: KinesisStreamRecord, now: number): UnwrappedRecord {
  const data = Buffer.from(record.kinesis.data, 'base64');
  const kinesis = kinesisMetaOf(record, now);
  const envelope = parseEnvelope(data);
  if (envelope === undefined) return { kinesis, envelope: null, payload: data };
  const { payload, ...meta } = envelope;
  return { kinesis, envelope: meta, payload: Buffer.from(payload, 'base64') };
}

/** The rule's envelope is a JSON object with a string payload and thing_name; anything else is a bare payload. */
function parseEnvelope(data: Buffer): (EnvelopeMeta & Pick<VitalsEnvelope, 'payload'>) | undefined {
  // Cheap pre-check: a bare vitals payload has no "thing_name" key, so most bare records skip JSON.parse.
  if (data.byteLength === 0 || data[0] !== 0x7b || !data.includes('"thing_name"')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.payload !== 'string' || typeof candidate.thing_name !== 'string') return undefined;
  return {
    payload: candidate.payload,
    thing_name: candidate.thing_name,
    client_id: typeof candidate.client_id === 'string' ? candidate.client_id : '',
    received_at: typeof candidate.received_at === 'number' && Number.isFinite(candidate.received_at) ? candidate.received_at : null,
  };
}
