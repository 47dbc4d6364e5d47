/**
 * The compaction Lambda's configuration, read once from the environment into a frozen object (STYLE 8).
 *
 *   LAKE_BUCKET               S3 bucket of the lake (required)
 *   LAKE_KMS_KEY_ID           KMS key id or ARN for SSE-KMS on the compacted objects (optional)
 *   COMPACTION_GRACE_MINUTES  minutes after an hour ends before it is compacted (optional, default 15)
 */
import { EtlConfigError } from '../errors.ts';
import { DEFAULT_COMPACTION_GRACE_MS } from './runner.ts';

export interface CompactionConfig {
  readonly bucket: string;
  readonly kmsKeyId: string | undefined;
  readonly graceMs: number;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function readCompactionConfig(env: Readonly<Record<string, string | undefined>> = process.env): CompactionConfig {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const bucket = value('LAKE_BUCKET');
  if (bucket === undefined) throw new EtlConfigError('LAKE_BUCKET', 'is not set: set it to the lake bucket name');
  if (!BUCKET_NAME.test(bucket)) throw new EtlConfigError('LAKE_BUCKET', `is "${bucket}", not an S3 bucket name`);
  const graceText = value('COMPACTION_GRACE_MINUTES');
  let graceMs = DEFAULT_COMPACTION_GRACE_MS;
  if (graceText !== undefined) {
    const minutes = Number(graceText);
    if (!Number.isInteger(minutes) || minutes < 0) {
      throw new EtlConfigError('COMPACTION_GRACE_MINUTES', `is "${graceText}": use a whole number of minutes (>= 0, e.g. 15)`);
    }
    graceMs = minutes * 60_000;
  }
  return Object.freeze({ bucket, kmsKeyId: value('LAKE_KMS_KEY_ID'), graceMs });
}
