/**
 * One compaction pass over the lake, through the object-store port (S3 or a directory): list the curated
 * layer, plan (plan.ts), then per partition read every source, merge, write `compacted.parquet` with the
 * ETL's own Parquet writer, and only then delete the small files.
 *
 * Safe under crashes and concurrent readers: between the write and the deletes a reading exists twice,
 * which the `vitals` view removes by (device_id, seq); a crash there leaves both, and the next run rewrites
 * the same rows and finishes the deletes. A source is deleted only if it still holds the bytes that were
 * merged (an ETL retry may rewrite a small file under the same key), and only if the compacted file still
 * holds the bytes this run wrote (another run may have overwritten it): otherwise it stays for the next
 * run. Files that arrive after the listing are not touched. Runs must not overlap (the Lambda has a
 * reserved concurrency of 1; the local runner never starts a pass before the previous one ends).
 *
 * Conflicts (one (device_id, seq) stored with different content, DESIGN §5) are settled here: within the
 * hour and against every hour compacted before (key-index.ts), the first ingested copy stays and the other
 * moves to quarantine as conflicting_duplicate, with its raw bytes and both copies named. The quarantine
 * object is written before any curated row is removed, so a crash in between leaves both, never neither.
 */
import type { ObjectStore } from '../../lake/object-store.ts';
import { encodeCuratedParquet, PARQUET_CONTENT_TYPE } from '../writers/parquet.ts';
import type { HourPartition } from '../writers/lake-keys.ts';
import { COMPACTED_PARQUET_OPTIONS } from './layout.ts';
import { ConflictSettler } from './conflicts.ts';
import { KEY_INDEX_KEY, KeyIndex, partitionId } from './key-index.ts';
import { compactedKey, COMPACTION_PREFIXES, mergeCuratedRows, planCompaction, type CompactionTask } from './plan.ts';
import { readCuratedParquet } from './read-curated.ts';
import { RawLookup } from './raw-lookup.ts';
import { decodeRollup, encodeRollup, replaceHour, rollupHour, rollupKey } from './rollup.ts';
import type { CuratedRow } from '../curated-row.ts';

export interface CompactOptions {
  store: ObjectStore;
  nowMs: number;
  graceMs: number;
  log?: (line: string) => void;
}

export interface PartitionResult {
  target: string;
  filesRead: number;
  filesDeleted: number;
  /** Sources kept because they changed after being read (or the target did): the next run folds them in. */
  filesKept: number;
  rowsIn: number;
  rowsOut: number;
  duplicates: number;
  /** Copies moved to quarantine as conflicting_duplicate (this hour's and other hours'). */
  conflicts: number;
  bytesIn: number;
  bytesOut: number;
}

export interface CompactionSummary {
  partitions: PartitionResult[];
  /** Partitions whose pass failed (unreadable file, store error): left as they were, retried next pass. */
  failed: { target: string; error: string }[];
  filesRead: number;
  filesDeleted: number;
  rowsOut: number;
  conflicts: number;
}

const sameBytes = (x: Uint8Array | undefined, y: Uint8Array): boolean => x !== undefined && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(y);

interface PassState {
  index: KeyIndex;
  raw: RawLookup;
  nowMs: number;
}

async function compactPartition(store: ObjectStore, task: CompactionTask, pass: PassState): Promise<PartitionResult> {
  const read = new Map<string, Uint8Array>();
  const rows: CuratedRow[] = [];
  let bytesIn = 0;
  for (const key of task.sources) {
    const bytes = await store.get(key);
    if (bytes === undefined) continue; // deleted since the listing (an earlier, interrupted pass)
    read.set(key, bytes);
    bytesIn += bytes.byteLength;
    for (const row of await readCuratedParquet(key, bytes)) rows.push(row);
  }
  const merged = mergeCuratedRows(rows);
  // Conflicts within the hour, then against the hours compacted before: quarantine first, then the rows.
  const settler = new ConflictSettler(store, task.partition, pass);
  settler.withinHour(merged.rows, merged.conflicts);
  const hourRows = await settler.acrossHours(merged.rows, new Set(rows.map((row) => row.device_id)));
  await settler.writeQuarantine();
  for (const rewrite of settler.rewrites()) {
    await putCompacted(store, rewrite.partition, rewrite.rows);
    await writeRollup(store, rewrite.partition, rewrite.rows);
  }
  // The index before the hour's file: if the pass stops in between, the hour keeps its small files and is
  // compacted (and indexed) again next pass; an entry whose row is missing is dropped as stale.
  pass.index.add(partitionId(task.partition), hourRows);
  await store.put(KEY_INDEX_KEY, pass.index.encode(), 'application/gzip');
  const body = await putCompacted(store, task.partition, hourRows);
  // The rollup before the deletes: if this put fails, the sources stay and the next pass redoes both.
  await writeRollup(store, task.partition, hourRows);
  let filesDeleted = 0;
  let filesKept = 0;
  // Write first, delete after; and only what this pass merged, unchanged.
  const targetIntact = body === undefined ? (await store.get(task.target)) === undefined : sameBytes(await store.get(task.target), body);
  for (const [key, bytes] of read) {
    if (key === task.target) continue;
    if (targetIntact && sameBytes(await store.get(key), bytes)) {
      await store.delete(key);
      filesDeleted += 1;
    } else {
      filesKept += 1;
    }
  }
  return {
    target: task.target, filesRead: read.size, filesDeleted, filesKept,
    rowsIn: rows.length, rowsOut: hourRows.length, duplicates: merged.duplicates, conflicts: settler.quarantined, bytesIn,
    bytesOut: body?.byteLength ?? 0,
  };
}

