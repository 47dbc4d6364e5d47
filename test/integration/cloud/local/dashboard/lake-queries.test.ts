/** The query endpoints over a real lake: written by the real ETL handler, read by DuckDB. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardFeed } from '../../../../../cloud/local/dashboard/feed.ts';
import type { QueryResult } from '../../../../../cloud/local/dashboard/feed-types.ts';
import { createLakeQueryRunner } from '../../../../../cloud/local/dashboard/lake-queries.ts';
import { startDashboard, type RunningDashboard } from '../../../../../cloud/local/dashboard/server.ts';
import { vitals, writeLakeThroughEtl } from '../../query/etl-lake-fixture.ts';

let lakeDir: string;
let emptyDir: string;
let dashboard: RunningDashboard;
let emptyDashboard: RunningDashboard;

beforeAll(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'dashboard-lake-'));
  emptyDir = await mkdtemp(join(tmpdir(), 'dashboard-empty-lake-'));
  const now = Date.now();
  const at = (secondsAgo: number): string => new Date(now - secondsAgo * 1000).toISOString();
  await writeLakeThroughEtl(lakeDir, [{
    clockMs: now,
    messages: [
      vitals({ device_id: 'bedside-0001', patient_id: 'P1', ward: 'Ward A', bed: '1', seq: 1, timestamp: at(20) }),
      vitals({ device_id: 'bedside-0001', patient_id: 'P1', ward: 'Ward A', bed: '1', seq: 2, timestamp: at(10), heart_rate: 135, respiratory_rate: 25, spo2: 93 }),
      vitals({ device_id: 'bedside-0002', patient_id: 'P2', ward: 'Ward A', bed: '2', seq: 1, timestamp: at(15) }),
    ],
  }]);
  dashboard = await startDashboard({ feed: createDashboardFeed({ queries: createLakeQueryRunner(lakeDir) }), port: 0 });
  emptyDashboard = await startDashboard({ feed: createDashboardFeed({ queries: createLakeQueryRunner(emptyDir) }), port: 0 });
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
  await emptyDashboard?.close();
  await rm(lakeDir, { recursive: true, force: true });
  await rm(emptyDir, { recursive: true, force: true });
});

describe('createLakeQueryRunner behind the dashboard', () => {
  it('lists the project’s named queries with their descriptions', async () => {
    const list = await (await fetch(`${dashboard.url}/api/queries`)).json() as { name: string; description: string }[];
    expect(list.map((query) => query.name)).toContain('latest-vitals-per-bed');
    expect(list.every((query) => query.description.length > 0)).toBe(true);
  });

  it('runs latest-vitals-per-bed in DuckDB and answers one row per bed with its NEWS2 band', async () => {
    const response = await fetch(`${dashboard.url}/api/queries/latest-vitals-per-bed/run`, { method: 'POST' });
    expect(response.status).toBe(200);
    const result = await response.json() as QueryResult;
    expect(result.rows).toHaveLength(2);
    const column = (name: string): number => result.columns.findIndex((c) => c.includes(name));
    const bed1 = result.rows.find((row) => row[column('bed')] === '1');
    expect(bed1?.[column('heart_rate')]).toBe(135);
    expect(bed1?.[column('band')]).toBe('high');
  });

  it('answers 502 with the reason when the lake has no curated data yet', async () => {
    const response = await fetch(`${emptyDashboard.url}/api/queries/latest-vitals-per-bed/run`, { method: 'POST' });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: string }).error).toMatch(/no curated data/);
  });
});
