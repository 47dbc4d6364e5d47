/**
 * Lake object keys (DESIGN §5), deterministic per batch so that a retried batch overwrites its own
 * objects instead of adding new ones. Curated objects are partitioned by measurement time; raw and
 * quarantine by arrival time on the stream (a rejected record may have no usable measurement time).
 *
 * `first seq` is the Kinesis sequence number of the first record of the batch that the object holds. A
 * batch retried from its first unwritten record (partial batch response) therefore rebuilds the failed
 * object under the same key.
 */
import { LAKE_PREFIXES } from '../../lake/curated-schema.ts';

export interface HourPartition {
  dt: string;
  hour: string;
}

export function hourPartition(epochMs: number): HourPartition {
  const iso = new Date(epochMs).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function curatedKey({ dt, hour }: HourPartition, shard: string, firstSeq: string): string {
  return `${LAKE_PREFIXES.curated}dt=${dt}/hour=${hour}/${shard}-${firstSeq}.parquet`;
}

export function rawKey({ dt, hour }: HourPartition, shard: string, firstSeq: string, lastSeq: string): string {
  return `${LAKE_PREFIXES.raw}dt=${dt}/hour=${hour}/${shard}-${firstSeq}-${lastSeq}.jsonl.gz`;
}

export function quarantineKey({ dt }: HourPartition, shard: string, firstSeq: string, lastSeq: string): string {
  return `${LAKE_PREFIXES.quarantine}dt=${dt}/${shard}-${firstSeq}-${lastSeq}.jsonl.gz`;
}
