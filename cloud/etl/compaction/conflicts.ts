/**
 * Settling conflicts while an hour is compacted (DESIGN §5): one (device_id, seq) stored twice with
 * different content. Within the hour, mergeCuratedRows already kept the first ingested copy; across hours,
 * the key index names the compacted hour that holds a key of this hour, whose file is read and, when its
 * copy loses, rewritten without it. Every losing copy goes to quarantine as conflicting_duplicate, with its
 * original bytes from the raw layer and a message naming both copies.
 */
import type { ObjectStore } from '../../lake/object-store.ts';
import type { CuratedRow } from '../curated-row.ts';
import type { QuarantineEntry } from '../transform.ts';
import { encodeJsonLinesGzip, JSONL_GZIP_CONTENT_TYPE } from '../writers/jsonl-gzip.ts';
import type { HourPartition } from '../writers/lake-keys.ts';
import { LAKE_PREFIXES } from '../../lake/curated-schema.ts';
import { partitionId, partitionOf, type KeyIndex } from './key-index.ts';
import { compactedKey, firstArrival } from './plan.ts';
import { readCuratedParquet } from './read-curated.ts';
import { payloadBase64, type RawLookup } from './raw-lookup.ts';

interface Loser {
  dropped: CuratedRow;
  kept: CuratedRow;
  droppedIn: HourPartition;
  keptIn: HourPartition;
}

const keyOf = (row: { device_id: string; seq: number }): string => `${row.device_id}\u0000${row.seq}`;
const iso = (ms: number): string => new Date(ms).toISOString();

function describe(row: CuratedRow, partition: HourPartition): string {
  return `measured_at ${iso(row.measured_at)}, ingested_at ${iso(row.ingested_at)}, Kinesis ${row.kinesis_shard} ${row.kinesis_sequence}, `
    + `stored in dt=${partition.dt}/hour=${partition.hour}`;
}

export class ConflictSettler {
  private readonly losers: Loser[] = [];
  private readonly rewritten = new Map<string, { partition: HourPartition; rows: CuratedRow[] }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly partition: HourPartition,
    private readonly pass: { index: KeyIndex; raw: RawLookup; nowMs: number },
  ) {}

  /** Copies moved to quarantine so far. */
  get quarantined(): number {
    return this.losers.length;
  }

  /** The hour's own conflicts: `dropped` rows lost to the kept row of their key in `rows`. */
  withinHour(rows: readonly CuratedRow[], dropped: readonly CuratedRow[]): void {
    if (dropped.length === 0) return;
    const kept = new Map(rows.map((row) => [keyOf(row), row]));
    for (const row of dropped) this.losers.push({ dropped: row, kept: kept.get(keyOf(row))!, droppedIn: this.partition, keptIn: this.partition });
  }

  /**
   * The hour's rows without the copies that lose to another compacted hour's; that hour's losing copies are
   * taken out of its rows (rewrites()). `devices`: every device of the rows read (the index forgets the
   * hour's previous keys for them before it is asked).
   */
  async acrossHours(rows: readonly CuratedRow[], devices: ReadonlySet<string>): Promise<CuratedRow[]> {
    const { index } = this.pass;
    const here = partitionId(this.partition);
    index.removePartition(here, devices);
    const claimed = index.claimedElsewhere(here, rows);
    if (claimed.length === 0) return [...rows];
    const byPartition = new Map<string, typeof claimed>();
    for (const key of claimed) {
      const keys = byPartition.get(key.partition);
      if (keys === undefined) byPartition.set(key.partition, [key]);
      else keys.push(key);
    }
    const mine = new Map(rows.map((row) => [keyOf(row), row]));
    const lostHere = new Set<string>();
    for (const [other, keys] of byPartition) {
      const otherPartition = partitionOf(other);
      const theirs = await this.rowsOf(otherPartition);
      const byKey = new Map(theirs.rows.map((row) => [keyOf(row), row]));
      const lostThere = new Set<string>();
      const stale = [];
      for (const key of keys) {
        const their = byKey.get(keyOf(key));
        if (their === undefined) {
          stale.push(key); // the index outran the file (a pass stopped between the two): nothing to settle
          continue;
        }
        const my = mine.get(keyOf(key))!;
        if (firstArrival(my, their) === my) {
          this.losers.push({ dropped: their, kept: my, droppedIn: otherPartition, keptIn: this.partition });
          lostThere.add(keyOf(key));
        } else {
          this.losers.push({ dropped: my, kept: their, droppedIn: this.partition, keptIn: otherPartition });
          lostHere.add(keyOf(key));
        }
      }
      index.remove(other, stale);
      if (lostThere.size > 0) {
        theirs.rows = theirs.rows.filter((row) => !lostThere.has(keyOf(row)));
        index.remove(other, keys.filter((key) => lostThere.has(keyOf(key))));
        this.rewritten.set(other, theirs);
      }
    }
    return rows.filter((row) => !lostHere.has(keyOf(row)));
  }

  /** Other hours whose compacted file must be written again without their losing copies. */
  rewrites(): Iterable<{ partition: HourPartition; rows: CuratedRow[] }> {
    return this.rewritten.values();
  }

  /**
   * One quarantine object with every losing copy, keyed by this hour and the first loser's Kinesis sequence
   * number (a pass repeated after a crash overwrites it). Written before any row is removed.
   */
  async writeQuarantine(): Promise<void> {
    if (this.losers.length === 0) return;
    const quarantinedAt = iso(this.pass.nowMs);
    const entries: QuarantineEntry[] = [];
    for (const { dropped, kept, droppedIn, keptIn } of this.losers) {
      const raw = await this.pass.raw.find(dropped);
      const message = `device_id "${dropped.device_id}" seq ${dropped.seq} is stored twice with different content: this copy `
        + `(${describe(dropped, droppedIn)}) was ingested after the copy the vitals view keeps (${describe(kept, keptIn)})`
        + (raw === undefined ? '; its raw record was not found, so payload_base64 is empty' : '');
      entries.push({
        reasons: [{ code: 'conflicting_duplicate', field: 'seq', message }],
        payload_base64: raw === undefined ? '' : payloadBase64(raw),
        kinesis: raw?.kinesis ?? { shard_id: dropped.kinesis_shard, sequence_number: dropped.kinesis_sequence, partition_key: '', arrived_at: dropped.ingested_at },
        envelope: raw?.envelope ?? null,
        quarantined_at: quarantinedAt,
      });
    }
    const first = this.losers.map((loser) => loser.dropped.kinesis_sequence).sort((x, y) => x.length - y.length || (x < y ? -1 : 1))[0]!;
    const key = `${LAKE_PREFIXES.quarantine}dt=${this.partition.dt}/conflicts-hour=${this.partition.hour}-${first}.jsonl.gz`;
    await this.store.put(key, encodeJsonLinesGzip(entries), JSONL_GZIP_CONTENT_TYPE);
  }

  /** Another hour's compacted rows (already being rewritten in this pass, or read from its file). */
  private async rowsOf(partition: HourPartition): Promise<{ partition: HourPartition; rows: CuratedRow[] }> {
    const pending = this.rewritten.get(partitionId(partition));
    if (pending !== undefined) return pending;
    const key = compactedKey(partition);
    const bytes = await this.store.get(key);
    return { partition, rows: bytes === undefined ? [] : await readCuratedParquet(key, bytes) };
  }
}
