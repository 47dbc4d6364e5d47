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
 */
import type { ObjectStore } from '../../lake/object-store.ts';
import { encodeCuratedParquet, PARQUET_CONTENT_TYPE } from '../writers/parquet.ts';
import { COMPACTED_PARQUET_OPTIONS } from './layout.ts';
import { COMPACTION_PREFIXES, mergeCuratedRows, planCompaction, type CompactionTask } from './plan.ts';
import { readCuratedParquet } from './read-curated.ts';
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
}

const sameBytes = (x: Uint8Array | undefined, y: Uint8Array): boolean => x !== undefined && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(y);

async function compactPartition(store: ObjectStore, task: CompactionTask): Promise<PartitionResult> {
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
  const body = encodeCuratedParquet(merged.rows, COMPACTED_PARQUET_OPTIONS);
  await store.put(task.target, body, PARQUET_CONTENT_TYPE);
  // The rollup before the deletes: if this put fails, the sources stay and the next pass redoes both.
  await writeRollup(store, task, merged.rows);
  let filesDeleted = 0;
  let filesKept = 0;
  // Write first, delete after; and only what this pass merged, unchanged.
  const targetIntact = sameBytes(await store.get(task.target), body);
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
    rowsIn: rows.length, rowsOut: merged.rows.length, duplicates: merged.duplicates, bytesIn, bytesOut: body.byteLength,
  };
}

/** Replaces the hour's rows in its day's rollup file (passes never overlap, so read-modify-write is safe). */
async function writeRollup(store: ObjectStore, { partition }: CompactionTask, rows: readonly CuratedRow[]): Promise<void> {
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
  for (const task of tasks) {
    try {
      const result = await compactPartition(store, task);
      partitions.push(result);
      log(JSON.stringify({ message: 'compacted curated partition', ...result }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failed.push({ target: task.target, error: message });
      log(JSON.stringify({ message: 'curated partition not compacted; retried next pass', target: task.target, error: message }));
    }
  }
  return {
    partitions,
    failed,
    filesRead: partitions.reduce((sum, p) => sum + p.filesRead, 0),
    filesDeleted: partitions.reduce((sum, p) => sum + p.filesDeleted, 0),
    rowsOut: partitions.reduce((sum, p) => sum + p.rowsOut, 0),
  };
}
