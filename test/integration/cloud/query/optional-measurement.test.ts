/**
 * A measurement added to the registry after the lake had files (map_mmhg): files written before it and
 * after it are read together by the `vitals` view, compacted together, and rolled up, the older readings
 * as not measured.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactCuratedLake } from '../../../../cloud/etl/compaction/compact.ts';
import { createPseudonymiser } from '../../../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../../../cloud/etl/transform.ts';
import { planLakeObjects } from '../../../../cloud/etl/writers/lake-objects.ts';
import { createFsStore } from '../../../../cloud/lake/fs-store.ts';
import { openLake, type Lake } from '../../../../cloud/query/lake.ts';
import { encodeVitals } from '../../../../device/contract/index.ts';
import { putOlderCuratedFile } from './older-curated-file.ts';
import { kinesisRecord, sequenceNumber, T0, vitalsMessage } from '../../../unit/cloud/etl/kinesis-fixtures.ts';

let dir: string;
let lake: Lake;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'optional-measurement-'));
  const store = createFsStore(dir);
  const records = [1, 2].map((seq) => kinesisRecord(encodeVitals(vitalsMessage({ seq, timestamp: new Date(T0 + seq * 1000).toISOString(), map_mmhg: 90 + seq })), { n: seq, thing: 'bed-monitor-001' }));
  const result = transformBatch(records, { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 + 60_000 });
  // Seq 1 as an older ETL wrote it: the same row, no map_mmhg column in the file.
  await putOlderCuratedFile(store, `curated/vitals/dt=2026-11-24/hour=17/shardId-000000000000-${sequenceNumber(1)}.parquet`, result.curated[0]!.value as unknown as Record<string, unknown>, ['map_mmhg']);
  result.curated = result.curated.slice(1);
  for (const object of planLakeObjects(result).filter((candidate) => candidate.layer === 'curated')) await store.put(object.key, object.body, object.contentType);
});

afterAll(async () => {
  lake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a measurement the older curated files lack', () => {
  it('reads as null in the older rows of the vitals view and as sent in the newer', async () => {
    lake = await openLake(dir);
    const result = await lake.query('SELECT seq, map_mmhg FROM vitals ORDER BY seq');
    expect(result.rows).toEqual([[1, null], [2, 92]]);
    lake.close();
  });

  it('is compacted with the older rows and rolled up over the readings that have it', async () => {
    await compactCuratedLake({ store: createFsStore(dir), nowMs: Date.now(), graceMs: 15 * 60_000 });
    lake = await openLake(dir);
    const readings = await lake.query('SELECT seq, map_mmhg FROM vitals ORDER BY seq');
    expect(readings.rows).toEqual([[1, null], [2, 92]]);
    const rollup = await lake.query('SELECT readings, map_mmhg_count, map_mmhg_sum, map_mmhg_min FROM vitals_hourly_rollup');
    expect(rollup.rows).toEqual([[2, 1, 92, 92]]);
  });
});
