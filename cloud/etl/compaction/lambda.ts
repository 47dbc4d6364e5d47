/**
 * The compaction Lambda (an EventBridge schedule, hourly): one pass over the lake bucket with the same
 * code the local runner uses. Bundle-friendly like the ETL's (pure JS: hyparquet, hyparquet-writer).
 * Must run with a reserved concurrency of 1: two overlapping passes could overwrite each other's
 * compacted file (compact.ts then keeps the small files, but the pass is wasted).
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { ScheduledEvent } from 'aws-lambda';
import { createS3Store } from '../../lake/s3-store.ts';
import { compactCuratedLake, type CompactionSummary } from './compact.ts';
import { readCompactionConfig } from './config.ts';
import { CompactionError } from './errors.ts';

const writeLine = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export const handler = async (event: ScheduledEvent): Promise<CompactionSummary> => {
  const config = readCompactionConfig();
  const store = createS3Store({ client: new S3Client({}), bucket: config.bucket, ...(config.kmsKeyId === undefined ? {} : { kmsKeyId: config.kmsKeyId }) });
  // The schedule's time, not the clock: a delayed or retried invocation plans as of when it was due.
  const scheduled = Date.parse(event.time);
  const summary = await compactCuratedLake({ store, nowMs: Number.isFinite(scheduled) ? scheduled : Date.now(), graceMs: config.graceMs, log: writeLine });
  writeLine(JSON.stringify({ message: 'compaction pass done', partitions: summary.partitions.length, failed: summary.failed.length, filesRead: summary.filesRead, filesDeleted: summary.filesDeleted, rowsOut: summary.rowsOut, conflicts: summary.conflicts }));
  // A failed invocation is what the Errors alarm sees; the other partitions are already done.
  if (summary.failed.length > 0) {
    throw new CompactionError(`${summary.failed.length} partition(s) not compacted (first: ${summary.failed[0]!.target}: ${summary.failed[0]!.error}); the next scheduled pass retries them`);
  }
  return summary;
};
