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
import { toCuratedRow, type CuratedRow } from './curated-row.ts';
import { unwrapRecord, type EnvelopeMeta, type KinesisMeta } from './kinesis-record.ts';
import type { Pseudonymiser } from './pseudonym.ts';

export interface RawEntry {
  kinesis: KinesisMeta;
  envelope: EnvelopeMeta | null;
  /** The MQTT payload exactly as published: its text when UTF-8, else base64. */
  payload: string;
  payload_encoding: 'utf8' | 'base64';
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
  raw: Indexed<RawEntry>[];
  curated: Indexed<CuratedRow>[];
  quarantine: Indexed<QuarantineEntry>[];
  /** Records dropped because an earlier record of the batch had the same (device_id, seq). */
  duplicates: Indexed<{ device_id: string; seq: number; kept_index: number }>[];
}

export interface TransformContext {
  pseudonymise: Pseudonymiser;
  /** Epoch ms: the ingest time of this batch. */
  now: number;
}

export function transformBatch(records: readonly KinesisStreamRecord[], { pseudonymise, now }: TransformContext): TransformResult {
  const result: TransformResult = { raw: [], curated: [], quarantine: [], duplicates: [] };
  const seen = new Map<string, number>();
  const quarantinedAt = new Date(now).toISOString();
  records.forEach((record, index) => {
    const { kinesis, envelope, payload } = unwrapRecord(record, now);
    const utf8 = isUtf8(payload);
    const raw: RawEntry = { kinesis, envelope, payload: payload.toString(utf8 ? 'utf8' : 'base64'), payload_encoding: utf8 ? 'utf8' : 'base64' };
    result.raw.push({ index, value: raw });

    const decoded = parsePayload(payload, utf8 ? raw.payload : undefined);
    const validated = decoded.ok
      ? validateVitals(decoded.value, envelope === null ? {} : { thingName: envelope.thing_name })
      : decoded;
    if (!validated.ok) {
      result.quarantine.push({
        index,
        value: { reasons: validated.reasons, payload_base64: payload.toString('base64'), kinesis, envelope, quarantined_at: quarantinedAt },
      });
      return;
    }
    const { reading } = validated;
    const identity = `${reading.device_id}\u0000${reading.seq}`;
    const keptIndex = seen.get(identity);
    if (keptIndex !== undefined) {
      result.duplicates.push({ index, value: { device_id: reading.device_id, seq: reading.seq, kept_index: keptIndex } });
      return;
    }
    seen.set(identity, index);
    result.curated.push({ index, value: toCuratedRow(reading, { kinesis, envelope, pseudonymise, ingestedAt: now }) });
  });
  return result;
}

/**
 * The contract's decodePayload, without decoding the text a second time on the hot path: a UTF-8 payload
 * of allowed size whose text parses is what decodePayload would accept; anything else goes through
 * decodePayload itself so that the reason codes stay the contract's.
 */
function parsePayload(bytes: Buffer, text: string | undefined): ReturnType<typeof decodePayload> {
  if (text !== undefined && bytes.byteLength <= MAX_PAYLOAD_BYTES) {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      // not JSON: decodePayload names the reason
    }
  }
  return decodePayload(bytes);
}
