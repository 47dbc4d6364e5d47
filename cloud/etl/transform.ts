/**
 * The raw -> curated transform (DESIGN §5), pure: a Kinesis batch in; raw entries (every record, as it
 * arrived), curated rows (valid, measured inside the plausible-time window, first of each (device_id, seq)
 * in the batch) and quarantine entries (every rejected record with its reasons and original bytes) out.
 * Copies of a (device_id, seq) with the same content are duplicates (one curated, the rest counted); copies
 * whose content differs are a conflict, and every copy of that key is quarantined (conflicting_duplicate):
 * the batch cannot tell which one is the reading. The clock is the caller's.
 *
 * Every output carries `index`, the record's position in the batch, so the handler can tell which
 * records an unwritten object held (partial batch responses).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { validatePayload, type Reason, type VitalsReading } from '../../device/contract/index.ts';
import { outsideWindow, plausibleWindow } from '../lake/plausible-time.ts';
import { BatchConflicts } from './batch-conflicts.ts';
import { BatchDeduplicator } from './batch-dedup.ts';
import { toCuratedRow, type CuratedRow } from './curated-row.ts';
import { rawEntry, unwrapRecord, type EnvelopeMeta, type KinesisMeta, type RawEntry } from './kinesis-record.ts';
import type { Pseudonymiser } from './pseudonym.ts';

export type { RawEntry };

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
  raw: RawEntry[];
  curated: Indexed<CuratedRow>[];
  quarantine: Indexed<QuarantineEntry>[];
  /** Records dropped because an earlier record of the batch had the same (device_id, seq) and the same content. */
  duplicates: Indexed<{ device_id: string; seq: number; kept_index: number }>[];
}

export interface TransformContext {
  pseudonymise: Pseudonymiser;
  /** Epoch ms: the ingest time of this batch. */
  now: number;
}

export function transformBatch(records: readonly KinesisStreamRecord[], { pseudonymise, now }: TransformContext): TransformResult {
  const unwrapped = records.map((record) => unwrapRecord(record, now));
  const result: TransformResult = { raw: unwrapped.map(rawEntry), curated: [], quarantine: [], duplicates: [] };
  const quarantinedAt = new Date(now).toISOString();
  const window = plausibleWindow(now);
  const quarantine = (index: number, reasons: Reason[]): void => {
    const { payload, kinesis, envelope } = unwrapped[index]!;
    result.quarantine.push({ index, value: { reasons, payload_base64: payload.toString('base64'), kinesis, envelope, quarantined_at: quarantinedAt } });
  };
  /** The reading of each kept record, by batch position: a repeated key compares its content with it. */
  const kept = new Map<number, VitalsReading>();
  const dedup = new BatchDeduplicator({
    keptOf: (device) => result.curated.filter(({ value }) => value.device_id === device).map(({ value, index }) => [value.seq, index] as const),
  });
  const conflicts = new BatchConflicts();
  unwrapped.forEach(({ kinesis, envelope, payload }, index) => {
    const validated = validatePayload(payload, envelope === null ? {} : { thingName: envelope.thing_name });
    if (!validated.ok) return quarantine(index, validated.reasons);
    const { reading } = validated;
    if (reading.measured_at_ms < window.fromMs || reading.measured_at_ms > window.toMs) {
      return quarantine(index, [{ code: 'bad_timestamp', field: 'timestamp', message: `timestamp ${reading.timestamp} ${outsideWindow(reading.measured_at_ms, window)!}` }]);
    }
    const keptIndex = dedup.keep(reading.device_id, reading.seq, index);
    if (keptIndex >= 0) {
      // The same bytes (a QoS 1 redelivery, a Kinesis retry) or bytes that normalise to the same reading.
      const same = unwrapped[keptIndex]!.payload.equals(payload) || JSON.stringify(kept.get(keptIndex)) === JSON.stringify(reading);
      if (conflicts.isConflicted(keptIndex) || !same) {
        conflicts.add(keptIndex, index);
      } else {
        conflicts.addCopy(keptIndex, index);
        result.duplicates.push({ index, value: { device_id: reading.device_id, seq: reading.seq, kept_index: keptIndex } });
      }
      return;
    }
    kept.set(index, reading);
    const row = toCuratedRow(reading, {
      shardId: kinesis.shard_id, sequenceNumber: kinesis.sequence_number, receivedAt: envelope?.received_at ?? null, pseudonymise, ingestedAt: now,
    });
    result.curated.push({ index, value: row });
  });
  if (conflicts.size > 0) quarantineConflicts(result, conflicts, kept, quarantine);
  return result;
}

/**
 * Every copy of each conflicting key out of the curated rows and the duplicates, into quarantine, each with
 * a reason naming all the copies; the quarantine list back in batch order (the writers key objects by it).
 */
function quarantineConflicts(result: TransformResult, conflicts: BatchConflicts, kept: Map<number, VitalsReading>, quarantine: (index: number, reasons: Reason[]) => void): void {
  const keptIndexes = new Set(conflicts.keptIndexes());
  result.curated = result.curated.filter((row) => !keptIndexes.has(row.index));
  result.duplicates = result.duplicates.filter((entry) => !keptIndexes.has(entry.value.kept_index));
  for (const [keptIndex, copies] of conflicts.entries()) {
    const { device_id, seq } = kept.get(keptIndex)!;
    const sequences = copies.map((at) => result.raw[at]!.kinesis.sequence_number).join(', ');
    const message = `device_id "${device_id}" seq ${seq} arrived ${copies.length} times in this batch with different content `
      + `(Kinesis sequence numbers ${sequences}): no copy is curated, every copy is quarantined`;
    for (const at of copies) quarantine(at, [{ code: 'conflicting_duplicate', field: 'seq', message }]);
  }
  result.quarantine.sort((x, y) => x.index - y.index);
}
