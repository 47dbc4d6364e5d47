/**
 * A restarted dashboard shows the last known readings: a lake written by the real ETL, read back by
 * DuckDB when the server starts, as `npm start` does after Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardFeed } from '../../../../../cloud/local/dashboard/feed.ts';
import type { BedTile, ThingSummary, VitalsSeries } from '../../../../../cloud/local/dashboard/feed-types.ts';
import { createLakeHistory } from '../../../../../cloud/local/dashboard/lake-history.ts';
import { createLakeQueryRunner } from '../../../../../cloud/local/dashboard/lake-queries.ts';
import { startDashboard, type RunningDashboard } from '../../../../../cloud/local/dashboard/server.ts';
import { vitals, writeLakeThroughEtl } from '../../query/etl-lake-fixture.ts';

const MINUTE = 60_000;
let lakeDir: string;
let emptyDir: string;
let now: number;
const running: RunningDashboard[] = [];

beforeAll(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'dashboard-history-'));
  emptyDir = await mkdtemp(join(tmpdir(), 'dashboard-history-empty-'));
  now = Date.now();
  const at = (msAgo: number): string => new Date(now - msAgo).toISOString();
  const bed1 = { device_id: 'bedside-0001', patient_id: 'P1', ward: 'Ward A', bed: '1' };
  const bed2 = { device_id: 'bedside-0002', patient_id: 'P2', ward: 'Ward A', bed: '2' };
  const bed3 = { device_id: 'bedside-0003', patient_id: 'P3', ward: 'Ward B', bed: '7' };
  await writeLakeThroughEtl(lakeDir, [{
    clockMs: now,
    messages: [
      vitals({ ...bed1, seq: 1, timestamp: at(50 * MINUTE) }),
      vitals({ ...bed1, seq: 2, timestamp: at(10 * MINUTE) }),
      vitals({ ...bed1, seq: 3, timestamp: at(5 * MINUTE), temperature_c: 38.4 }),
      // NEWS2 14 before the restart: RR 26 (3), SpO2 90 (3), oxygen (2), SBP 95 (2), HR 125 (2), 39.2 °C (2).
      vitals({ ...bed1, seq: 4, timestamp: at(10_000), respiratory_rate: 26, spo2: 90, on_oxygen: true, systolic_bp: 95, heart_rate: 125, temperature_c: 39.2, battery_pct: 61 }),
      vitals({ ...bed2, seq: 8, timestamp: at(35 * MINUTE) }),
      // A probe-off reading: SpO2 missing, flagged, the score partial.
      vitals({ ...bed2, seq: 9, timestamp: at(30 * MINUTE), spo2: null, quality: ['spo2_probe_off'] }),
      // Silent for two hours: not current, not restored.
      vitals({ ...bed3, seq: 1, timestamp: at(120 * MINUTE) }),
    ],
  }]);
}, 60_000);

afterAll(async () => {
  for (const dashboard of running.splice(0)) await dashboard.close();
  await rm(lakeDir, { recursive: true, force: true });
  await rm(emptyDir, { recursive: true, force: true });
});

async function get<T>(dashboard: RunningDashboard, path: string): Promise<T> {
  const response = await fetch(`${dashboard.url}${path}`);
  expect(response.status).toBe(200);
  return await response.json() as T;
}

async function start(feed: ReturnType<typeof createDashboardFeed>): Promise<RunningDashboard> {
  const dashboard = await startDashboard({ feed, port: 0 });
  running.push(dashboard);
  return dashboard;
}

describe('a dashboard started over a lake', () => {
  it('shows every bed heard from in the last hour on the ward board, with the lake’s NEWS2, as disconnected', async () => {
    const dashboard = await start(createDashboardFeed({ history: createLakeHistory(lakeDir) }));
    expect(dashboard.history).toEqual({ beds: 2, readings: 5 });
    const tiles = await get<BedTile[]>(dashboard, '/api/tiles');
    expect(tiles.map((tile) => tile.thingName).sort()).toEqual(['bedside-0001', 'bedside-0002']);
    const bed1 = tiles.find((tile) => tile.thingName === 'bedside-0001')!;
    expect(bed1).toMatchObject({ ward: 'Ward A', bed: '1', connected: false });
    expect(bed1.latest).toMatchObject({ timestampMs: now - 10_000, heart_rate: 125, spo2: 90, temperature_c: 39.2, on_oxygen: true, consciousness: 'A', quality: [] });
    expect(bed1.news2).toEqual({ total: 14, band: 'high', complete: true, missing: [] });
    const bed2 = tiles.find((tile) => tile.thingName === 'bedside-0002')!;
    expect(bed2.latest).toMatchObject({ spo2: null, quality: ['spo2_probe_off'] });
    expect(bed2.news2).toMatchObject({ complete: false, missing: ['spo2'] });
    const things = await get<ThingSummary[]>(dashboard, '/api/things');
    expect(things.find((thing) => thing.thingName === 'bedside-0001')).toMatchObject({ connected: false, messages: 0, battery: 61, lastSeenMs: now - 10_000 });
  });

  it('fills the bed page with the bed’s last 15 minutes before its newest reading', async () => {
    const dashboard = await start(createDashboardFeed({ history: createLakeHistory(lakeDir) }));
    const series = await get<VitalsSeries & { tile: BedTile }>(dashboard, '/api/beds/bedside-0001/vitals');
    expect(series.t).toEqual([now - 10 * MINUTE, now - 5 * MINUTE, now - 10_000]);
    expect(series.series.temperature_c).toEqual([37, 38.4, 39.2]);
    expect(series.series.news2).toEqual([0, 1, 14]);
    expect(series.tile.news2?.total).toBe(14);
  });

  it('shares a cap on readings evenly between the beds, each keeping its newest', async () => {
    const readings = await createLakeHistory(lakeDir, { maxReadings: 4 }).recent(now - 60 * MINUTE);
    expect(readings.map((reading) => [reading.device_id, now - reading.measured_at_ms])).toEqual([
      ['bedside-0001', 5 * MINUTE], ['bedside-0001', 10_000], ['bedside-0002', 35 * MINUTE], ['bedside-0002', 30 * MINUTE],
    ]);
  });

  it('restores the newest reading per bed through the latest-vitals-per-bed named query when no history source is given', async () => {
    const dashboard = await start(createDashboardFeed({ queries: createLakeQueryRunner(lakeDir) }));
    expect(dashboard.history).toEqual({ beds: 2, readings: 2 });
    const bed1 = (await get<BedTile[]>(dashboard, '/api/tiles')).find((tile) => tile.thingName === 'bedside-0001')!;
    expect(bed1.latest).toMatchObject({ timestampMs: now - 10_000, heart_rate: 125, temperature_c: 39.2 });
    expect(bed1.news2).toEqual({ total: 14, band: 'high', complete: true, missing: [] });
    const series = await get<VitalsSeries>(dashboard, '/api/beds/bedside-0002/vitals');
    expect(series.t).toEqual([now - 30 * MINUTE]);
    expect(series.series.spo2).toEqual([null]);
  });

  it('lets live readings win: the lake fills in only before a bed’s first live reading', async () => {
    const feed = createDashboardFeed({ history: createLakeHistory(lakeDir) });
    feed.pushVitals({
      schema: 'vitals/1', device_id: 'bedside-0001', patient_id: 'P1', seq: 5, timestamp: new Date(now - 5 * MINUTE).toISOString(),
      heart_rate: 118, spo2: 91, respiratory_rate: 24, systolic_bp: 99, diastolic_bp: 60, temperature_c: 39.1, on_oxygen: true,
      ward: 'Ward A', bed: '1', consciousness: 'A', battery_pct: 60,
    });
    expect(await feed.loadHistory()).toEqual({ beds: 2, readings: 3 });
    expect(feed.recentVitals('bedside-0001')?.t).toEqual([now - 10 * MINUTE, now - 5 * MINUTE]);
    expect(feed.tile('bedside-0001')).toMatchObject({ connected: true, latest: { heart_rate: 118 } });
  });

  it('starts with an empty board, and no error, over a lake with no curated data yet', async () => {
    const errors: unknown[] = [];
    const dashboard = await startDashboard({ feed: createDashboardFeed({ history: createLakeHistory(emptyDir) }), port: 0, onError: (error) => errors.push(error) });
    running.push(dashboard);
    expect(dashboard.history).toEqual({ beds: 0, readings: 0 });
    expect(await get<BedTile[]>(dashboard, '/api/tiles')).toEqual([]);
    const named = await startDashboard({ feed: createDashboardFeed({ queries: createLakeQueryRunner(emptyDir) }), port: 0, onError: (error) => errors.push(error) });
    running.push(named);
    expect(named.history).toEqual({ beds: 0, readings: 0 });
    expect(errors).toEqual([]);
  });

  it('listens anyway, and reports why, when the history source fails', async () => {
    const errors: Error[] = [];
    const dashboard = await startDashboard({
      feed: createDashboardFeed({ history: { recent: () => Promise.reject(new Error('disk on fire')) } }), port: 0,
      onError: (error) => errors.push(error as Error),
    });
    running.push(dashboard);
    expect(dashboard.history).toBeNull();
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/could not restore the last known readings from the lake .*: disk on fire/)]);
    expect(await get<BedTile[]>(dashboard, '/api/tiles')).toEqual([]);
  });
});
