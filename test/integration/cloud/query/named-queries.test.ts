/**
 * Every named query over a small lake written by the real ETL handler, with values worked out by hand:
 * three monitors, one with seq 1,2,4,4 (a gap and a duplicate delivered in two batches), one whose
 * patient goes from NEWS2 low to medium to high, one with seq 10,11,12,15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactCuratedLake } from '../../../../cloud/etl/compaction/compact.ts';
import { createPseudonymiser } from '../../../../cloud/etl/pseudonym.ts';
import { createFsStore } from '../../../../cloud/lake/fs-store.ts';
import { openLake, type Lake, type QueryResult } from '../../../../cloud/query/lake.ts';
import { findNamedQuery } from '../../../../cloud/sql/named-queries.ts';
import { FIXTURE_HMAC_KEY, utcDay, vitals, writeLakeThroughEtl } from './etl-lake-fixture.ts';

const { dt, midnight } = utcDay(1);
const at = (hour: number, minute: number, second = 0): number => midnight + ((hour * 60 + minute) * 60 + second) * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

const a = (seq: number, time: number) => vitals({ device_id: 'bedside-a', patient_id: 'PA', ward: 'ward-1', bed: 'bed-1', seq, timestamp: iso(time) });
const b = (seq: number, time: number, extra: Record<string, unknown> = {}) => vitals({ device_id: 'bedside-b', patient_id: 'PB', ward: 'ward-1', bed: 'bed-2', seq, timestamp: iso(time), ...extra });
const c = (seq: number, time: number) => vitals({ device_id: 'bedside-c', patient_id: 'PC', ward: 'ward-2', bed: 'bed-1', seq, timestamp: iso(time) });
// NEWS2: respiration 25 -> 3, pulse 115 -> 2: total 5, medium. Adding pulse 135 -> 3 and SpO2 93 -> 2: total 8, high.
const MEDIUM = { respiratory_rate: 25, heart_rate: 115 };
const HIGH = { respiratory_rate: 25, heart_rate: 135, spo2: 93 };

let dir: string;
let lake: Lake;
/** The same lake after the hourly compaction pass (its hours are yesterday's: closed, rolled up). */
let compactedDir: string;
let compactedLake: Lake;
/** Readings of the last 90 minutes: bed-1 and bed-3 current, bed-2 silent for more than an hour. */
let recentDir: string;
let recentLake: Lake;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'query-lake-'));
  await writeLakeThroughEtl(dir, [
    { clockMs: at(10, 1), messages: [a(1, at(10, 0, 0)), a(2, at(10, 0, 10)), a(4, at(10, 0, 30)), b(1, at(10, 0)), c(10, at(10, 0, 0)), c(11, at(10, 0, 20))] },
    // bedside-a seq 4 again: a redelivery that lands in a second batch (a second Parquet file).
    { clockMs: at(10, 2), messages: [a(4, at(10, 0, 30)), c(12, at(10, 0, 40)), c(15, at(10, 1, 40))] },
    { clockMs: at(11, 20), messages: [b(2, at(11, 5), MEDIUM), b(3, at(11, 10), HIGH), b(4, at(11, 15))] },
  ]);
  lake = await openLake(dir);
  compactedDir = await mkdtemp(join(tmpdir(), 'query-lake-compacted-'));
  await cp(dir, compactedDir, { recursive: true });
  await compactCuratedLake({ store: createFsStore(compactedDir), nowMs: Date.now(), graceMs: 15 * 60_000 });
  compactedLake = await openLake(compactedDir);

  const now = Date.now();
  const ago = (minutes: number): string => iso(now - minutes * 60_000);
  recentDir = await mkdtemp(join(tmpdir(), 'query-lake-recent-'));
  await writeLakeThroughEtl(recentDir, [{
    clockMs: now,
    messages: [
      a(1, Date.parse(ago(50))), a(2, Date.parse(ago(10))),
      b(1, Date.parse(ago(85)), HIGH),
      c(1, Date.parse(ago(30))), c(2, Date.parse(ago(20))),
    ],
  }]);
  recentLake = await openLake(recentDir);
});

afterAll(async () => {
  lake?.close();
  compactedLake?.close();
  recentLake?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(compactedDir, { recursive: true, force: true });
  await rm(recentDir, { recursive: true, force: true });
});

async function named(name: string): Promise<Record<string, unknown>[]> {
  const query = findNamedQuery(name);
  if (query === undefined) throw new Error(`no named query ${name}`);
  return objects(await lake.query(query.sql));
}

const objects = (result: QueryResult): Record<string, unknown>[] =>
  result.rows.map((row) => Object.fromEntries(result.columns.map((name, i) => [name, row[i]])));

