/**
 * The simulated speed travels with the data: an accelerated monitor's readings carry time_scale into the
 * curated lake, where an analyst (DuckDB here, Athena through the same Glue columns) can tell them from a
 * real-time run; files written before the column read as null, and compaction keeps it.
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
import { curatedGlueTableInput } from '../../../../cloud/sql/glue-table.ts';
import { openLake, type Lake } from '../../../../cloud/query/lake.ts';
import { encodeVitals } from '../../../../device/contract/index.ts';
import { putOlderCuratedFile } from './older-curated-file.ts';
import { kinesisRecord, sequenceNumber, T0, vitalsMessage } from '../../../unit/cloud/etl/kinesis-fixtures.ts';

let dir: string;
let lake: Lake | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'time-scale-'));
  const store = createFsStore(dir);
  const scales = [undefined, 60, undefined];
  const records = [1, 2, 3].map((seq) => kinesisRecord(encodeVitals(vitalsMessage({
    seq, timestamp: new Date(T0 + seq * 1000).toISOString(), ...(scales[seq - 1] === undefined ? {} : { time_scale: scales[seq - 1] }),
  })), { n: seq, thing: 'bed-monitor-001' }));
  const result = transformBatch(records, { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 + 60_000 });
  // Seq 1 as the ETL wrote it before the column existed.
  await putOlderCuratedFile(store, `curated/vitals/dt=2026-11-24/hour=17/shardId-000000000000-${sequenceNumber(1)}.parquet`, result.curated[0]!.value as unknown as Record<string, unknown>, ['time_scale']);
  result.curated = result.curated.slice(1);
  for (const object of planLakeObjects(result).filter((candidate) => candidate.layer === 'curated')) await store.put(object.key, object.body, object.contentType);
});

afterAll(async () => {
  lake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('time_scale in the lake', () => {
  it('is 60 for the accelerated reading, 1 for a real-time one, null in a file from before the column', async () => {
    lake = await openLake(dir);
    expect((await lake.query('SELECT seq, time_scale FROM vitals ORDER BY seq')).rows).toEqual([[1, null], [2, 60], [3, 1]]);
    lake.close();
    lake = undefined;
  });

  it('survives compaction, and is a column of the Glue table Athena reads', async () => {
    await compactCuratedLake({ store: createFsStore(dir), nowMs: Date.now(), graceMs: 15 * 60_000 });
    lake = await openLake(dir);
    expect((await lake.query('SELECT seq, time_scale FROM vitals ORDER BY seq')).rows).toEqual([[1, null], [2, 60], [3, 1]]);
    const columns = curatedGlueTableInput('bucket', 'db').storageDescriptor.columns as { name: string; type: string }[];
    expect(columns).toContainEqual(expect.objectContaining({ name: 'time_scale', type: 'double' }));
  });
});
