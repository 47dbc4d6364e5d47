/**
 * Unwraps one Kinesis record: its metadata, and the MQTT payload bytes inside the IoT rule's envelope
 * (cloud/ingest/vitals-rule.ts). A record put on the stream directly (no envelope) is tolerated: its data
 * is then the payload itself, with no thing name to check it against.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { scanEnvelope, type ScannedEnvelope } from './envelope-scan.ts';

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
  const { eventID } = record;
  const colon = eventID.indexOf(':');
  if (colon <= 0) return 'shardId-unknown';
  // A batch comes from one shard: reusing the previous string keeps one slice per record out of the heap
  // the batch holds (fewer live objects = cheaper scavenges).
  if (colon === lastShardId.length && eventID.startsWith(lastShardId)) return lastShardId;
  lastShardId = eventID.slice(0, colon);
  return lastShardId;
}
let lastShardId = '';

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

/**
 * The envelope bytes are parsed and dropped, so they are decoded into one reused scratch buffer: a fresh
 * Buffer per record only fed the garbage collector. Records larger than the scratch buffer (never the
 * rule's, whose payloads stay under 4 KB) get their own buffer.
 */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

export function unwrapRecord(record: KinesisStreamRecord, now: number): UnwrappedRecord {
  const kinesis = kinesisMetaOf(record, now);
  const base64 = record.kinesis.data;
  if (((base64.length + 3) >>> 2) * 3 > SCRATCH_BYTES) {
    const data = Buffer.from(base64, 'base64');
    return unwrapBytes(kinesis, data, data.byteLength, true);
  }
  return unwrapBytes(kinesis, scratch, scratch.write(base64, 'base64'), false);
}

/** `bytes[0, length)` is the record's data; `owned` says whether it may be kept as the payload itself. */
function unwrapBytes(kinesis: KinesisMeta, bytes: Buffer, length: number, owned: boolean): UnwrappedRecord {
  const envelope = parseEnvelope(bytes, length);
  if (envelope === undefined) {
    return { kinesis, envelope: null, payload: owned ? bytes : Buffer.from(bytes.subarray(0, length)) };
  }
  const meta: EnvelopeMeta = {
    thing_name: envelope.thing_name,
    client_id: envelope.client_id ?? '',
    received_at: envelope.received_at !== undefined && Number.isFinite(envelope.received_at) ? envelope.received_at : null,
  };
  return { kinesis, envelope: meta, payload: envelope.payload };
}

/**
 * The rule's envelope (a JSON object with a string payload and thing_name), or undefined for a bare
 * payload. The scanner answers for the envelope as the rules engine writes it; JSON.parse for the rest.
 */
function parseEnvelope(bytes: Buffer, length: number): ScannedEnvelope | undefined {
  // Cheap pre-check: a bare vitals payload has no "thing_name" key, so most bare records skip JSON.parse.
  // (Searching the decoded text costs a tenth of searching the bytes for a string needle.)
  if (length === 0 || bytes[0] !== 0x7b) return undefined;
  const text = bytes.toString('utf8', 0, length);
  if (!text.includes('"thing_name"')) return undefined;
  return scanEnvelope(text) ?? parseEnvelopeJson(text);
}

function parseEnvelopeJson(text: string): ScannedEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { payload, thing_name, client_id, received_at } = value as Record<string, unknown>;
  if (typeof payload !== 'string' || typeof thing_name !== 'string') return undefined;
  return {
    payload: Buffer.from(payload, 'base64'),
    thing_name,
    client_id: typeof client_id === 'string' ? client_id : undefined,
    received_at: typeof received_at === 'number' ? received_at : undefined,
  };
}
