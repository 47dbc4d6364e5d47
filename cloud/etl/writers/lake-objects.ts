/**
 * Turns a transformed batch into the lake objects to write: one raw and at most one quarantine object per
 * (shard, arrival hour), one curated Parquet object per (shard, measurement hour). Each object lists the
 * batch positions of the records it holds, so the handler knows which records a failed write leaves
 * unsafe. Pure: same batch, same objects, byte for byte.
 */
import type { CuratedRow } from '../curated-row.ts';
import type { Indexed, QuarantineEntry, RawEntry, TransformResult } from '../transform.ts';
import { encodeJsonLinesGzip, JSONL_GZIP_CONTENT_TYPE } from './jsonl-gzip.ts';
import { curatedKey, hourPartition, quarantineKey, rawKey, type HourPartition } from './lake-keys.ts';
import { encodeCuratedParquet, PARQUET_CONTENT_TYPE } from './parquet.ts';

export type LakeLayer = 'raw' | 'curated' | 'quarantine';

export interface LakeObject {
  layer: LakeLayer;
  key: string;
  contentType: string;
  body: Uint8Array;
  /** Batch positions of the records whose output this object holds, ascending. */
  indexes: number[];
  rows: number;
}

interface Group<T> {
  shard: string;
  partition: HourPartition;
  entries: Indexed<T>[];
  /** Kinesis sequence numbers of the first and last entries. */
  firstSeq: string;
  lastSeq: string;
}

function groupBy<T>(entries: readonly Indexed<T>[], place: (value: T) => { shard: string; at: number; seq: string }, byHour = true): Group<T>[] {
  const groups = new Map<string, Group<T>>();
  for (const entry of entries) {
    const { shard, at, seq } = place(entry.value);
    const partition = hourPartition(at);
    const id = `${shard}/${partition.dt}/${byHour ? partition.hour : ''}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { shard, partition, entries: [], firstSeq: seq, lastSeq: seq };
      groups.set(id, group);
    }
    group.entries.push(entry);
    group.lastSeq = seq;
  }
  return [...groups.values()];
}

export function planLakeObjects(result: TransformResult): LakeObject[] {
  const objects: LakeObject[] = [];
  const raw = result.raw.map((value, index) => ({ index, value }));
  for (const group of groupBy<RawEntry>(raw, ({ kinesis }) => ({ shard: kinesis.shard_id, at: kinesis.arrived_at, seq: kinesis.sequence_number }))) {
    objects.push({
      layer: 'raw',
      key: rawKey(group.partition, group.shard, group.firstSeq, group.lastSeq),
      contentType: JSONL_GZIP_CONTENT_TYPE,
      body: encodeJsonLinesGzip(group.entries.map((entry) => entry.value)),
      indexes: group.entries.map((entry) => entry.index),
      rows: group.entries.length,
    });
  }
  for (const group of groupBy<CuratedRow>(result.curated, (row) => ({ shard: row.kinesis_shard, at: row.measured_at, seq: row.kinesis_sequence }))) {
    objects.push({
      layer: 'curated',
      key: curatedKey(group.partition, group.shard, group.firstSeq),
      contentType: PARQUET_CONTENT_TYPE,
      body: encodeCuratedParquet(group.entries.map((entry) => entry.value)),
      indexes: group.entries.map((entry) => entry.index),
      rows: group.entries.length,
    });
  }
  const byDay = groupBy<QuarantineEntry>(result.quarantine, (entry) => ({ shard: entry.kinesis.shard_id, at: entry.kinesis.arrived_at, seq: entry.kinesis.sequence_number }), false);
  for (const group of byDay) {
    objects.push({
      layer: 'quarantine',
      key: quarantineKey(group.partition, group.shard, group.firstSeq, group.lastSeq),
      contentType: JSONL_GZIP_CONTENT_TYPE,
      body: encodeJsonLinesGzip(group.entries.map((entry) => entry.value)),
      indexes: group.entries.map((entry) => entry.index),
      rows: group.entries.length,
    });
  }
  return objects;
}