describe('the named queries over a lake written by the ETL', () => {
  it('keeps both copies in curated_vitals and one in vitals', async () => {
    const [counts] = objects(await lake.query('SELECT (SELECT count(*) FROM curated_vitals) AS stored, (SELECT count(*) FROM vitals) AS unique_readings'));
    expect(counts).toEqual({ stored: 12, unique_readings: 11 });
  });

  it('latest-vitals-per-bed shows the newest reading of each bed heard from in the last hour', async () => {
    // Changed on purpose: a bed silent for more than an hour is no longer "latest" (it was: today and yesterday).
    expect(await named('latest-vitals-per-bed')).toEqual([]); // the fixture's readings are yesterday's
    const result = objects(await recentLake.query(findNamedQuery('latest-vitals-per-bed')!.sql));
    expect(result.map((r) => [r.ward, r.bed, r.device_id, r.news2_band])).toEqual([
      ['ward-1', 'bed-1', 'bedside-a', 'low'],
      ['ward-2', 'bed-1', 'bedside-c', 'low'],
    ]);
    const minute = (minutesAgo: number): string => new Date(Date.now() - minutesAgo * 60_000).toISOString().replace('T', ' ').slice(0, 15);
    expect(result.map((r) => String(r.measured_at).slice(0, 15))).toEqual([minute(10), minute(20)]);
  });

  it('news2-escalations-by-ward-hour counts low->medium and medium->high as escalations', async () => {
    const rows = await named('news2-escalations-by-ward-hour');
    expect(rows).toEqual([
      { ward: 'ward-1', dt, hour: '10', readings: 4, escalations: 0, medium_readings: 0, high_readings: 0, patients_medium_or_high: 0, max_news2: 0 },
      { ward: 'ward-2', dt, hour: '10', readings: 4, escalations: 0, medium_readings: 0, high_readings: 0, patients_medium_or_high: 0, max_news2: 0 },
      { ward: 'ward-1', dt, hour: '11', readings: 3, escalations: 2, medium_readings: 1, high_readings: 1, patients_medium_or_high: 1, max_news2: 8 },
    ]);
  });

  it('device-gaps-and-duplicates finds seq 1,2,4,4 as one gap and one duplicate', async () => {
    const rows = await named('device-gaps-and-duplicates');
    expect(rows).toEqual([
      { device_id: 'bedside-c', first_seq: 10, last_seq: 15, readings: 4, missing: 2, gaps: 1, duplicates: 0, conflicts: 0, legacy_readings: 0, gap_ranges: '13-14' },
      { device_id: 'bedside-a', first_seq: 1, last_seq: 4, readings: 3, missing: 1, gaps: 1, duplicates: 1, conflicts: 0, legacy_readings: 0, gap_ranges: '3' },
      { device_id: 'bedside-b', first_seq: 1, last_seq: 4, readings: 4, missing: 0, gaps: 0, duplicates: 0, conflicts: 0, legacy_readings: 0, gap_ranges: null },
    ]);
  });

  it('ingest-latency-percentiles reports the first arrival of each reading per hour', async () => {
    const rows = await named('ingest-latency-percentiles');
    // Hour 10, first arrivals: 60, 50, 30, 60, 60, 40 s (batch 1) and 80, 20 s (batch 2); the duplicate's 90 s is not
    // counted. Nearest rank over 8 values: p50 is the 4th (50 s), p90 the 8th (ceil 7.2: 80 s).
    expect(rows).toEqual([
      { dt, hour: '10', readings: 8, p50_ms: 50_000, p90_ms: 80_000, p99_ms: 80_000, max_ms: 80_000 },
      { dt, hour: '11', readings: 3, p50_ms: 600_000, p90_ms: 900_000, p99_ms: 900_000, max_ms: 900_000 },
    ]);
  });

  it('hourly-aggregates-per-patient summarises each patient hour under the pseudonym only, from the rollup once compacted', async () => {
    // Hours older than the last three come from the rollup the compaction pass writes: none before it ran.
    expect(await named('hourly-aggregates-per-patient')).toEqual([]);
    const rows = objects(await compactedLake.query(findNamedQuery('hourly-aggregates-per-patient')!.sql));
    const pseudonym = createPseudonymiser(FIXTURE_HMAC_KEY);
    const pb11 = rows.find((r) => r.patient_key === pseudonym('PB') && r.hour === '11');
    expect(pb11).toMatchObject({
      dt, readings: 3, heart_rate_avg: 106.7, heart_rate_min: 70, heart_rate_max: 135,
      spo2_min: 93, respiratory_rate_avg: 22, temperature_c_avg: 37, news2_max: 8,
    });
    expect(rows.map((r) => [r.patient_key, r.hour, r.readings]).sort()).toEqual([
      [pseudonym('PA'), '10', 3], [pseudonym('PB'), '10', 1], [pseudonym('PB'), '11', 3], [pseudonym('PC'), '10', 4],
    ].sort());
    expect(JSON.stringify(rows)).not.toMatch(/"P[ABC]"/);
  });
});

