/**
 * The raw -> curated transform (DESIGN §5), pure: a Kinesis batch in; raw entries (every record, as it
 * arrived), curated rows (valid, first of each (device_id, seq) in the batch) and quarantine entries
 * (every rejected record with its reasons and original bytes) out. The clock is the caller's.
 *
 * Every output carries `index`, the record's position in the batch, so the handler can tell which
 * records an unwritten object held (partial batch responses).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { validatePayload, type Reason } from '../../device/contract/index.ts';
import { CuratedColumns } from './curated-columns.ts';
import { toCuratedRow, type CuratedRow } from './curated-row.ts';
import type { EnvelopeMeta, KinesisMeta } from './kinesis-record.ts';
import type { Pseudonymiser } from './pseudonym.ts';
import { RawRecords } from './raw-records.ts';

export type { RawEntry } from './raw-records.ts';

export interface QuarantineEntry {
  reasons: Reason[];
  /** The original payload bytes, base64. */
  payload_base64: string;
  kinesis: KinesisMeta;
  envelope: EnvelopeMeta | null;
  quarantined_at: string;
}

export interface Indexed<T> {
  index: number;
  value: T;
}

export interface TransformResult {
  /** Every record as it arrived (record i of the batch is entry i). */
  raw: RawRecords;
  /** The curated rows column by column, with their batch positions (`index`): what the writers read. */
  curatedColumns: CuratedColumns;
  /** The same rows as objects, built on first read (tests, tools): the hot path never asks for them. */
  readonly curated: readonly Indexed<CuratedRow>[];
  quarantine: Indexed<QuarantineEntry>[];
  /** Records dropped because an earlier record of the batch had the same (device_id, seq). */
  duplicates: Indexed<{ device_id: string; seq: number; kept_index: number }>[];
}

class BatchResult implements TransformResult {
  readonly quarantine: Indexed<QuarantineEntry>[] = [];
  readonly duplicates: Indexed<{ device_id: string; seq: number; kept_index: number }>[] = [];
  private rows: Indexed<CuratedRow>[] | undefined;

  constructor(readonly raw: RawRecords, readonly curatedColumns: CuratedColumns) {}

  get curated(): readonly Indexed<CuratedRow>[] {
    if (this.rows === undefined) {
      const columns = this.curatedColumns;
      this.rows = Array.from({ length: columns.length }, (_, at) => ({ index: columns.index[at]!, value: columns.rowAt(at) }));
    }
    return this.rows;
  }
}

export interface TransformContext {
  pseudonymise: Pseudonymiser;
  /** Epoch ms: the ingest time of this batch. */
  now: number;
}

export function transformBatch(records: readonly KinesisStreamRecord[], { pseudonymise, now }: TransformContext): TransformResult {
  const raw = new RawRecords(records, now);
  const result = new BatchResult(raw, new CuratedColumns(records.length));
  // device_id -> seq -> batch position of the first reading kept.
  const seen = new Map<string, Map<number, number>>();
  const quarantinedAt = new Date(now).toISOString();
  for (let index = 0; index < records.length; index += 1) {
    raw.unwrapNext();
    const payload = raw.payload(index);
    const thingName = raw.thingName(index);
    const validated = validatePayload(payload, thingName === null ? {} : { thingName });
    if (!validated.ok) {
      result.quarantine.push({
        index,
        value: { reasons: validated.reasons, payload_base64: payload.toString('base64'), kinesis: raw.kinesis(index), envelope: raw.envelope(index), quarantined_at: quarantinedAt },
      });
      continue;
    }
    const { reading } = validated;
    // device_id equals the thing name here (validation checked it); the payload's string is the batch's own.
    if (thingName !== null) raw.shareThingName(index, reading.device_id);
    let seqs = seen.get(reading.device_id);
    if (seqs === undefined) {
      seqs = new Map();
      seen.set(reading.device_id, seqs);
    }
    const keptIndex = seqs.get(reading.seq);
    if (keptIndex !== undefined) {
      result.duplicates.push({ index, value: { device_id: reading.device_id, seq: reading.seq, kept_index: keptIndex } });
      continue;
    }
    seqs.set(reading.seq, index);
    // The row object lives only until it is appended: the batch keeps the columns.
    result.curatedColumns.append(toCuratedRow(reading, {
      shardId: raw.shardId(index), sequenceNumber: raw.sequenceNumber(index), receivedAt: raw.receivedAtOf(index), pseudonymise, ingestedAt: now,
    }), index);
  }
  return result;
}
