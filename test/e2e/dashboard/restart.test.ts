/**
 * After a restart the ward board and the bed page in real Chromium show the last known readings: a lake
 * written by the real ETL from the project's vitals model (five beds, ten minutes), a fresh feed, and the
 * dashboard restoring from the lake as it starts. No live readings at all.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardFeed } from '../../../cloud/local/dashboard/feed.ts';
import { createLakeHistory } from '../../../cloud/local/dashboard/lake-history.ts';
import { startDashboard, type RunningDashboard } from '../../../cloud/local/dashboard/server.ts';
import { buildVitalsMessage, createPatientModel, type ScenarioName } from '../../../device/vitals/index.ts';
import { writeLakeThroughEtl } from '../../integration/cloud/query/etl-lake-fixture.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');
const BEDS: ScenarioName[] = ['sepsis', 'stable', 'stable', 'postop_fever', 'stable'];
const thing = (i: number): string => `bedside-${String(i + 1).padStart(4, '0')}`;

let lakeDir: string;
let dashboard: RunningDashboard;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  lakeDir = await mkdtemp(join(tmpdir(), 'dashboard-restart-'));
  // Ten minutes before "the restart", one reading every 2 s per bed at 12x: two simulated hours, septic by the end.
  const now = Date.now();
  const start = now - 10 * 60_000;
  const messages = BEDS.flatMap((scenario, i) => {
    const model = createPatientModel({ seed: 100 + i, scenario, startMs: start, speed: 12 });
    return Array.from({ length: 300 }, (_, k) => {
      const at = start + k * 2000;
      return buildVitalsMessage(model.sample(at), {
        device_id: thing(i), patient_id: `P${i + 1}`, ward: 'ward-7a', bed: `bed-${i + 1}`, seq: k + 1, timestamp: new Date(at).toISOString(),
      }) as unknown as Record<string, unknown>;
    });
  });
  await writeLakeThroughEtl(lakeDir, [{ clockMs: now, messages }]);
  dashboard = await startDashboard({ feed: createDashboardFeed({ history: createLakeHistory(lakeDir) }), host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(8_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  if (lakeDir !== undefined) await rm(lakeDir, { recursive: true, force: true });
});

describe('dashboard in Chromium after a restart', () => {
  it('shows every bed’s last known reading on the ward board, the septic one high risk, all disconnected', async () => {
    expect(dashboard.history).toEqual({ beds: BEDS.length, readings: BEDS.length * 300 });
    await page.goto(`${dashboard.url}/ward.html`);
    await page.waitForFunction((n) => document.querySelectorAll('.board article').length === n, BEDS.length);
    const septic = page.locator(`article[data-thing="${thing(0)}"]`);
    await expect(septic.getAttribute('data-band')).resolves.toBe('high');
    await expect(page.locator('.board article').first().getAttribute('data-thing')).resolves.toBe(thing(0));
    expect(await page.locator('.board article.disconnected').count()).toBe(BEDS.length);
    await page.screenshot({ path: join(ARTIFACTS, 'ward-board-after-restart.png') });
    expect(pageErrors).toEqual([]);
  });

  it('draws the bed’s last minutes on the bed page', async () => {
    await page.goto(`${dashboard.url}/bed.html?thing=${thing(0)}`);
    // 15 minutes of window, ten of them in the lake: all 300 readings.
    await page.waitForFunction(() => Number(document.querySelector('figure[data-chart="heart_rate"]')?.getAttribute('data-points')) === 300);
    await page.screenshot({ path: join(ARTIFACTS, 'bed-after-restart.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
}, 60_000);
