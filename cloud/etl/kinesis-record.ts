/**
 * Unwraps one Kinesis record: its metadata, and the MQTT payload bytes inside the IoT rule's envelope
 * (cloud/ingest/vitals-rule.ts). A record put on the stream directly (no envelope) is tolerated: its data
 * is then the payload itself, with no thing name to check it against.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { isUtf8 } from 'node:buffer';

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

/** One line of the raw layer. */
export interface RawEntry {
  kinesis: KinesisMeta;
  envelope: EnvelopeMeta | null;
  /** The MQTT payload exactly as published: its text when UTF-8, else base64. */
  payload: string;
  payload_encoding: 'utf8' | 'base64';
}

/** Lambda's eventID is `<shardId>:<sequenceNumber>`; the shard id is what keys the lake objects. */
export function shardIdOf(record: KinesisStreamRecord): string {
  const colon = record.eventID.indexOf(':');
  return colon <= 0 ? 'shardId-unknown' : record.eventID.slice(0, colon);
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
  // The rule's envelope is a JSON object with a string payload and thing_name; a bare vitals payload is not.
  const envelope = data[0] === 0x7b ? parseEnvelope(data) : undefined;
  if (envelope === undefined) return { kinesis, envelope: null, payload: data };
  const { payload, thing_name, client_id, received_at } = envelope;
  return {
    kinesis,
    envelope: {
      thing_name,
      client_id: typeof client_id === 'string' ? client_id : '',
      received_at: typeof received_at === 'number' && Number.isFinite(received_at) ? received_at : null,
    },
    payload: Buffer.from(payload, 'base64'),
  };
}

export function rawEntry({ kinesis, envelope, payload }: UnwrappedRecord): RawEntry {
  const utf8 = isUtf8(payload);
  return { kinesis, envelope, payload: payload.toString(utf8 ? 'utf8' : 'base64'), payload_encoding: utf8 ? 'utf8' : 'base64' };
}

function parseEnvelope(data: Buffer): { payload: string; thing_name: string; client_id: unknown; received_at: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { payload, thing_name, client_id, received_at } = value as Record<string, unknown>;
  if (typeof payload !== 'string' || typeof thing_name !== 'string') return undefined;
  return { payload, thing_name, client_id, received_at };
}
