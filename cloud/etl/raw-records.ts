/**
 * A batch's records as they arrived, for the raw layer (DESIGN §5) and the transform: every payload's
 * bytes in one arena, the envelope's fields in columns, the Kinesis metadata read back from the records
 * themselves (the event holds them for the whole invocation).
 *
 * Why not an object per record: ten thousand records kept alive through the batch, each as five objects
 * and a Buffer, were copied by every young-generation garbage collection until the write, which cost as
 * much as validating them.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { isUtf8 } from 'node:buffer';
import { arrivedAtOf, shardIdOf, unwrapInto, type EnvelopeMeta, type KinesisMeta, type PayloadSink } from './kinesis-record.ts';

/** One line of the raw layer. */
export interface RawEntry {
  kinesis: KinesisMeta;
  envelope: EnvelopeMeta | null;
  /** The MQTT payload exactly as published: its text when UTF-8, else base64. */
  payload: string;
  payload_encoding: 'utf8' | 'base64';
}

/** A payload is a few hundred bytes; the arena starts with room for that and doubles when it must. */
const BYTES_PER_RECORD = 384;

export class RawRecords implements PayloadSink {
  /** Records unwrapped so far: record i of the batch is entry i. */
  length = 0;
  private arena: Buffer;
  private used = 0;
  private readonly payloadEnd: Int32Array;
  /** Null where the record came bare (no rule envelope). */
  private readonly thingNames: (string | null)[];
  private readonly clientIds: string[];
  /** NaN where the envelope had no usable received_at. */
  private readonly receivedAt: Float64Array;
  /** Read while the record is being unwrapped: later, each record's strings are cache misses again. */
  private readonly shardIds: string[];
  private readonly sequenceNumbers: string[];

  constructor(private readonly records: readonly KinesisStreamRecord[], private readonly now: number) {
    const capacity = records.length;
    this.arena = Buffer.allocUnsafe(Math.max(1024, capacity * BYTES_PER_RECORD));
    this.payloadEnd = new Int32Array(capacity);
    this.thingNames = new Array<string | null>(capacity);
    this.clientIds = new Array<string>(capacity);
    this.receivedAt = new Float64Array(capacity);
    this.shardIds = new Array<string>(capacity);
    this.sequenceNumbers = new Array<string>(capacity);
  }

  /** Unwraps the next record of the batch; returns its position. */
  unwrapNext(): number {
    const at = this.length;
    const record = this.records[at]!;
    const envelope = unwrapInto(record, this);
    this.shardIds[at] = shardIdOf(record);
    this.sequenceNumbers[at] = record.kinesis.sequenceNumber;
    this.payloadEnd[at] = this.used;
    this.thingNames[at] = envelope?.thing_name ?? null;
    this.clientIds[at] = envelope?.client_id ?? '';
    this.receivedAt[at] = envelope?.received_at ?? Number.NaN;
    this.length = at + 1;
    return at;
  }

  /** The payload bytes of record `at` (a view into the arena). */
  payload(at: number): Buffer {
    return this.arena.subarray(this.payloadStart(at), this.payloadEnd[at]!);
  }

  /** The arena holding every payload; record `at`'s is `[payloadStart(at), payloadEnd(at))`. */
  get payloads(): Buffer {
    return this.arena;
  }

  payloadStart(at: number): number {
    return at === 0 ? 0 : this.payloadEnd[at - 1]!;
  }

  payloadEndOf(at: number): number {
    return this.payloadEnd[at]!;
  }

  /** The thing name the rule saw, or null for a bare record. */
  thingName(at: number): string | null {
    return this.thingNames[at]!;
  }

  /**
   * Shares `name` (equal to record `at`'s thing name) as that name: the scanned name is a slice of the
   * record's envelope text and would keep the whole text alive for the batch.
   */
  shareThingName(at: number, name: string): void {
    if (this.clientIds[at] === this.thingNames[at]) this.clientIds[at] = name;
    this.thingNames[at] = name;
  }

  receivedAtOf(at: number): number | null {
    const value = this.receivedAt[at]!;
    return Number.isNaN(value) ? null : value;
  }

  shardId(at: number): string {
    return this.shardIds[at]!;
  }

  sequenceNumber(at: number): string {
    return this.sequenceNumbers[at]!;
  }

  arrivedAt(at: number): number {
    return arrivedAtOf(this.records[at]!, this.now);
  }

  kinesis(at: number): KinesisMeta {
    return { shard_id: this.shardIds[at]!, sequence_number: this.sequenceNumbers[at]!, partition_key: this.records[at]!.kinesis.partitionKey, arrived_at: this.arrivedAt(at) };
  }

  envelope(at: number): EnvelopeMeta | null {
    const thingName = this.thingNames[at]!;
    return thingName === null ? null : { thing_name: thingName, client_id: this.clientIds[at]!, received_at: this.receivedAtOf(at) };
  }

  entry(at: number): RawEntry {
    const payload = this.payload(at);
    const utf8 = isUtf8(payload);
    return {
      kinesis: this.kinesis(at), envelope: this.envelope(at),
      payload: payload.toString(utf8 ? 'utf8' : 'base64'), payload_encoding: utf8 ? 'utf8' : 'base64',
    };
  }

  // PayloadSink: the arena.
  get size(): number {
    return this.used;
  }

  appendBase64(text: string): number {
    this.reserve(((text.length + 3) >>> 2) * 3);
    const written = this.arena.write(text, this.used, 'base64');
    this.used += written;
    return written;
  }

  appendBytes(bytes: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    this.arena.set(bytes.subarray(start, end), this.used);
    this.used += end - start;
  }

  truncate(mark: number): void {
    this.used = mark;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.arena.byteLength) return;
    // Payload views handed out earlier keep the old arena; its bytes never change.
    const grown = Buffer.allocUnsafe(Math.max(this.arena.byteLength * 2, this.used + bytes));
    this.arena.copy(grown, 0, 0, this.used);
    this.arena = grown;
  }
}
