import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CuratedRow } from '../../../../../cloud/etl/curated-row.ts';
import { KEY_INDEX_KEY } from '../../../../../cloud/etl/compaction/key-index.ts';
import { encodeCuratedParquet } from '../../../../../cloud/etl/writers/parquet.ts';

const HOUR_16 = 'curated/vitals/dt=2026-11-24/hour=16/';

function row(seq: number): CuratedRow {
  const measured = Date.parse('2026-11-24T16:10:00.000Z') + seq * 1_000;
  return {
    device_id: 'bed-monitor-001', seq, patient_key: 'k', ward: 'w', bed: 'b', measured_at: measured, heart_rate: 70, spo2: 97,
    respiratory_rate: 16, systolic_bp: 120, diastolic_bp: 80, temperature_c: 36.8, map_mmhg: 93, on_oxygen: false, spo2_scale: 1, consciousness: 'A',
    quality_flags: null, battery_pct: 90, time_scale: 1, news2_respiration: 0, news2_spo2: 0, news2_air_or_oxygen: 0, news2_systolic_bp: 0, news2_pulse: 0,
    news2_consciousness: 0, news2_temperature: 0, news2_total: 0, news2_band: 'low', news2_complete: true, news2_missing: null,
    source_schema: 'vitals/1', received_at: null, ingested_at: measured + 500, ingest_latency_ms: 500, kinesis_shard: 's', kinesis_sequence: String(seq),
  };
}

function scheduledAt(time: string): ScheduledEvent {
  return {
    version: '0', id: 'e', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time,
    region: 'eu-west-2', resources: [], detail: {},
  };
}

/** The one method of a GetObject body the S3 store uses. */
const body = (bytes: Uint8Array) => ({ transformToByteArray: async () => bytes });

describe('compaction Lambda entry point (mocked S3)', () => {
  const s3 = mockClient(S3Client);
  const files = new Map([[`${HOUR_16}s-1.parquet`, encodeCuratedParquet([row(1), row(2)])], [`${HOUR_16}s-3.parquet`, encodeCuratedParquet([row(3)])]]);

  beforeEach(() => {
    vi.resetModules();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.stubEnv('LAKE_BUCKET', 'vitals-lake-test');
    vi.stubEnv('LAKE_KMS_KEY_ID', 'alias/lake');
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
      Contents: [...files.keys()].filter((key) => key.startsWith(input.Prefix ?? '')).map((Key) => ({ Key })),
    }));
    s3.on(DeleteObjectCommand).resolves({});
  });
  afterEach(() => {
    s3.reset();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('compacts the closed hours of the configured bucket as of the schedule time, with SSE-KMS, writes the rollup, then deletes the small files', async () => {
    const written = new Map<string, Uint8Array>();
    s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: Uint8Array }) => {
      written.set(input.Key, input.Body);
      return {};
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const bytes = written.get(input.Key) ?? files.get(input.Key);
      if (bytes === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return { Body: body(bytes) };
    });
    const { handler } = await import('../../../../../cloud/etl/compaction/lambda.ts');

    const summary = await handler(scheduledAt('2026-11-24T18:00:00Z'));

    expect(summary).toMatchObject({ filesRead: 2, filesDeleted: 2, rowsOut: 3 });
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => put.Key)).toEqual([KEY_INDEX_KEY, `${HOUR_16}compacted.parquet`, 'rollup/hourly/dt=2026-11-24/rollup.parquet']);
    for (const put of puts) expect(put).toMatchObject({ Bucket: 'vitals-lake-test', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/lake' });
    expect(s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input.Key)).toEqual([...files.keys()]);
  });

  it('fails the invocation when a partition cannot be compacted, deleting nothing of it', async () => {
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key === KEY_INDEX_KEY) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return { Body: body(new TextEncoder().encode('not parquet')) };
    });
    const { handler } = await import('../../../../../cloud/etl/compaction/lambda.ts');
    await expect(handler(scheduledAt('2026-11-24T18:00:00Z'))).rejects.toThrow(/1 partition\(s\) not compacted .*hour=16/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('leaves an hour alone while the schedule time is inside its grace period', async () => {
    const { handler } = await import('../../../../../cloud/etl/compaction/lambda.ts');
    const summary = await handler(scheduledAt('2026-11-24T17:10:00Z'));
    expect(summary.partitions).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });
});
