/**
 * Replays rule error-action records into the stream: the IoT rule (or the local rules engine) could not
 * put these messages into Kinesis (throttling, a deleted stream, a KMS error) and kept them in
 * `rule-errors/`. Replaying is idempotent where it matters: a reading that did arrive after all, or is
 * replayed twice, is removed downstream by (device_id, seq), within a batch by the ETL and across batches
 * by the `vitals` view. A dry run reads and counts, and puts nothing.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { envelopeFromRuleError, type ReplayRecord } from './envelope.ts';

export interface RuleErrorItem {
  /** The parsed error-action JSON (or the parse failure). */
  readonly record: unknown;
  readonly receivedAtMs: number;
  readonly source: string;
}

export interface ReplaySummary {
  read: number;
  replayable: number;
  put: number;
  skipped: Record<string, number>;
  dryRun: boolean;
}

export interface ReplayOptions {
  readonly items: AsyncIterable<RuleErrorItem>;
  readonly kinesis: Pick<KinesisClient, 'send'>;
  readonly streamName: string;
  readonly dryRun?: boolean;
  /** PutRecords takes at most 500 records and 5 MiB per call. */
  readonly batchSize?: number;
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class ReplayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayError';
  }
}

/** Puts a batch, retrying only the records Kinesis reports as failed (throttling), with backoff. */
async function putAll(options: ReplayOptions, records: ReplayRecord[]): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let pending = records;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const result = await options.kinesis.send(new PutRecordsCommand({
      StreamName: options.streamName,
      Records: pending.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
    }));
    const failed = pending.filter((_, i) => result.Records?.[i]?.ErrorCode);
    if (failed.length === 0) return;
    if (attempt >= (options.maxAttempts ?? 6)) {
      const first = result.Records?.find((r) => r.ErrorCode);
      throw new ReplayError(`${failed.length} records still failing after ${attempt} attempts (${first?.ErrorCode}: ${first?.ErrorMessage}), first ${failed[0]!.source}: run the replay again (it is idempotent)`);
    }
    pending = failed;
    await sleep(Math.min(5_000, 100 * 2 ** attempt));
  }
}

export async function replayRuleErrors(options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { read: 0, replayable: 0, put: 0, skipped: {}, dryRun: options.dryRun === true };
  const batchSize = options.batchSize ?? 500;
  let batch: ReplayRecord[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    if (!summary.dryRun) await putAll(options, batch);
    if (!summary.dryRun) summary.put += batch.length;
    batch = [];
    batchBytes = 0;
  };
  for await (const item of options.items) {
    summary.read++;
    const replayable = envelopeFromRuleError(item.record, item.receivedAtMs, item.source);
    if (!replayable.ok) {
      summary.skipped[replayable.reason] = (summary.skipped[replayable.reason] ?? 0) + 1;
      continue;
    }
    summary.replayable++;
    const size = replayable.record.data.length + replayable.record.partitionKey.length;
    if (batch.length >= batchSize || batchBytes + size > 4 * 1024 * 1024) await flush();
    batch.push(replayable.record);
    batchBytes += size;
  }
  await flush();
  return summary;
}
