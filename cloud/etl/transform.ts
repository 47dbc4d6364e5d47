/**
 * The raw -> curated transform (DESIGN §5), pure: a Kinesis batch in; raw entries (every record, as it
 * arrived), curated rows (valid, first of each (device_id, seq) in the batch) and quarantine entries
 * (every rejected record with its reasons and original bytes) out. The clock is the caller's.
 *
 * Every output carries `index`, the record's position in the batch, so the handler can tell which
 * records an unwritten object held (partial batch responses).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { isUtf8 } from 'node:buffer';
import { decodePayload, MAX_PAYLOAD_BYTES, validateVitals, type Reason } from '../../device/contract/index.ts';
import { CuratedColumns } from './curated-columns.ts';
import { toCuratedRow, type CuratedRow } from './curated-row.ts';
import { unwrapRecord, type EnvelopeMeta, type KinesisMeta } from './kinesis-record.ts';
import type { Pseudonymiser } from './pseudonym.ts';

/**
 * A record as it arrived. The payload stays bytes until the raw writer serialises it (rawEntryOf): holding
 * ten thousand payload strings through the batch made the garbage collector copy them again and again,
 * which halved the transform's throughput.
 */
export interface RawRecord {
  kinesis: KinesisMeta;
  envelope: EnvelopeMeta | null;
  payload: Buffer;
}

/** One line of the raw layer. */
export interface RawEntry {
  kinesis: KinesisMeta;
  envelope: EnvelopeMeta | null;
  /** The MQTT payload exactly as published: its text when UTF-8, else base64. */
  payload: string;
  payload_encoding: 'utf8' | 'base64';
}

export function rawEntryOf({ kinesis, envelope, payload }: RawRecord): RawEntry {
  const utf8 = isUtf8(payload);
  return { kinesis, envelope, payload: payload.toString(utf8 ? 'utf8' : 'base64'), payload_encoding: utf8 ? 'utf8' : 'base64' };
}

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
  raw: Indexed<RawRecord>[];
  /** The curated rows column by column, with their batch positions (`index`): what the writers read. */
  curatedColumns: CuratedColumns;
  /** The same rows as objects, built on first read (tests, tools): the hot path never asks for them. */
  readonly curated: readonly Indexed<CuratedRow>[];
  quarantine: Indexed<QuarantineEntry>[];
  /** Records dropped because an earlier record of the batch had the same (device_id, seq). */
  duplicates: Indexed<{ device_id: string; seq: number; kept_index: number }>[];
}

class BatchResult implements TransformResult {
  readonly raw: Indexed<RawRecord>[] = [];
  readonly quarantine: Indexed<QuarantineEntry>[] = [];
  readonly duplicates: Indexed<{ device_id: string; seq: number; kept_index: number }>[] = [];
  private rows: Indexed<CuratedRow>[] | undefined;

  constructor(readonly curatedColumns: CuratedColumns) {}

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
  const result = new BatchResult(new CuratedColumns(records.length));
  // device_id -> seq -> batch position of the first reading kept.
  const seen = new Map<string, Map<number, number>>();
  const quarantinedAt = new Date(now).toISOString();
  for (let index = 0; index < records.length; index += 1) {
    const record = records[index]!;
    const unwrapped = unwrapRecord(record, now);
    const { kinesis, envelope, payload } = unwrapped;
    result.raw.push({ index, value: unwrapped });

    const decoded = parsePayload(payload);
    const validated = decoded.ok
      ? validateVitals(decoded.value, envelope === null ? {} : { thingName: envelope.thing_name })
      : decoded;
    if (!validated.ok) {
      result.quarantine.push({
        index,
        value: { reasons: validated.reasons, payload_base64: payload.toString('base64'), kinesis, envelope, quarantined_at: quarantinedAt },
      });
      continue;
    }
    const { reading } = validated;
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
    result.curatedColumns.append(toCuratedRow(reading, { kinesis, envelope, pseudonymise, ingestedAt: now }), index);
  }
  return result;
}

/**
 * The contract's decodePayload, without decoding the text a second time on the hot path: a UTF-8 payload
 * of allowed size whose text parses is what decodePayload would accept; anything else goes through
 * decodePayload itself so that the reason codes stay the contract's.
 */
function parsePayload(bytes: Buffer): ReturnType<typeof decodePayload> {
  if (bytes.byteLength <= MAX_PAYLOAD_BYTES && isUtf8(bytes)) {
    try {
      return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch {
      // not JSON: decodePayload names the reason
    }
  }
  return decodePayload(bytes);
}
