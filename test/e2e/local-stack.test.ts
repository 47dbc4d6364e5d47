/**
 * The whole local pipeline, no mocks: certificates, kinesalite, the mTLS broker with the IoT policy and
 * rule, the ETL behind the event source, the lake on disk, DuckDB, the dashboard in Chromium, and a fleet
 * of 50 monitors in worker processes. What the fleet reports acked must be exactly what the lake holds.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet, type FleetHandle, type FleetSummary } from '../../device/fleet/index.ts';
import { DEMO_SCENARIO_MIX } from '../../cloud/local/cli/start.ts';
import { startLocalStack, type RunningLocalStack } from '../../cloud/local/stack.ts';
import { openLake, type Lake } from '../../cloud/query/lake.ts';
import { NAMED_QUERIES } from '../../cloud/sql/named-queries.ts';

const MONITORS = 50;
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'e2e');

let dataDir: string;
let stack: RunningLocalStack;
let fleet: FleetHandle;
let browser: Browser;
let summary: FleetSummary;
let lake: Lake;

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hrd-e2e-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startLocalStack({ dataDir, thingCount: MONITORS, brokerPort: 0, dashboardPort: 0, batchingWindowMs: 500 });
  fleet = runFleet({
    count: MONITORS, target: `mqtts://127.0.0.1:${stack.broker.port}`, certsDir: stack.paths.certsDir, dataDir,
    scenarioMix: DEMO_SCENARIO_MIX, seed: 7, speed: 120, intervalMs: 500, workers: 2,
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fleet?.stop().catch(() => undefined);
  lake?.close();
  await stack?.close();
  if (dataDir && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start stack, end to end', () => {
  it('shows the 50 monitors connected on the dashboard fleet page, from the broker\'s presence events', async () => {
    await waitFor('50 monitors connected', () => fleet.progress().connected === MONITORS, 30_000);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.dashboard.url}/`);
    await page.waitForSelector(`#fleet-summary[data-connected="${MONITORS}"]`, { timeout: 15_000 });
    expect(await page.locator('#fleet tbody [data-status="connected"]').count()).toBe(MONITORS);
    await page.screenshot({ path: join(ARTIFACTS, 'fleet-live.png') });
    await page.close();
  }, 60_000);

  it('lands every acked reading in the lake exactly once', async () => {
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    summary = await fleet.stop();
    expect(summary.acked).toBeGreaterThan(MONITORS * 10);
    expect(summary.dropped).toBe(0);
    // Nothing is left in a batching window once the fleet has stopped: wait for the ETL to drain.
    await waitFor('the ETL to write every forwarded record', () => stack.etl.recordsIn >= stack.broker.stats().rules.forwarded && stack.eventSource.stats().iteratorAgeMs === 0, 30_000);
    lake = await openLake(stack.paths.lakeDir);
    const [[readings, distinct]] = (await lake.query('SELECT count(*), count(DISTINCT device_id || \'#\' || CAST(seq AS VARCHAR)) FROM vitals')).rows as [[number, number]];
    expect(distinct).toBe(readings);
    expect(readings).toBe(summary.acked);
    const devices = (await lake.query('SELECT count(DISTINCT device_id) FROM vitals')).rows[0]![0];
    expect(devices).toBe(MONITORS);
    const gaps = await lake.query('SELECT device_id FROM vitals GROUP BY device_id HAVING min(seq) <> 1 OR max(seq) <> count(*)');
    expect(gaps.rows).toEqual([]);
    expect(stack.etl.quarantined).toBe(0);
  }, 90_000);

  it('answers every named query over the lake', async () => {
    for (const query of NAMED_QUERIES) {
      const result = await lake.query(query.sql);
      expect(result.columns.length, query.name).toBeGreaterThan(0);
    }
    const latest = await lake.query(NAMED_QUERIES.find((q) => q.name === 'latest-vitals-per-bed')!.sql);
    expect(latest.rows.length).toBe(MONITORS);
  }, 60_000);
  it('turns the monitors of a killed worker disconnected, and the restarted worker resends what it held: no seq gap', async () => {
    // A second run resumes the outboxes and seq of the first one.
    fleet = runFleet({
      count: MONITORS, target: `mqtts://127.0.0.1:${stack.broker.port}`, certsDir: stack.paths.certsDir, dataDir,
      scenarioMix: DEMO_SCENARIO_MIX, seed: 7, speed: 120, intervalMs: 500, workers: 2,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.dashboard.url}/`);
    await page.waitForSelector(`#fleet-summary[data-connected="${MONITORS}"]`, { timeout: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await fleet.killWorker(0);
    await page.waitForSelector('#fleet tbody [data-status="disconnected"]', { timeout: 15_000 });
    expect(await page.locator('#fleet tbody [data-status="disconnected"]').count()).toBe(MONITORS / 2);
    await page.screenshot({ path: join(ARTIFACTS, 'fleet-worker-killed.png') });
    fleet.restartWorker(0);
    await page.waitForSelector(`#fleet-summary[data-connected="${MONITORS}"]`, { timeout: 30_000 });
    await page.close();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const second = await fleet.stop();
    expect(second.dropped).toBe(0);
    await waitFor('the ETL to drain', () => stack.etl.recordsIn >= stack.broker.stats().rules.forwarded && stack.eventSource.stats().iteratorAgeMs === 0, 30_000);
    lake.close();
    lake = await openLake(stack.paths.lakeDir);
    // SIGKILL loses the worker's last counters, not its messages: compare with seq, which the devices own.
    const gaps = await lake.query('SELECT device_id FROM vitals GROUP BY device_id HAVING min(seq) <> 1 OR max(seq) <> count(*)');
    expect(gaps.rows).toEqual([]);
    const [[readings, distinct]] = (await lake.query("SELECT count(*), count(DISTINCT device_id || '#' || CAST(seq AS VARCHAR)) FROM vitals")).rows as [[number, number]];
    expect(distinct).toBe(readings);
    expect(readings).toBeGreaterThanOrEqual(summary.acked + second.acked);
  }, 120_000);
});
