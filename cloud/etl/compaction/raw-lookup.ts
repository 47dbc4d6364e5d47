/**
 * The raw record of a curated row, found through the store: the quarantine layer keeps a rejected record's
 * original bytes, and a copy the compactor moves there has only its curated row in hand. Raw objects are
 * keyed by arrival hour, shard and the Kinesis sequence numbers of their first and last records
 * (writers/lake-keys.ts); a record arrives between its broker receipt (received_at) and its ingest
 * (ingested_at), so the hours between the two are searched, one list per hour.
 */
import { gunzipSync } from 'node:zlib';
import type { ObjectStore } from '../../lake/object-store.ts';
import type { CuratedRow } from '../curated-row.ts';
import type { RawEntry } from '../kinesis-record.ts';
import { hourPartition } from '../writers/lake-keys.ts';
import { LAKE_PREFIXES } from '../../lake/curated-schema.ts';

const HOUR_MS = 3_600_000;
/** How far back from ingest to look when the row has no received_at (a bare record): Kinesis keeps a day by default. */
const NO_RECEIPT_LOOKBACK_MS = 24 * HOUR_MS;
const RAW_NAME = /\/([^/]+)-(\d+)-(\d+)\.jsonl\.gz$/;

/** Kinesis sequence numbers are decimal strings of up to 128 bits: compare by length, then digits. */
function compareSequence(x: string, y: string): number {
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

export class RawLookup {
  private readonly listed = new Map<string, Promise<string[]>>();
  private readonly objects = new Map<string, Promise<RawEntry[]>>();

  constructor(private readonly store: ObjectStore) {}

  /** The raw line of `row` (its shard and Kinesis sequence number), or undefined when no raw object holds it. */
  async find(row: CuratedRow): Promise<RawEntry | undefined> {
    const to = Math.floor(row.ingested_at / HOUR_MS) * HOUR_MS;
    const from = Math.floor((row.received_at ?? row.ingested_at - NO_RECEIPT_LOOKBACK_MS) / HOUR_MS) * HOUR_MS;
    // Newest hour first: a record nearly always arrives within seconds of its ingest.
    for (let hour = to; hour >= from; hour -= HOUR_MS) {
      const { dt, hour: hh } = hourPartition(hour);
      for (const key of await this.list(`${LAKE_PREFIXES.raw}dt=${dt}/hour=${hh}/`)) {
        const name = RAW_NAME.exec(key);
        if (name === null || name[1] !== row.kinesis_shard) continue;
        if (compareSequence(name[2]!, row.kinesis_sequence) > 0 || compareSequence(row.kinesis_sequence, name[3]!) > 0) continue;
        const entry = (await this.read(key)).find((line) => line.kinesis.sequence_number === row.kinesis_sequence);
        if (entry !== undefined) return entry;
      }
    }
    return undefined;
  }

  private list(prefix: string): Promise<string[]> {
    let keys = this.listed.get(prefix);
    if (keys === undefined) {
      keys = this.store.list(prefix);
      this.listed.set(prefix, keys);
    }
    return keys;
  }

  private read(key: string): Promise<RawEntry[]> {
    let entries = this.objects.get(key);
    if (entries === undefined) {
      entries = this.store.get(key).then((bytes) => bytes === undefined ? [] : gunzipSync(bytes).toString('utf8').split('\n')
        .filter((line) => line !== '').map((line) => JSON.parse(line) as RawEntry));
      this.objects.set(key, entries);
    }
    return entries;
  }
}

/** The payload bytes of a raw line, as base64 (the quarantine layer's field). */
export function payloadBase64(entry: RawEntry): string {
  return entry.payload_encoding === 'base64' ? entry.payload : Buffer.from(entry.payload, 'utf8').toString('base64');
}
