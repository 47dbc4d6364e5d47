/**
 * Unwraps one Kinesis record: its metadata, and the MQTT payload bytes inside the IoT rule's envelope
 * (cloud/ingest/vitals-rule.ts). A record put on the stream directly (no envelope) is tolerated: its data
 * is then the payload itself, with no thing name to check it against.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { AsciiReader, literalOf } from '../../device/contract/ascii-bytes.ts';
import { base64Bytes, scanEnvelope } from './envelope-scan.ts';

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

/** Where an unwrapped payload's bytes go (a Buffer of its own, or the batch's arena). */
export interface PayloadSink {
  /** Bytes appended so far. */
  readonly size: number;
  /** Appends the bytes of base64 text; returns how many. */
  appendBase64(text: string): number;
  appendBytes(bytes: Uint8Array, start: number, end: number): void;
  /** Drops what was appended after `size` was `mark`. */
  truncate(mark: number): void;
}

/** Lambda's eventID is `<shardId>:<sequenceNumber>`; the shard id is what keys the lake objects. */
export function shardIdOf(record: KinesisStreamRecord): string {
  const { eventID } = record;
  // A batch comes from one shard: the previous record's shard is checked first, and reusing its string
  // keeps one slice per record out of the heap the batch holds (fewer live objects = cheaper scavenges).
  if (lastShardId.length > 0 && eventID.charCodeAt(lastShardId.length) === 0x3a && eventID.startsWith(lastShardId)) return lastShardId;
  const colon = eventID.indexOf(':');
  if (colon <= 0) return 'shardId-unknown';
  lastShardId = eventID.slice(0, colon);
  return lastShardId;
}
let lastShardId = '';

/** `now` stands in for a missing or broken arrival timestamp, so that partitioning never fails. */
export function arrivedAtOf(record: KinesisStreamRecord, now: number): number {
  const arrivedAt = Math.round(record.kinesis.approximateArrivalTimestamp * 1000);
  return Number.isFinite(arrivedAt) ? arrivedAt : now;
}

export function kinesisMetaOf(record: KinesisStreamRecord, now: number): KinesisMeta {
  return {
    shard_id: shardIdOf(record),
    sequence_number: record.kinesis.sequenceNumber,
    partition_key: record.kinesis.partitionKey,
    arrived_at: arrivedAtOf(record, now),
  };
}

/**
 * The envelope bytes are parsed and dropped, so they are decoded into one reused scratch buffer: a fresh
 * Buffer per record only fed the garbage collector. Records larger than the scratch buffer (never the
 * rule's, whose payloads stay under 4 KB) get their own buffer.
 */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/** Appends the record's payload to `sink` and returns its envelope, or null for a record put on the stream bare. */
export function unwrapInto(record: KinesisStreamRecord, sink: PayloadSink): EnvelopeMeta | null {
  const base64 = record.kinesis.data;
  if (((base64.length + 3) >>> 2) * 3 > SCRATCH_BYTES) {
    const data = Buffer.from(base64, 'base64');
    return unwrapBytes(data, data.byteLength, sink);
  }
  return unwrapBytes(scratch, scratch.write(base64, 'base64'), sink);
}

/** The record's metadata, envelope and payload bytes (a Buffer of their own): for tests and tools. */
export function unwrapRecord(record: KinesisStreamRecord, now: number): UnwrappedRecord {
  const sink = new BufferSink();
  const envelope = unwrapInto(record, sink);
  return { kinesis: kinesisMetaOf(record, now), envelope, payload: sink.bytes() };
}

/** `bytes[0, length)` is the record's data. */
function unwrapBytes(bytes: Buffer, length: number, sink: PayloadSink): EnvelopeMeta | null {
  // The rule's envelope is a JSON object whose keys include "thing_name"; a bare vitals payload is not.
  if (length > 0 && bytes[0] === 0x7b) {
    const envelope = readRuleEnvelope(bytes, length, sink);
    if (envelope !== undefined) return envelope;
    const text = bytes.toString('utf8', 0, length);
    const mark = sink.size;
    const scanned = scanEnvelope(text);
    if (scanned !== undefined) {
      // A decoded length short of what the base64's length promises: a character outside the alphabet,
      // which JSON.parse may have rejected (a raw control character); it decides.
      if (sink.appendBase64(scanned.payload) === scanned.payloadBytes) return envelopeMeta(scanned.thing_name, scanned.client_id, scanned.received_at);
      sink.truncate(mark);
    }
    // (Searching the decoded text costs a tenth of searching the bytes for a string needle.)
    if (text.includes('"thing_name"')) {
      const envelope = parseEnvelopeJson(text);
      if (envelope !== undefined) {
        sink.appendBase64(envelope.payload);
        return envelopeMeta(envelope.thing_name, envelope.client_id, envelope.received_at);
      }
    }
  }
  sink.appendBytes(bytes, 0, length);
  return null;
}

