import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactCuratedLake } from '../../../../../cloud/etl/compaction/compact.ts';
import { createEtlHandler } from '../../../../../cloud/etl/handler.ts';
import { readCuratedParquet } from '../../../../../cloud/etl/compaction/read-curated.ts';
import { createS3Store } from '../../../../../cloud/lake/s3-store.ts';
import type { ObjectStore } from '../../../../../cloud/lake/object-store.ts';
import { eventOf, T0, validBatch } from '../../../../unit/cloud/etl/kinesis-fixtures.ts';
import { startLocalS3, type LocalS3 } from '../../lake/local-s3.ts';

const PARTITION_17 = 'curated/vitals/dt=2026-11-24/hour=17/';

describe('curated compaction over the S3 API (s3rver)', () => {
  let s3: LocalS3;
  let store: ObjectStore;

  beforeAll(async () => {
    s3 = await startLocalS3();
    store = createS3Store({ client: s3.client, bucket: s3.bucket });
  });
  afterAll(async () => {
    await s3.close();
  });

  it('folds the ETL files of a closed hour into one object holding each reading once, then deletes them', async () => {
    let clock = T0 + 3 * 3_600_000;
    for (const records of [validBatch(80, { start: 0 }), validBatch(80, { start: 80 }), validBatch(80, { start: 0 }).slice(5, 15)]) {
      clock += 1_000;
      const at = clock;
      const handler = createEtlHandler({ store, hmacKey: 'compaction-s3-test-key-0123456789', clock: () => at, log: () => {} });
      expect(await handler(eventOf(records))).toEqual({ batchItemFailures: [] });
    }
    expect(await store.list(PARTITION_17)).toHaveLength(3);

    const summary = await compactCuratedLake({ store, nowMs: T0 + 2 * 3_600_000, graceMs: 15 * 60_000 });

    expect(summary.partitions).toHaveLength(1);
    expect(await store.list(PARTITION_17)).toEqual([`${PARTITION_17}compacted.parquet`]);
    const rows = await readCuratedParquet('compacted', (await store.get(`${PARTITION_17}compacted.parquet`))!);
    expect(rows).toHaveLength(160);
    expect(new Set(rows.map((row) => `${row.device_id}/${row.seq}`)).size).toBe(160);
    expect((await compactCuratedLake({ store, nowMs: T0 + 2 * 3_600_000, graceMs: 15 * 60_000 })).partitions).toEqual([]);
  });
});
