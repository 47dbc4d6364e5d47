/**
 * Compaction planning (pure): which closed hour partitions of the curated layer hold more than one Parquet
 * file, and how their rows merge into one. The ETL writes one small file per (batch, shard, measurement
 * hour); each carries its own footer and dictionaries, which dominate the bytes a query scans (the
 * `queries` bench). Once an hour can no longer receive on-time data, its files are folded into one
 * `compacted.parquet`, sorted by (device_id, seq) so that dictionaries and min/max statistics work well.
 *
 * A late batch (a monitor's outbox draining hours later) adds a small file next to `compacted.parquet`;
 * the partition then has two files again and the next run folds it in. The compacted file is itself a
 * source of the next run, so nothing already compacted is lost and a re-run rewrites the same rows.
 */
import { CURATED_COLUMNS, LAKE_PREFIXES, ROLLUP_HOURLY_PREFIX } from '../../lake/curated-schema.ts';
import type { CuratedRow } from '../curated-row.ts';
import type { HourPartition } from '../writers/lake-keys.ts';

export const COMPACTED_FILE_NAME = 'compacted.parquet';
/** What the compaction pass lists: the curated layer and the rollup it maintains. */
export const COMPACTION_PREFIXES: readonly string[] = [LAKE_PREFIXES.curated, ROLLUP_HOURLY_PREFIX];
const HOUR_MS = 3_600_000;
const CURATED_FILE = /^curated\/vitals\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/[^/]+\.parquet$/;
const ROLLUP_DAY = /^rollup\/hourly\/dt=(\d{4}-\d{2}-\d{2})\/rollup\.parquet$/;

export interface CompactionTask {
  partition: HourPartition;
  /** The key the merged rows are written to: the same for every run over this partition. */
  target: string;
  /** Every Parquet object of the partition when listed (the previous compacted file included), sorted. */
  sources: string[];
}

export interface PlanOptions {
  nowMs: number;
  /**
   * How long after an hour ends it is left alone: longer than the ETL's batching window plus its usual
   * retries, so that on-time data has landed. Data later than that is folded in by a later run.
   */
  graceMs: number;
}

export function compactedKey({ dt, hour }: HourPartition): string {
  return `${LAKE_PREFIXES.curated}dt=${dt}/hour=${hour}/${COMPACTED_FILE_NAME}`;
}

/** End of the hour partition, epoch ms (UTC); NaN for a partition name that is not a real date and hour. */
export function partitionEndMs({ dt, hour }: HourPartition): number {
  const start = Date.parse(`${dt}T${hour}:00:00.000Z`);
  return start + HOUR_MS;
}

/**
 * The partitions to compact, oldest first: closed (end + grace <= now) and not yet in their final shape,
 * which is one compacted.parquet plus its rows in the day's rollup. So a closed hour is planned when it
 * holds two files or more, a single file the ETL wrote (a quiet hour: compacting it writes its rollup), or
 * a single compacted file in a day that has no rollup file (compacted before the rollup existed, or its
 * rollup was removed to be rebuilt). `keys` lists the curated layer and the rollup prefix.
 */
export function planCompaction(keys: readonly string[], { nowMs, graceMs }: PlanOptions): CompactionTask[] {
  const rolledUpDays = new Set(keys.map((key) => ROLLUP_DAY.exec(key)?.[1]).filter((dt) => dt !== undefined));
  const byPartition = new Map<string, { partition: HourPartition; sources: string[] }>();
  for (const key of keys) {
    const match = CURATED_FILE.exec(key);
    if (match === null) continue; // not a curated Parquet object (a temp file, another layer)
    const partition = { dt: match[1]!, hour: match[2]! };
    const id = `${partition.dt}/${partition.hour}`;
    let entry = byPartition.get(id);
    if (entry === undefined) {
      entry = { partition, sources: [] };
      byPartition.set(id, entry);
    }
    entry.sources.push(key);
  }
  const tasks: CompactionTask[] = [];
  for (const { partition, sources } of byPartition.values()) {
    const end = partitionEndMs(partition);
    if (!Number.isFinite(end) || end + graceMs > nowMs) continue;
    const final = sources.length === 1 && sources[0] === compactedKey(partition) && rolledUpDays.has(partition.dt);
    if (final) continue;
    tasks.push({ partition, target: compactedKey(partition), sources: [...sources].sort() });
  }
  return tasks.sort((x, y) => x.target.localeCompare(y.target));
}

/** Kinesis sequence numbers are decimal strings of up to 128 bits: compare by length, then digits. */
function compareSequence(x: string, y: string): number {
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

/**
 * Which of two copies of a (device_id, seq) stays: the first ingested (earliest ingested_at, then
 * kinesis_shard), as the `vitals` view orders them, then the Kinesis sequence number, which the view leaves
 * out (two batches of one shard are not ingested in the same millisecond).
 */
export function firstArrival(x: CuratedRow, y: CuratedRow): CuratedRow {
  if (x.ingested_at !== y.ingested_at) return x.ingested_at < y.ingested_at ? x : y;
  if (x.kinesis_shard !== y.kinesis_shard) return x.kinesis_shard < y.kinesis_shard ? x : y;
  return compareSequence(x.kinesis_sequence, y.kinesis_sequence) <= 0 ? x : y;
}

/** Columns that say how a copy travelled, not what was measured: they may differ between true copies. */
const DELIVERY_COLUMNS: ReadonlySet<string> = new Set(['received_at', 'ingested_at', 'ingest_latency_ms', 'kinesis_shard', 'kinesis_sequence']);
const CONTENT_COLUMNS = CURATED_COLUMNS.map((column) => column.name as keyof CuratedRow).filter((name) => !DELIVERY_COLUMNS.has(name));

/** Whether two rows of one (device_id, seq) carry the same reading (a redelivery), not a conflict. */
export function sameReading(x: CuratedRow, y: CuratedRow): boolean {
  return CONTENT_COLUMNS.every((name) => x[name] === y[name]);
}

export interface MergedRows {
  rows: CuratedRow[];
  /** Copies of a reading dropped (same device_id and seq as a row kept, same content). */
  duplicates: number;
  /** Copies with the same device_id and seq as a row kept but other content: for quarantine. */
  conflicts: CuratedRow[];
}

/**
 * One row per (device_id, seq), sorted by them; of several copies the first ingested is kept, as the
 * `vitals` view would, so every query answers the same before and after compaction. A later copy with
 * other content is a conflict, returned apart for quarantine.
 */
export function mergeCuratedRows(rows: readonly CuratedRow[]): MergedRows {
  const sorted = [...rows].sort((x, y) => (x.device_id < y.device_id ? -1 : x.device_id > y.device_id ? 1 : x.seq - y.seq));
  const kept: CuratedRow[] = [];
  const conflicts: CuratedRow[] = [];
  let duplicates = 0;
  for (const row of sorted) {
    const last = kept[kept.length - 1];
    if (last !== undefined && last.device_id === row.device_id && last.seq === row.seq) {
      const first = firstArrival(last, row);
      const other = first === last ? row : last;
      kept[kept.length - 1] = first;
      if (sameReading(first, other)) duplicates += 1;
      else conflicts.push(other);
    } else {
      kept.push(row);
    }
  }
  return { rows: kept, duplicates, conflicts };
}
