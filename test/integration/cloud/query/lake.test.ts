/**
 * The local lake against the Glue definition and the sample data: the DuckDB view has the Glue table's
 * columns and types; every named query runs over the sample messages put through the real ETL handler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakeEmptyError } from '../../../../cloud/query/errors.ts';
import { openLake, type Lake, type QueryResult } from '../../../../cloud/query/lake.ts';
import { glueColumns, gluePartitionKeys } from '../../../../cloud/sql/glue-table.ts';
import { NAMED_QUERIES, findNamedQuery } from '../../../../cloud/sql/named-queries.ts';
import { compactCuratedLake } from '../../../../cloud/etl/compaction/compact.ts';
import { createFsStore } from '../../../../cloud/lake/fs-store.ts';
import { recentSampleBatches, sampleBatches, utcDay, writeLakeThroughEtl } from './etl-lake-fixture.ts';

interface Manifest { period_ms: number; streams: { device_id: string; scenario: string; ward: string; bed: string; messages: number }[] }

const sampleDir = join(import.meta.dirname, '../../../../sample-data/raw');
const { dt, midnight } = utcDay(1);
let manifest: Manifest;
let dir: string;
let lake: Lake;
/** The same sample streams played as if they had started 35 minutes ago (their 30 minutes end 5 minutes ago). */
let recentDir: string;
let recentLake: Lake;

beforeAll(async () => {
  manifest = JSON.parse(await readFile(join(sampleDir, 'manifest.json'), 'utf8')) as Manifest;
  dir = await mkdtemp(join(tmpdir(), 'sample-lake-'));
  await writeLakeThroughEtl(dir, sampleBatches(sampleDir, midnight, 100));
  // Yesterday's hours are closed: compacted and rolled up, as the hourly pass leaves them.
  await compactCuratedLake({ store: createFsStore(dir), nowMs: Date.now(), graceMs: 15 * 60_000 });
  lake = await openLake(dir);
  recentDir = await mkdtemp(join(tmpdir(), 'sample-lake-recent-'));
  await writeLakeThroughEtl(recentDir, recentSampleBatches(sampleDir, Date.now() - 35 * 60_000, 100));
  recentLake = await openLake(recentDir);
});

afterAll(async () => {
  lake?.close();
  recentLake?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(recentDir, { recursive: true, force: true });
});

const objects = (result: QueryResult): Record<string, unknown>[] =>
  result.rows.map((row) => Object.fromEntries(result.columns.map((name, i) => [name, row[i]])));

async function named(name: string): Promise<Record<string, unknown>[]> {
  return objects(await lake.query(findNamedQuery(name)!.sql));
}

const ATHENA_TO_DUCKDB: Record<string, string> = {
  string: 'VARCHAR', bigint: 'BIGINT', int: 'INTEGER', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP',
};

describe('openLake', () => {
  it('exposes curated_vitals and vitals with exactly the Glue table columns and types', async () => {
    const glue = [...glueColumns(), ...gluePartitionKeys()].map((c) => [c.name, ATHENA_TO_DUCKDB[c.type]]);
    for (const view of ['curated_vitals', 'vitals']) {
      const described = (await lake.query(`DESCRIBE ${view}`)).rows.map((row) => [row[0], row[1]]);
      expect(described, view).toEqual(glue);
    }
  });

  it('reads Parquet timestamps as UTC wall-clock timestamps', async () => {
    const [row] = objects(await lake.query("SELECT min(measured_at) AS first FROM vitals WHERE device_id = 'bedside-001'"));
    expect(row!.first).toBe(`${dt} 08:00:00`);
  });

  it('refuses an empty lake with a message that says what to do', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'empty-lake-'));
    try {
      await expect(openLake(empty)).rejects.toThrow(LakeEmptyError);
      await expect(openLake(empty)).rejects.toThrow(/no curated data.*npm start/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('the named queries over the sample data', () => {
  it('runs every named query unchanged', async () => {
    for (const query of NAMED_QUERIES) {
      // latest-vitals-per-bed shows beds heard from in the last hour: the recent copy of the samples.
      const result = await (query.name === 'latest-vitals-per-bed' ? recentLake : lake).query(query.sql);
      expect(result.rows.length, query.name).toBeGreaterThan(0);
    }
  });

  it('latest-vitals-per-bed lists every sample bed once, at its last reading, and none from yesterday', async () => {
    expect(await named('latest-vitals-per-bed')).toEqual([]);
    const rows = objects(await recentLake.query(findNamedQuery('latest-vitals-per-bed')!.sql));
    expect(rows.map((r) => [r.ward, r.bed, r.device_id])).toEqual(
      manifest.streams.map((s) => [s.ward, s.bed, s.device_id]).sort((x, y) => `${x[0]}/${x[1]}`.localeCompare(`${y[0]}/${y[1]}`)),
    );
    const byScenario = new Map(manifest.streams.map((s) => [s.scenario, rows.find((r) => r.device_id === s.device_id)]));
    expect(byScenario.get('stable')?.news2_band).toBe('low');
    for (const deteriorating of ['sepsis', 'respiratory_failure', 'haemorrhage']) {
      expect(byScenario.get(deteriorating)?.news2_band, deteriorating).toBe('high');
    }
  });

  it('device-gaps-and-duplicates finds no gap and no duplicate in the sample streams', async () => {
    const rows = await named('device-gaps-and-duplicates');
    expect(rows).toHaveLength(manifest.streams.length);
    for (const stream of manifest.streams) {
      expect(rows.find((r) => r.device_id === stream.device_id)).toMatchObject({ first_seq: 1, last_seq: stream.messages, readings: stream.messages, missing: 0, gaps: 0, duplicates: 0 });
    }
  });

  it('news2-escalations-by-ward-hour shows the deteriorating patients escalating', async () => {
    const rows = await named('news2-escalations-by-ward-hour');
    const total = manifest.streams.reduce((sum, s) => sum + s.messages, 0);
    expect(rows.reduce((sum, r) => sum + Number(r.readings), 0)).toBe(total);
    const escalated = rows.reduce((max, r) => Math.max(max, Number(r.patients_medium_or_high)), 0);
    expect(escalated).toBeGreaterThanOrEqual(3);
    expect(rows.reduce((sum, r) => sum + Number(r.escalations), 0)).toBeGreaterThanOrEqual(escalated);
  });

  it('ingest-latency-percentiles spans the latencies the fixture gave (batches of 100, clock 1 s after the last)', async () => {
    const rows = await named('ingest-latency-percentiles');
    expect(rows.reduce((sum, r) => sum + Number(r.readings), 0)).toBe(manifest.streams.reduce((sum, s) => sum + s.messages, 0));
    expect(Math.max(...rows.map((r) => Number(r.max_ms)))).toBe(99 * manifest.period_ms + 1_000);
    for (const row of rows) expect(Number(row.p50_ms)).toBeLessThanOrEqual(Number(row.p99_ms));
  });

  it('hourly-aggregates-per-patient has one row per patient hour and no vital out of physiological range', async () => {
    const rows = await named('hourly-aggregates-per-patient');
    const total = manifest.streams.reduce((sum, s) => sum + s.messages, 0);
    expect(rows.reduce((sum, r) => sum + Number(r.readings), 0)).toBe(total);
    expect(new Set(rows.map((r) => r.patient_key)).size).toBe(manifest.streams.length);
    for (const row of rows) {
      expect(Number(row.heart_rate_min)).toBeGreaterThan(20);
      expect(Number(row.heart_rate_max)).toBeLessThan(250);
      expect(row.patient_key).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
