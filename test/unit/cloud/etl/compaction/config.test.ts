import { describe, expect, it } from 'vitest';
import { readCompactionConfig } from '../../../../../cloud/etl/compaction/config.ts';
import { EtlConfigError } from '../../../../../cloud/etl/errors.ts';

describe('readCompactionConfig', () => {
  it('reads the bucket, the KMS key and a 15-minute default grace period', () => {
    expect(readCompactionConfig({ LAKE_BUCKET: 'lake-bucket', LAKE_KMS_KEY_ID: 'arn:aws:kms:eu-west-2:123456789012:key/abc' }))
      .toEqual({ bucket: 'lake-bucket', kmsKeyId: 'arn:aws:kms:eu-west-2:123456789012:key/abc', graceMs: 900_000 });
  });

  it('takes the grace period in whole minutes', () => {
    expect(readCompactionConfig({ LAKE_BUCKET: 'lake-bucket', COMPACTION_GRACE_MINUTES: '30' }).graceMs).toBe(1_800_000);
  });

  it('names the variable when the bucket is missing or the grace period is not a whole number', () => {
    expect(() => readCompactionConfig({})).toThrow(EtlConfigError);
    expect(() => readCompactionConfig({})).toThrow(/LAKE_BUCKET is not set/);
    expect(() => readCompactionConfig({ LAKE_BUCKET: 'lake-bucket', COMPACTION_GRACE_MINUTES: '1.5' })).toThrow(/COMPACTION_GRACE_MINUTES is "1.5"/);
    expect(() => readCompactionConfig({ LAKE_BUCKET: 'lake-bucket', COMPACTION_GRACE_MINUTES: '-1' })).toThrow(/COMPACTION_GRACE_MINUTES/);
  });
});