/** The query as it was before the rollup: every hour aggregated from the readings. */
const HOURLY_FROM_READINGS = `
SELECT
  patient_key, dt, hour, count(*) AS readings,
  round(avg(heart_rate), 1) AS heart_rate_avg, min(heart_rate) AS heart_rate_min, max(heart_rate) AS heart_rate_max,
  round(avg(spo2), 1) AS spo2_avg, min(spo2) AS spo2_min, round(avg(respiratory_rate), 1) AS respiratory_rate_avg,
  round(avg(systolic_bp), 1) AS systolic_bp_avg, round(avg(diastolic_bp), 1) AS diastolic_bp_avg,
  round(avg(temperature_c), 2) AS temperature_c_avg, max(temperature_c) AS temperature_c_max, max(news2_total) AS news2_max
FROM vitals
WHERE dt >= CAST(CAST(current_date - INTERVAL '1' DAY AS date) AS varchar)
GROUP BY patient_key, dt, hour
ORDER BY patient_key, dt, hour`;

describe('hourly-aggregates-per-patient over the rollup and the recent readings', () => {
  let wardDir: string;
  let ward: Lake;

  beforeAll(async () => {
    // Four monitors every 4 minutes from yesterday 00:00 until now, with nulls, redeliveries and decimals;
    // compacted as the hourly pass would: closed hours rolled up, the last ones left as the ETL wrote them.
    wardDir = await mkdtemp(join(tmpdir(), 'query-lake-ward-'));
    const { midnight: yesterday } = utcDay(1);
    const now = Date.now();
    const batches = [];
    let seq = 0;
    for (let t = yesterday; t < now - 60_000; t += 40 * 60_000) {
      const messages = [];
      for (let at = t; at < Math.min(t + 40 * 60_000, now - 60_000); at += 4 * 60_000) {
        seq += 1;
        for (let d = 0; d < 4; d += 1) {
          const wobble = (seq * (d + 3)) % 17;
          messages.push(vitals({
            device_id: `bedside-${d}`, patient_id: `P${d}`, ward: `ward-${d % 2}`, bed: `bed-${d}`, seq, timestamp: iso(at + d * 1_000),
            heart_rate: 60 + wobble * 3, respiratory_rate: 12 + (wobble % 9), systolic_bp: 100 + wobble * 2, diastolic_bp: 60 + wobble,
            temperature_c: Math.round((36.1 + wobble * 0.13) * 10) / 10,
            ...(wobble === 5 ? { spo2: null, quality: ['spo2_probe_off'] } : { spo2: 90 + (wobble % 10) }),
          }));
        }
      }
      batches.push({ clockMs: Math.min(t + 41 * 60_000, now), messages });
      if (batches.length % 5 === 0) batches.push({ clockMs: Math.min(t + 42 * 60_000, now), messages: messages.slice(0, 3) }); // redelivered
    }
    await writeLakeThroughEtl(wardDir, batches);
    await compactCuratedLake({ store: createFsStore(wardDir), nowMs: now, graceMs: 15 * 60_000 });
    ward = await openLake(wardDir);
  });

  afterAll(async () => {
    ward?.close();
    await rm(wardDir, { recursive: true, force: true });
  });

  it('gives the same rows, types and numbers as aggregating every reading', async () => {
    const expected = await ward.query(HOURLY_FROM_READINGS);
    const actual = await ward.query(findNamedQuery('hourly-aggregates-per-patient')!.sql);
    expect(new Set(expected.rows.map((row) => row[2])).size).toBeGreaterThan(20); // hours from the rollup and from the readings
    expect(actual.types).toEqual(expected.types);
    // Averages are rounded to two decimals from sums added in another order (per hour in the rollup, per
    // reading here): a mean that lands on x.xx5 may round either way, so those cells agree to 0.01; every
    // other cell (keys, counts, minima, maxima) must be equal.
    expect(actual.rows.length).toBe(expected.rows.length);
    actual.rows.forEach((row, r) => row.forEach((cell, c) => {
      const want = expected.rows[r]![c];
      if (typeof cell === 'number' && typeof want === 'number' && !(Number.isInteger(cell) && Number.isInteger(want))) {
        expect(Math.abs(cell - want), `row ${r}, column ${expected.columns[c]}`).toBeLessThanOrEqual(0.0100001);
      } else {
        expect(cell, `row ${r}, column ${expected.columns[c]}`).toEqual(want);
      }
    }));
  });

  it('reads the rollup for closed hours and the readings only for the last three hours', async () => {
    const rolledUp = (await ward.query('SELECT count(DISTINCT dt || hour) FROM vitals_hourly_rollup')).rows[0]![0];
    expect(Number(rolledUp)).toBeGreaterThan(20);
  });
});