/** Writes an hour's compacted file; an hour left without rows (each one lost a conflict) has none. */
async function putCompacted(store: ObjectStore, partition: HourPartition, rows: readonly CuratedRow[]): Promise<Uint8Array | undefined> {
  const key = compactedKey(partition);
  if (rows.length === 0) {
    await store.delete(key);
    return undefined;
  }
  const body = encodeCuratedParquet(rows, COMPACTED_PARQUET_OPTIONS);
  await store.put(key, body, PARQUET_CONTENT_TYPE);
  return body;
}

/** Replaces the hour's rows in its day's rollup file (passes never overlap, so read-modify-write is safe). */
async function writeRollup(store: ObjectStore, partition: HourPartition, rows: readonly CuratedRow[]): Promise<void> {
  const key = rollupKey(partition.dt);
  const existing = await store.get(key);
  const day = existing === undefined ? [] : await decodeRollup(key, existing);
  await store.put(key, encodeRollup(replaceHour(day, partition.hour, rollupHour(partition.hour, rows))), PARQUET_CONTENT_TYPE);
}

/**
 * Compacts every closed partition not yet in its final shape (plan.ts), one after another, and keeps the
 * hourly rollup in step. A partition that
 * fails is logged and skipped (nothing of it is deleted before its compacted file is written), so one
 * unreadable file does not hold back the rest of the lake.
 */
export async function compactCuratedLake({ store, nowMs, graceMs, log = () => {} }: CompactOptions): Promise<CompactionSummary> {
  const keys: string[] = [];
  for (const prefix of COMPACTION_PREFIXES) keys.push(...(await store.list(prefix)));
  const tasks = planCompaction(keys, { nowMs, graceMs });
  const partitions: PartitionResult[] = [];
  const failed: CompactionSummary['failed'] = [];
  if (tasks.length === 0) return { partitions, failed, filesRead: 0, filesDeleted: 0, rowsOut: 0, conflicts: 0 };
  const pass: PassState = { index: await loadKeyIndex(store, keys), raw: new RawLookup(store), nowMs };
  for (const task of tasks) {
    try {
      const result = await compactPartition(store, task, pass);
      partitions.push(result);
      log(JSON.stringify({ message: 'compacted curated partition', ...result }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failed.push({ target: task.target, error: message });
      log(JSON.stringify({ message: 'curated partition not compacted; retried next pass', target: task.target, error: message }));
      // The failed partition may have changed the index in memory only: back to what the store holds (the
      // last partition that finished), so that no later save records a half-settled conflict.
      pass.index = await loadKeyIndex(store, keys);
    }
  }
  return {
    partitions,
    failed,
    filesRead: partitions.reduce((sum, p) => sum + p.filesRead, 0),
    filesDeleted: partitions.reduce((sum, p) => sum + p.filesDeleted, 0),
    rowsOut: partitions.reduce((sum, p) => sum + p.rowsOut, 0),
    conflicts: partitions.reduce((sum, p) => sum + p.conflicts, 0),
  };
}

/**
 * The key index of the compacted hours; when there is none yet (a lake compacted before it existed, or the
 * index removed to be rebuilt), built from every compacted file listed.
 */
async function loadKeyIndex(store: ObjectStore, keys: readonly string[]): Promise<KeyIndex> {
  const bytes = await store.get(KEY_INDEX_KEY);
  if (bytes !== undefined) return KeyIndex.decode(bytes);
  const index = new KeyIndex();
  for (const key of keys) {
    const match = /^curated\/vitals\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/compacted\.parquet$/.exec(key);
    if (match === null) continue;
    const compacted = await store.get(key);
    if (compacted === undefined) continue;
    const partition = partitionId({ dt: match[1]!, hour: match[2]! });
    const rows = await readCuratedParquet(key, compacted);
    // A key two compacted hours already hold stays with the first listed; the other hour settles it when
    // it is compacted again (the index never holds a key twice).
    const taken = new Set(index.claimedElsewhere(partition, rows).map((claimed) => `${claimed.device_id}\u0000${claimed.seq}`));
    index.add(partition, taken.size === 0 ? rows : rows.filter((row) => !taken.has(`${row.device_id}\u0000${row.seq}`)));
  }
  return index;
}
