import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compactCuratedLake } from '../../../../../cloud/etl/compaction/compact.ts';
import { startCompactor } from '../../../../../cloud/etl/compaction/runner.ts';
import { createEtlHandler } from '../../../../../cloud/etl/handler.ts';
import { openLake, type QueryResult } from '../../../../../cloud/query/lake.ts';
import { eventOf, T0, validBatch } from '../../../../unit/cloud/etl/kinesis-fixtures.ts';
import { snapshot, tempLake } from '../lake-fixture.ts';

const HOUR = 3_600_000;
const GRACE = 15 * 60_000;
/** T0 is 17:00 UTC: hour 17 and 18 are closed (plus grace) at this time, hour 19 is not. */
const NOW = T0 + 2 * HOUR + GRACE + 60_000;
const PARTITION_17 = 'curated/vitals/dt=2026-11-24/hour=17/';
const PARTITION_18 = 'curated/vitals/dt=2026-11-24/hour=18/';
const PARTITION_19 = 'curated/vitals/dt=2026-11-24/hour=19/';

describe('curated compaction over a lake written by the ETL handler', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let ingestClock: number;

  /** Each batch is ingested a little later than the one before, as in the stream. */
  const ingest = async (records: ReturnType<typeof validBatch>): Promise<void> => {
    ingestClock += 1_000;
    const at = ingestClock;
    const handler = createEtlHandler({ store: lake.store, hmacKey: 'compaction-test-key-0123456789', clock: () => at, log: () => {} });
    expect(await handler(eventOf(records))).toEqual({ batchItemFailures: [] });
  };
  const query = async (sql: string): Promise<QueryResult['rows']> => {
    const opened = await openLake(lake.root);
    try {
      return (await opened.query(sql)).rows;
    } finally {
      opened.close();
    }
  };
  const everyReading = (): Promise<QueryResult['rows']> => query('SELECT * FROM vitals ORDER BY device_id, seq');
  const keysUnder = async (prefix: string): Promise<string[]> => (await lake.store.list(prefix)).map((key) => key.slice(prefix.length));

  beforeEach(async () => {
    lake = await tempLake();
    ingestClock = T0 + 3 * HOUR;
    await ingest(validBatch(100, { start: 0 })); // hour 17
    await ingest(validBatch(100, { start: 100 })); // hour 17
    await ingest(validBatch(100, { start: 0 }).slice(50, 60)); // a redelivery: the same readings in another file
    await ingest(validBatch(100, { start: 3_550 })); // hours 17 and 18: one file in 18
    await ingest(validBatch(50, { start: 7_200 })); // hour 19, still open
    await ingest(validBatch(50, { start: 7_250 })); // hour 19, still open
  });
  afterEach(async () => {
    await lake.close();
  });

  it('folds a closed hour into one file that holds every reading exactly once, and leaves other hours alone', async () => {
    const before = await everyReading();
    expect(before).toHaveLength(400);
    expect((await query('SELECT count(*) FROM curated_vitals'))[0]![0]).toBe(410); // the redelivered 10 stored twice
    const hour19 = await keysUnder(PARTITION_19);
    expect(await keysUnder(PARTITION_17)).toHaveLength(4);

    const summary = await compactCuratedLake({ store: lake.store, nowMs: NOW, graceMs: GRACE });

    // Hour 18 holds one small file: compacted too, so that it has its rollup.
    expect(summary.partitions.map((p) => p.target)).toEqual([`${PARTITION_17}compacted.parquet`, `${PARTITION_18}compacted.parquet`]);
    expect(summary.partitions[0]).toMatchObject({ filesRead: 4, filesDeleted: 4, filesKept: 0, rowsIn: 260, rowsOut: 250, duplicates: 10 });
    expect(await keysUnder(PARTITION_17)).toEqual(['compacted.parquet']);
    expect(await keysUnder(PARTITION_19)).toEqual(hour19);
    expect(await everyReading()).toEqual(before);
    expect((await query('SELECT count(*) FROM curated_vitals'))[0]![0]).toBe(400);
    const order = await query(`SELECT device_id, seq FROM read_parquet('${lake.root}/${PARTITION_17}compacted.parquet')`);
    expect(order).toEqual([...order].sort((x, y) => String(x[0]).localeCompare(String(y[0])) || Number(x[1]) - Number(y[1])));
  });

  it('writes the rollup of every hour it compacts into its day file, equal to aggregating the readings', async () => {
    await compactCuratedLake({ store: lake.store, nowMs: NOW, graceMs: GRACE });

    expect(await keysUnder('rollup/hourly/')).toEqual(['dt=2026-11-24/rollup.parquet']);
    const fromReadings = `SELECT patient_key, hour, count(*), count(heart_rate), sum(heart_rate), min(heart_rate), max(heart_rate), count(spo2), sum(spo2),
      min(spo2), sum(respiratory_rate), sum(systolic_bp), sum(diastolic_bp), count(temperature_c), max(temperature_c), max(news2_total)
      FROM vitals WHERE hour IN ('17', '18') GROUP BY ALL ORDER BY hour, patient_key`;
    const fromRollup = `SELECT patient_key, hour, readings, heart_rate_count, heart_rate_sum, heart_rate_min, heart_rate_max, spo2_count, spo2_sum,
      spo2_min, respiratory_rate_sum, systolic_bp_sum, diastolic_bp_sum, temperature_c_count, temperature_c_max, news2_max
      FROM vitals_hourly_rollup ORDER BY hour, patient_key`;
    const expected = await query(fromReadings);
    expect(expected.length).toBeGreaterThan(1);
    expect(await query(fromRollup)).toEqual(expected);
  });

  it('is idempotent: a second pass changes nothing, and a pass after a crash between write and delete finishes the job', async () => {
    const smallFiles = new Map<string, Uint8Array>();
    for (const key of await lake.store.list(PARTITION_17)) smallFiles.set(key, (await lake.store.get(key))!);
    await compactCuratedLake({ store: lake.store, nowMs: NOW, graceMs: GRACE });
    const compacted = await snapshot(lake.store);
    const again = await compactCuratedLake({ store: lake.store, nowMs: NOW, graceMs: GRACE });
    expect(again.partitions).toEqual([]);
    expect(await snapshot(lake.store)).toEqual(compacted);

    // A crash after the write and before the deletes leaves the small files next to the compacted one.
    for (const [key, bytes] of smallFiles) await lake.store.put(key, bytes);
    expect(await lake.store.list(PARTITION_17)).toHaveLength(5);
    const finished = await compactCuratedLake({ store: lake.store, nowMs: NOW, graceMs: GRACE });
    expect(finished.partitions[0]).toMatchObject({ filesRead: 5, filesDeleted: 4, rowsIn: 510, rowsOut: 250 });
    expect(await snapshot(lake.store)).toEqual(compacted);
  });

  it('folds a late file into the compacted hour at the next pass without losing or doubling a reading', async () => {
    await compactCuratedLake({ store: lake.store, nowMs: NOW, graceMs: GRACE });
    // Hours later: new readings of hour 17 (a monitor's outbox drained) and a redelivery of old ones.
    await ingest(validBatch(300, { start: 0 }).slice(200, 300));
    await ingest(validBatch(100, { start: 0 }).slice(0, 5));
    expect(await keysUnder(PARTITION_17)).toHaveLength(3);
    const before = await everyReading();
    expect(before).toHaveLength(500);

    const summary = await compactCuratedLake({ store: lake.store, nowMs: NOW + HOUR, graceMs: GRACE });

    expect(summary.partitions.map((p) => p.target)).toEqual([`${PARTITION_17}compacted.parquet`, `${PARTITION_19}compacted.parquet`]);
    expect(summary.partitions[0]).toMatchObject({ filesRead: 3, filesDeleted: 2, rowsOut: 350, duplicates: 5 });
    expect(await keysUnder(PARTITION_17)).toEqual(['compacted.parquet']);
    expect(await everyReading()).toEqual(before);
  });

  it('keeps a small file that changed after it was read (an ETL retry under the same key)', async () => {
    const [first] = await lake.store.list(PARTITION_17);
    const store = {
      ...lake.store,
      // The ETL rewrites `first` between the compactor's read and its delete check.
      async put(key: string, body: Uint8Array, contentType?: string) {
        await lake.store.put(key, body, contentType);
        if (key.endsWith('compacted.parquet')) await lake.store.put(first!, new Uint8Array([...(await lake.store.get(first!))!, 0]));
      },
    };
    const summary = await compactCuratedLake({ store, nowMs: NOW, graceMs: GRACE });
    expect(summary.partitions[0]).toMatchObject({ filesDeleted: 3, filesKept: 1 });
    expect(await keysUnder(PARTITION_17)).toEqual(['compacted.parquet', first!.slice(PARTITION_17.length)]);
  });

  it('skips a partition holding a file it cannot read, deletes nothing there, and still compacts the others', async () => {
    await lake.store.put(`${PARTITION_17}broken.parquet`, new TextEncoder().encode('not parquet'));
    const hour17 = await keysUnder(PARTITION_17);
    const lines: string[] = [];

    const summary = await compactCuratedLake({ store: lake.store, nowMs: NOW + HOUR, graceMs: GRACE, log: (line) => lines.push(line) });

    expect(summary.failed).toEqual([{ target: `${PARTITION_17}compacted.parquet`, error: expect.stringContaining('broken.parquet') }]);
    expect(summary.partitions.map((p) => p.target)).toEqual([`${PARTITION_18}compacted.parquet`, `${PARTITION_19}compacted.parquet`]);
    expect(await keysUnder(PARTITION_17)).toEqual(hour17);
    expect(lines.some((line) => line.includes('retried next pass'))).toBe(true);
  });

  it('runs on its own as the local runner, one pass after another, and stops cleanly', async () => {
    const lines: string[] = [];
    const compactor = startCompactor({ store: lake.store, intervalMs: 20, graceMs: GRACE, clock: () => NOW, log: (line) => lines.push(line) });
    try {
      const deadline = Date.now() + 10_000;
      while ((await keysUnder(PARTITION_17)).length > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await keysUnder(PARTITION_17)).toEqual(['compacted.parquet']);
      expect((await compactor.runOnce()).partitions).toEqual([]);
    } finally {
      await compactor.close();
    }
    expect(lines.some((line) => line.includes('compacted curated partition'))).toBe(true);
  });
});
