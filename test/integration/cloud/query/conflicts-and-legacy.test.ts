/**
 * Issue 12 over a lake written by the real ETL handler and compacted by the real pass: a seq reused with
 * other content in another hour, legacy readings next to vitals/1 seqs of the same device.
 * Yesterday's hours, so that the named queries see them and every hour is closed for the compactor.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { compactCuratedLake } from '../../../../cloud/etl/compaction/compact.ts';
import { KEY_INDEX_KEY } from '../../../../cloud/etl/compaction/key-index.ts';
import { createFsStore } from '../../../../cloud/lake/fs-store.ts';
import type { ObjectStore } from '../../../../cloud/lake/object-store.ts';
import { openLake, type Lake } from '../../../../cloud/query/lake.ts';
import { findNamedQuery } from '../../../../cloud/sql/named-queries.ts';
import { LEGACY_SEQ_BASE } from '../../../../device/contract/index.ts';
import { utcDay, vitals, writeLakeThroughEtl } from './etl-lake-fixture.ts';

const { midnight } = utcDay(1);
const at = (hour: number, minute: number, second = 0): number => midnight + ((hour * 60 + minute) * 60 + second) * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();
const a = (seq: number, time: number, extra: Record<string, unknown> = {}) => vitals({ device_id: 'bedside-a', patient_id: 'PA', seq, timestamp: iso(time), ...extra });

const dirs: string[] = [];
const lakes: Lake[] = [];
afterEach(async () => {
  for (const lake of lakes.splice(0)) lake.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function lakeDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'conflicts-lake-'));
  dirs.push(dir);
  return dir;
}

async function query(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const lake = await openLake(dir);
  lakes.push(lake);
  const result = await lake.query(sql);
  return result.rows.map((row) => Object.fromEntries(result.columns.map((name, i) => [name, row[i]])));
}

async function quarantineLines(dir: string): Promise<Record<string, any>[]> {
  const root = join(dir, 'quarantine/vitals');
  const lines: Record<string, any>[] = [];
  for (const day of await readdir(root).catch(() => [])) {
    for (const file of await readdir(join(root, day))) {
      const text = gunzipSync(await readFile(join(root, day, file))).toString();
      for (const line of text.split('\n').filter((l) => l !== '')) lines.push(JSON.parse(line) as Record<string, any>);
    }
  }
  return lines;
}

const gaps = findNamedQuery('device-gaps-and-duplicates')!.sql;
const copiesOf2 = "SELECT seq, hour, heart_rate FROM vitals WHERE device_id = 'bedside-a' AND seq = 2";

describe('a seq reused with other content in another hour', () => {
  it('shows in both hours until compaction, counted as a conflict; then vitals keeps the first ingested and quarantine the other, with its bytes', async () => {
    const dir = await lakeDir();
    const reused = a(2, at(11, 0), { heart_rate: 130 });
    await writeLakeThroughEtl(dir, [
      { clockMs: at(10, 1), messages: [a(1, at(10, 0, 0)), a(2, at(10, 0, 10)), a(3, at(10, 0, 20))] },
      { clockMs: at(11, 5), messages: [reused, a(4, at(11, 0, 30))] },
    ]);
    // Before compaction: the view dedups within an hour only (pruning), so both copies show; the gaps query counts it.
    expect(await query(dir, copiesOf2)).toHaveLength(2);
    expect(await query(dir, gaps)).toEqual([
      { device_id: 'bedside-a', first_seq: 1, last_seq: 4, readings: 4, missing: 0, gaps: 0, duplicates: 1, conflicts: 1, legacy_readings: 0, gap_ranges: null },
    ]);

    const summary = await compactCuratedLake({ store: createFsStore(dir), nowMs: Date.now(), graceMs: 15 * 60_000 });

    expect(summary.conflicts).toBe(1);
    expect(await query(dir, copiesOf2)).toEqual([{ seq: 2, hour: '10', heart_rate: 70 }]);
    expect(await query(dir, 'SELECT count(*) AS n FROM curated_vitals')).toEqual([{ n: 4 }]);
    expect((await query(dir, gaps))[0]).toMatchObject({ readings: 4, duplicates: 0, conflicts: 0 });
    const [entry, ...others] = await quarantineLines(dir);
    expect(others).toEqual([]);
    expect(entry!.reasons).toEqual([{ code: 'conflicting_duplicate', field: 'seq', message: expect.stringMatching(/seq 2 is stored twice with different content: this copy \(measured_at .*T11:00:00.000Z.*dt=.*hour=11\) was ingested after the copy the vitals view keeps \(measured_at .*T10:00:10.000Z.*hour=10\)$/) }]);
    expect(JSON.parse(Buffer.from(entry!.payload_base64 as string, 'base64').toString())).toEqual(reused);
    expect(entry!.envelope).toMatchObject({ thing_name: 'bedside-a' });

    // A second pass has nothing left to settle and moves nothing twice.
    const again = await compactCuratedLake({ store: createFsStore(dir), nowMs: Date.now() + 3_600_000, graceMs: 15 * 60_000 });
    expect(again.conflicts).toBe(0);
    expect(await quarantineLines(dir)).toHaveLength(1);
  });

  it('removes nothing when the quarantine write fails, and settles the conflict on the next pass', async () => {
    const dir = await lakeDir();
    await writeLakeThroughEtl(dir, [
      { clockMs: at(10, 1), messages: [a(1, at(10, 0)), a(2, at(10, 0, 10))] },
      { clockMs: at(11, 5), messages: [a(2, at(11, 0), { heart_rate: 130 })] },
    ]);
    const fs = createFsStore(dir);
    let failQuarantine = true;
    const flaky: ObjectStore = {
      ...fs,
      put: async (key, body, type) => {
        if (failQuarantine && key.startsWith('quarantine/')) throw new Error('store unavailable');
        return fs.put(key, body, type);
      },
    };
    const first = await compactCuratedLake({ store: flaky, nowMs: Date.now(), graceMs: 15 * 60_000 });
    expect(first.failed.map((failure) => failure.target)).toEqual([expect.stringContaining('hour=11/compacted.parquet')]);
    expect(await query(dir, copiesOf2)).toHaveLength(2);
    expect(await quarantineLines(dir)).toEqual([]);

    failQuarantine = false;
    const second = await compactCuratedLake({ store: flaky, nowMs: Date.now(), graceMs: 15 * 60_000 });
    expect([second.failed, second.conflicts]).toEqual([[], 1]);
    expect(await query(dir, copiesOf2)).toEqual([{ seq: 2, hour: '10', heart_rate: 70 }]);
    expect(await quarantineLines(dir)).toHaveLength(1);
  });

  it('rebuilds a missing key index from the compacted hours, and still finds the conflict', async () => {
    const dir = await lakeDir();
    const store = createFsStore(dir);
    await writeLakeThroughEtl(dir, [{ clockMs: at(10, 1), messages: [a(1, at(10, 0)), a(2, at(10, 0, 10))] }]);
    await compactCuratedLake({ store, nowMs: at(11, 20), graceMs: 15 * 60_000 });
    await store.delete(KEY_INDEX_KEY);
    await writeLakeThroughEtl(dir, [{ clockMs: at(11, 5), messages: [a(2, at(11, 0), { heart_rate: 130 })] }]);
    const summary = await compactCuratedLake({ store, nowMs: Date.now(), graceMs: 15 * 60_000 });
    expect(summary.conflicts).toBe(1);
    expect(await query(dir, copiesOf2)).toEqual([{ seq: 2, hour: '10', heart_rate: 70 }]);
    expect(await store.get(KEY_INDEX_KEY)).toBeDefined();
  });

  it('takes the losing copy out of an hour compacted earlier, rewriting that hour and its rollup', async () => {
    const dir = await lakeDir();
    await writeLakeThroughEtl(dir, [
      { clockMs: at(11, 1), messages: [a(5, at(11, 0)), a(6, at(11, 0, 10))] },
      // Ingested later, measured earlier (a replay with a reused seq): it lands in hour 10, compacted first.
      { clockMs: at(11, 30), messages: [a(6, at(10, 30), { heart_rate: 50 }), a(1, at(10, 20))] },
    ]);
    const summary = await compactCuratedLake({ store: createFsStore(dir), nowMs: Date.now(), graceMs: 15 * 60_000 });
    expect(summary.conflicts).toBe(1);
    expect(await query(dir, "SELECT seq, hour, heart_rate FROM vitals WHERE device_id = 'bedside-a' ORDER BY seq")).toEqual([
      { seq: 1, hour: '10', heart_rate: 70 }, { seq: 5, hour: '11', heart_rate: 70 }, { seq: 6, hour: '11', heart_rate: 70 },
    ]);
    expect(await query(dir, "SELECT hour, readings FROM vitals_hourly_rollup ORDER BY hour")).toEqual([{ hour: '10', readings: 1 }, { hour: '11', readings: 2 }]);
    const lines = await quarantineLines(dir);
    expect(lines.map((line) => JSON.parse(Buffer.from(line.payload_base64 as string, 'base64').toString()) as unknown)).toEqual([a(6, at(10, 30), { heart_rate: 50 })]);
  });

  it('keeps the first ingested of two different copies in one hour, in the view at once and after compaction', async () => {
    const dir = await lakeDir();
    await writeLakeThroughEtl(dir, [
      { clockMs: at(10, 1), messages: [a(1, at(10, 0)), a(2, at(10, 0, 10))] },
      { clockMs: at(10, 59), messages: [a(2, at(10, 50), { heart_rate: 140 })] },
    ]);
    expect(await query(dir, copiesOf2)).toEqual([{ seq: 2, hour: '10', heart_rate: 70 }]);
    expect((await query(dir, gaps))[0]).toMatchObject({ duplicates: 1, conflicts: 1 });
    await compactCuratedLake({ store: createFsStore(dir), nowMs: Date.now(), graceMs: 15 * 60_000 });
    expect(await query(dir, copiesOf2)).toEqual([{ seq: 2, hour: '10', heart_rate: 70 }]);
    expect((await quarantineLines(dir)).map((line) => line.reasons[0].code)).toEqual(['conflicting_duplicate']);
  });
});

describe('legacy readings next to vitals/1 seqs', () => {
  it('counts them apart in device-gaps-and-duplicates: no giant gap, no collision with seq 5', async () => {
    const dir = await lakeDir();
    const legacy = (time: number) => ({ device_id: 'bedside-a', patient_id: 'PA', heart_rate: 80, temperature: 98.6, timestamp: iso(time) });
    await writeLakeThroughEtl(dir, [
      { clockMs: at(10, 5), messages: [a(0, at(10, 0)), a(1, at(10, 0, 10)), a(2, at(10, 0, 20)), a(5, at(10, 0, 50)), legacy(at(10, 1)), legacy(at(10, 2))] },
    ]);
    expect(await query(dir, gaps)).toEqual([
      { device_id: 'bedside-a', first_seq: 0, last_seq: 5, readings: 4, missing: 2, gaps: 1, duplicates: 0, conflicts: 0, legacy_readings: 2, gap_ranges: '3-4' },
    ]);
    expect(await query(dir, "SELECT source_schema, seq FROM vitals WHERE device_id = 'bedside-a' AND seq >= 5 ORDER BY seq")).toEqual([
      { source_schema: 'vitals/1', seq: 5 }, { source_schema: 'legacy', seq: LEGACY_SEQ_BASE + at(10, 1) }, { source_schema: 'legacy', seq: LEGACY_SEQ_BASE + at(10, 2) },
    ]);
  });
});
