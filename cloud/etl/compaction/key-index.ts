/**
 * Which compacted hour holds each (device_id, seq) (pure; the compactor loads and saves it through the
 * store as one gzip JSON object). The `vitals` view removes copies within an hour partition only (so that
 * dt/hour filters prune); copies of one reading always share their hour, but a seq reused with another
 * measurement time can land in another hour. When the compactor compacts an hour it asks this index which
 * of the hour's keys another compacted hour already holds, settles each such conflict (the first ingested
 * copy stays), and records the hour's keys.
 *
 * Per device, the keys are held as runs of consecutive seqs, each run in one partition: a monitor's seqs
 * rise by one per reading, so an hour of a device is one run (plus one per gap). Size: about one run per
 * device and compacted hour (see the compaction README's Limits).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { COMPACTION_INDEX_PREFIX } from '../../lake/curated-schema.ts';
import { CompactionError } from './errors.ts';

/** Where the index lives in the lake (next to the layers, not inside one: no table reads it). */
export const KEY_INDEX_KEY = `${COMPACTION_INDEX_PREFIX}compacted-keys.json.gz`;

/** A partition as `YYYY-MM-DD/HH`. */
export type PartitionId = string;

/** A run of consecutive seqs [lo, hi] of one device, all in one partition. */
interface Run { lo: number; hi: number; partition: PartitionId }

export interface Key { device_id: string; seq: number }

export interface ClaimedKey extends Key { partition: PartitionId }

interface Encoded { version: 1; devices: Record<string, [lo: number, hi: number, partition: PartitionId][]> }

/** Runs of consecutive values of an ascending list of distinct seqs. */
function runsOf(seqs: readonly number[], partition: PartitionId): Run[] {
  const runs: Run[] = [];
  for (const seq of seqs) {
    const last = runs[runs.length - 1];
    if (last !== undefined && seq === last.hi + 1) last.hi = seq;
    else runs.push({ lo: seq, hi: seq, partition });
  }
  return runs;
}

/** The keys grouped by device, seqs ascending and distinct. */
function byDevice(keys: Iterable<Key>): Map<string, number[]> {
  const devices = new Map<string, number[]>();
  for (const { device_id, seq } of keys) {
    const seqs = devices.get(device_id);
    if (seqs === undefined) devices.set(device_id, [seq]);
    else seqs.push(seq);
  }
  for (const [device, seqs] of devices) devices.set(device, [...new Set(seqs)].sort((x, y) => x - y));
  return devices;
}

export class KeyIndex {
  /** Per device, runs sorted by lo, never overlapping. */
  private readonly devices = new Map<string, Run[]>();

  static decode(bytes: Uint8Array | undefined): KeyIndex {
    const index = new KeyIndex();
    if (bytes === undefined) return index;
    let encoded: Encoded;
    try {
      encoded = JSON.parse(gunzipSync(bytes).toString('utf8')) as Encoded;
    } catch (error) {
      throw new CompactionError(`cannot read the key index "${KEY_INDEX_KEY}": remove it and the next pass rebuilds it from the compacted hours`, { cause: error });
    }
    if (encoded.version !== 1) throw new CompactionError(`the key index "${KEY_INDEX_KEY}" has version ${String(encoded.version)}; this code reads 1`);
    for (const [device, runs] of Object.entries(encoded.devices)) {
      index.devices.set(device, runs.map(([lo, hi, partition]) => ({ lo, hi, partition })));
    }
    return index;
  }

  encode(): Uint8Array {
    const devices: Encoded['devices'] = {};
    for (const device of [...this.devices.keys()].sort()) {
      const runs = this.devices.get(device)!;
      if (runs.length > 0) devices[device] = runs.map((run) => [run.lo, run.hi, run.partition]);
    }
    return gzipSync(JSON.stringify({ version: 1, devices } satisfies Encoded));
  }

  /** Forgets every key of `partition` held for these devices (the partition is about to be recorded anew). */
  removePartition(partition: PartitionId, devices: Iterable<string>): void {
    for (const device of devices) {
      const runs = this.devices.get(device);
      if (runs !== undefined) this.devices.set(device, runs.filter((run) => run.partition !== partition));
    }
  }

  /** Of `keys`, those that a partition other than `partition` holds, with that partition. */
  claimedElsewhere(partition: PartitionId, keys: Iterable<Key>): ClaimedKey[] {
    const claimed: ClaimedKey[] = [];
    for (const [device, seqs] of byDevice(keys)) {
      const runs = this.devices.get(device);
      if (runs === undefined || runs.length === 0) continue;
      // Both lists ascending: one walk.
      let r = 0;
      for (const seq of seqs) {
        while (r < runs.length && runs[r]!.hi < seq) r += 1;
        if (r === runs.length) break;
        const run = runs[r]!;
        if (seq >= run.lo && run.partition !== partition) claimed.push({ device_id: device, seq, partition: run.partition });
      }
    }
    return claimed;
  }

  /** Records that `partition` holds `keys` (none of them held elsewhere: claimedElsewhere was settled). */
  add(partition: PartitionId, keys: Iterable<Key>): void {
    for (const [device, seqs] of byDevice(keys)) {
      const merged = [...(this.devices.get(device) ?? []), ...runsOf(seqs, partition)].sort((x, y) => x.lo - y.lo);
      const runs: Run[] = [];
      for (const run of merged) {
        const last = runs[runs.length - 1];
        if (last !== undefined && last.partition === run.partition && run.lo <= last.hi + 1) last.hi = Math.max(last.hi, run.hi);
        else runs.push({ ...run });
      }
      this.devices.set(device, runs);
    }
  }

  /** Forgets single keys of `partition` (a copy moved to quarantine, or an entry found stale). */
  remove(partition: PartitionId, keys: Iterable<Key>): void {
    for (const { device_id, seq } of keys) {
      const runs = this.devices.get(device_id);
      if (runs === undefined) continue;
      const at = runs.findIndex((run) => run.partition === partition && run.lo <= seq && seq <= run.hi);
      if (at < 0) continue;
      const run = runs[at]!;
      const pieces: Run[] = [];
      if (run.lo < seq) pieces.push({ lo: run.lo, hi: seq - 1, partition });
      if (seq < run.hi) pieces.push({ lo: seq + 1, hi: run.hi, partition });
      runs.splice(at, 1, ...pieces);
    }
  }

  /** Runs held, all devices (for tests and the README's sizing). */
  get size(): number {
    let size = 0;
    for (const runs of this.devices.values()) size += runs.length;
    return size;
  }
}

export function partitionId({ dt, hour }: { dt: string; hour: string }): PartitionId {
  return `${dt}/${hour}`;
}

export function partitionOf(id: PartitionId): { dt: string; hour: string } {
  const [dt, hour] = id.split('/');
  return { dt: dt!, hour: hour! };
}
