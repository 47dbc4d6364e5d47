/**
 * The ETL handler (STYLE 6), the same in Lambda and behind the local poller: transform the batch, write
 * raw, curated and quarantine objects, answer with a partial batch response.
 *
 * Failure semantics (Lambda ReportBatchItemFailures): a bad record is never a failure, it is
 * quarantined. A write that fails (store unavailable) leaves the records of that object unsafe; the
 * response names the FIRST unsafe record, and Lambda retries from it, everything after it included.
 * Keys are deterministic (writers/lake-keys.ts), so the retry overwrites rather than adds; records after
 * the first unsafe one that were already written in another object are written again and removed by the
 * `vitals` view's dedup on (device_id, seq).
 */
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { ObjectStore } from '../lake/object-store.ts';
import { latencyStats, metricLines, type BatchSummary } from './metrics.ts';
import { createPseudonymiser } from './pseudonym.ts';
import { transformBatch, type TransformResult } from './transform.ts';
import { planLakeObjects, type LakeObject } from './writers/lake-objects.ts';

export interface EtlHandlerDeps {
  store: ObjectStore;
  hmacKey: Buffer | string;
  /** Epoch ms; Date.now by default. */
  clock?: () => number;
  /** One line per call (structured JSON); straight to stdout by default (see writeLine). */
  log?: (line: string) => void;
}

export type EtlHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;

export function createEtlHandler({ store, hmacKey, clock = Date.now, log = writeLine }: EtlHandlerDeps): EtlHandler {
  const pseudonymise = createPseudonymiser(hmacKey);
  return async (event) => {
    const records = event.Records;
    if (records.length === 0) return { batchItemFailures: [] };
    const now = clock();
    const result = transformBatch(records, { pseudonymise, now });
    const objects = planLakeObjects(result);
    const outcomes = await Promise.allSettled(objects.map((object) => store.put(object.key, object.body, object.contentType)));

    let firstUnsafe = Number.POSITIVE_INFINITY;
    const failures: { key: string; error: string }[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      const object = objects[i]!;
      firstUnsafe = Math.min(firstUnsafe, object.indexes[0]!);
      failures.push({ key: object.key, error: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason) });
    });

    const summary = summarise(result, objects, failures.length);
    for (const line of metricLines(summary, now)) log(line);
    const failedRecord = Number.isFinite(firstUnsafe) ? records[firstUnsafe]! : undefined;
    log(JSON.stringify({
      level: failedRecord === undefined ? 'info' : 'error',
      message: failedRecord === undefined ? 'batch written' : 'batch partly written: retrying from the first unsafe record',
      shard: result.raw[0]?.kinesis.shard_id,
      first_sequence: records[0]!.kinesis.sequenceNumber,
      last_sequence: records[records.length - 1]!.kinesis.sequenceNumber,
      records: summary.recordsIn, curated: summary.curated, quarantined: summary.quarantined, duplicates: summary.duplicates,
      quarantined_by_reason: summary.quarantinedByReason,
      objects: objects.map((object) => ({ key: object.key, rows: object.rows, bytes: object.body.byteLength })),
      ...(failedRecord === undefined ? {} : { retry_from_sequence: failedRecord.kinesis.sequenceNumber, failures }),
    }));
    return { batchItemFailures: failedRecord === undefined ? [] : [{ itemIdentifier: failedRecord.kinesis.sequenceNumber }] };
  };
}

/**
 * Lambda's console.log prefixes each line with a timestamp and request id, and CloudWatch only extracts
 * embedded metrics from a log event that is JSON as a whole: so write to stdout directly (as Powertools
 * does), one JSON document per line.
 */
function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

function summarise(result: TransformResult, objects: readonly LakeObject[], writeFailures: number): BatchSummary {
  const quarantinedByReason: Record<string, number> = {};
  for (const { value } of result.quarantine) {
    const reason = value.reasons[0]?.code ?? 'unknown';
    quarantinedByReason[reason] = (quarantinedByReason[reason] ?? 0) + 1;
  }
  const latencies = result.curated.map(({ value }) => value.ingest_latency_ms);
  const news2High = result.curated.filter(({ value }) => value.news2_band === 'high').length;
  const latency = latencyStats(latencies);
  return {
    recordsIn: result.raw.length,
    curated: result.curated.length,
    quarantined: result.quarantine.length,
    quarantinedByReason,
    duplicates: result.duplicates.length,
    news2High,
    latencyP50Ms: latency.p50,
    latencyMaxMs: latency.max,
    objectsWritten: objects.length - writeFailures,
    writeFailures,
  };
}