const ENVELOPE_HEAD = literalOf('{"payload":"');
const THING_NAME = literalOf('","thing_name":"');
const CLIENT_ID = literalOf('","client_id":"');
const RECEIVED_AT = literalOf('","received_at":');
const envelopeReader = new AsciiReader();

/**
 * The envelope exactly as the rule writes it (its keys in the SELECT's order, names of printable ASCII, an
 * integer received_at), read from the bytes: names interned (the thing name is then the very string of
 * the payload's device_id), no text of the whole envelope. Anything else: undefined, nothing appended.
 */
function readRuleEnvelope(bytes: Buffer, length: number, sink: PayloadSink): EnvelopeMeta | undefined {
  const r = envelopeReader;
  r.reset(bytes, 0, length);
  if (!r.literal(ENVELOPE_HEAD)) return undefined;
  const payloadStart = r.at;
  // Base64 has no quote: the payload ends at the next one (a native search over its ~400 bytes).
  const payloadEnd = bytes.indexOf(0x22, payloadStart);
  if (payloadEnd < 0 || payloadEnd >= length) return undefined;
  r.at = payloadEnd;
  if (!r.literal(THING_NAME)) return undefined;
  const thingEnd = r.stringEnd();
  if (thingEnd < 0) return undefined;
  const thingName = r.intern(thingEnd);
  if (!r.literal(CLIENT_ID)) return undefined;
  const clientEnd = r.stringEnd();
  if (clientEnd < 0) return undefined;
  const clientId = r.intern(clientEnd);
  if (!r.literal(RECEIVED_AT)) return undefined;
  const receivedAt = r.integer();
  if (Number.isNaN(receivedAt) || bytes[r.at] !== 0x7d || r.at + 1 !== length) return undefined;
  const base64 = bytes.toString('latin1', payloadStart, payloadEnd);
  const mark = sink.size;
  // Short of what the base64's length promises: a byte outside the alphabet (an escape, say); JSON.parse decides.
  if (sink.appendBase64(base64) !== base64Bytes(base64, 0, base64.length)) {
    sink.truncate(mark);
    return undefined;
  }
  return envelopeMeta(thingName, clientId, receivedAt);
}

function envelopeMeta(thingName: string, clientId: unknown, receivedAt: unknown): EnvelopeMeta {
  return {
    thing_name: thingName,
    client_id: typeof clientId === 'string' ? clientId : '',
    received_at: typeof receivedAt === 'number' && Number.isFinite(receivedAt) ? receivedAt : null,
  };
}

/** The rule's envelope (a JSON object with a string payload and thing_name) as parsed, or undefined. */
function parseEnvelopeJson(text: string): { payload: string; thing_name: string; client_id: unknown; received_at: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { payload, thing_name, client_id, received_at } = value as Record<string, unknown>;
  if (typeof payload !== 'string' || typeof thing_name !== 'string') return undefined;
  return { payload, thing_name, client_id, received_at };
}

/** A sink that gives the payload a Buffer of its own. */
class BufferSink implements PayloadSink {
  private chunks: Buffer[] = [];
  size = 0;

  appendBase64(text: string): number {
    return this.push(Buffer.from(text, 'base64'));
  }

  appendBytes(bytes: Uint8Array, start: number, end: number): void {
    this.push(Buffer.from(bytes.subarray(start, end)));
  }

  truncate(mark: number): void {
    if (mark !== 0) throw new RangeError('BufferSink holds one payload');
    this.chunks = [];
    this.size = 0;
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }

  private push(bytes: Buffer): number {
    this.chunks.push(bytes);
    this.size += bytes.byteLength;
    return bytes.byteLength;
  }
}
