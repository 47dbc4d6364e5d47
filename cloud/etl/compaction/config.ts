/**
 * The compaction Lambda's configuration, read once from the environment into a frozen object (STYLE 8).
 *
 *   LAKE_BUCKET               S3 bucket of the lake (required)
 *   LAKE_KMS_KEY_ID           KMS key id or ARN for SSE-KMS on the compacted objects (optional)
 *   COMPACTION_GRACE_MINUTES  minutes after an hour ends before it is compacted (optional, default 15)
 */
import { envValue, readLakeTarget, type Env } from '../config.ts';
import { EtlConfigError } from '../errors.ts';
import { DEFAULT_COMPACTION_GRACE_MS } from './runner.ts';

export interface CompactionConfig {
  readonly bucket: string;
  readonly kmsKeyId: string | undefined;
  readonly graceMs: number;
}

export function readCompactionConfig(env: Env = process.env): CompactionConfig {
  const { bucket, kmsKeyId } = readLakeTarget(env);
  const graceText = envValue(env, 'COMPACTION_GRACE_MINUTES');
  let graceMs = DEFAULT_COMPACTION_GRACE_MS;
  if (graceText !== undefined) {
    const minutes = Number(graceText);
    if (!Number.isInteger(minutes) || minutes < 0) {
      throw new EtlConfigError('COMPACTION_GRACE_MINUTES', `is "${graceText}": use a whole number of minutes (>= 0, e.g. 15)`);
    }
    graceMs = minutes * 60_000;
  }
  return Object.freeze({ bucket, kmsKeyId, graceMs });
}
