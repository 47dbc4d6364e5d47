/**
 * The raw -> curated transform (DESIGN §5), pure: a Kinesis batch in; raw entries (every record, as it
 * arrived), curated rows (valid, first of each (device_id, seq) in the batch) and quarantine entries
 * (every rejected record with its reasons and original bytes) out. The clock is the caller's.
 *
 * Every output carries `index`, the record's position in the batch, so the handler can tell which
 * records an unwritten object held (partial batch responses).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { validatePayloadAt, type Reason, type ValidationContext } from '../../device/contract/index.ts';
import { BatchDeduplicator } from './batch-dedup.ts';
import { CuratedColumns } from './curated-columns.ts';
import { toCuratedRow, type CuratedRow, type RowContext } from './curated-row.ts';
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
  const dedup = new BatchDeduplicator(result.curatedColumns);
  const quarantinedAt = new Date(now).toISOString();
  // One context and one row for the whole batch, refilled per record: nothing of them outlives the record.
  const validation: ValidationContext = {};
  const rowContext: RowContext = { shardId: '', sequenceNumber: '', receivedAt: null, pseudonymise, ingestedAt: now };
  let row: CuratedRow | undefined;
  // Two passes (every record unwrapped, then every payload validated and scored): each loop's code and
  // data stay hot, which measured 3-4 % faster than doing both per record.
  for (let index = 0; index < records.length; index += 1) raw.unwrapNext();
  for (let index = 0; index < records.length; index += 1) {
    const thingName = raw.thingName(index);
    validation.thingName = thingName ?? undefined;
    const validated = validatePayloadAt(raw.payloads, raw.payloadStart(index), raw.payloadEndOf(index), validation);
    if (!validated.ok) {
      result.quarantine.push({
        index,
        value: { reasons: validated.reasons, payload_base64: raw.payload(index).toString('base64'), kinesis: raw.kinesis(index), envelope: raw.envelope(index), quarantined_at: quarantinedAt },
      });
      continue;
    }
    const { reading } = validated;
    // device_id equals the thing name here (validation checked it); the payload's string is the batch's own.
    if (thingName !== null) raw.shareThingName(index, reading.device_id);
    const keptIndex = dedup.keep(reading.device_id, reading.seq, index);
    if (keptIndex >= 0) {
      result.duplicates.push({ index, value: { device_id: reading.device_id, seq: reading.seq, kept_index: keptIndex } });
      continue;
    }
    rowContext.shardId = raw.shardId(index);
    rowContext.sequenceNumber = raw.sequenceNumber(index);
    rowContext.receivedAt = raw.receivedAtOf(index);
    // The row is copied into the columns at once: the batch keeps the columns, not the row.
    row = toCuratedRow(reading, rowContext, row);
    result.curatedColumns.append(row, index);
  }
  return result;
}
