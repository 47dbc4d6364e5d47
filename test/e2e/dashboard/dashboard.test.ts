/**
 * The dashboard in real Chromium (Debian's package, driven by playwright-core), fed by 50 simulated
 * monitors: the project's vitals model, encoded on the wire contract and routed as the broker routes
 * publishes (vitals, AWS presence events, shadow documents). Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardFeed } from '../../../cloud/local/dashboard/feed.ts';
import { startDashboard, type RunningDashboard } from '../../../cloud/local/dashboard/server.ts';
import { createSimulatedWard, type SimulatedWard } from '../../../cloud/local/dashboard/simulated-ward.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');
const MONITORS = 50;

let dashboard: RunningDashboard;
let ward: SimulatedWard;
let browser: Browser;
let page: Page;
let publisher: NodeJS.Timeout;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const now = Date.now();
  const feed = createDashboardFeed();
  // 4 minutes of history at 45x: three simulated hours, long enough for sepsis to reach NEWS2 >= 7.
  ward = createSimulatedWard(feed, { count: MONITORS, seed: 1, speed: 45, startMs: now - 4 * 60_000 });
  ward.connectAll(now);
  ward.publishUntil(now);
  dashboard = await startDashboard({ feed, host: '127.0.0.1', port: 0 });
  publisher = setInterval(() => ward.publishUntil(Date.now()), 200);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(8_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
}, 30_000);

afterEach(() => {
  // Any script error or failed request in the page fails the test that caused it.
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  clearInterval(publisher);
  await browser?.close();
  await dashboard?.close();
});

describe('dashboard in Chromium', () => {
  it('lists 50 connected things on the fleet page', async () => {
    await page.goto(`${dashboard.url}/`);
    await page.waitForSelector(`#fleet-summary[data-connected="${MONITORS}"]`);
    expect(await page.locator('#fleet tbody tr').count()).toBe(MONITORS);
    expect(await page.locator('#fleet tbody [data-status="connected"]').count()).toBe(MONITORS);
    await expect(page.locator('tr[data-thing="bedside-0001"] th').textContent()).resolves.toBe('bedside-0001');
    await page.screenshot({ path: join(ARTIFACTS, 'fleet.png') });
  });

  it('turns a thing disconnected when its presence event says so', async () => {
    ward.disconnect('bedside-0007', Date.now(), 'MQTT_KEEP_ALIVE_TIMEOUT');
    await page.waitForSelector('tr[data-thing="bedside-0007"] [data-status="disconnected"]');
    await page.waitForSelector(`#fleet-summary[data-connected="${MONITORS - 1}"]`);
    expect(await page.locator('#fleet tbody [data-status="disconnected"]').count()).toBe(1);
    // Found by its label, as a screen reader user would.
    await page.getByLabel('Filter things').fill('disconnected');
    expect(await page.locator('#fleet tbody tr:not([hidden])').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'fleet-disconnected.png') });
    await page.getByLabel('Filter things').fill('');
  });

  it('flags a thing whose session another connection took over (it runs in two places)', async () => {
    const now = Date.now();
    ward.disconnect('bedside-0008', now, 'DUPLICATE_CLIENTID');
    ward.connect('bedside-0008', now + 1);
    const badge = page.locator('tr[data-thing="bedside-0008"] .takeover');
    await badge.waitFor();
    await expect(badge.textContent()).resolves.toBe('taken over once');
    await expect(page.locator('tr[data-thing="bedside-0008"] [data-status]').getAttribute('data-status')).resolves.toBe('connected');
  });

  it('shows a high-risk tile for a deteriorating patient on the ward board, ground truth hidden', async () => {
    const septic = ward.thingNames.find((name) => ward.scenarioOf(name) === 'sepsis');
    expect(septic).toBeDefined();
    await page.goto(`${dashboard.url}/ward.html`);
    const tile = page.locator(`article[data-thing="${septic}"]`);
    await tile.waitFor();
    await expect(tile.getAttribute('data-band')).resolves.toBe('high');
    expect(Number(await tile.locator('.total').textContent())).toBeGreaterThanOrEqual(7);
    // Sorted by risk: the first tile is high too.
    await expect(page.locator('.board article').first().getAttribute('data-band')).resolves.toBe('high');
    await expect(tile.locator('.truth').isHidden()).resolves.toBe(true);
    // The monitors run at 45x: the board says what that does to time.
    await expect(page.locator('#time-note').textContent()).resolves.toBe(
      'Simulated time, 45×: a wall-clock minute is 45 minutes of the patients\' physiology. Clocks and timestamps are wall-clock.');
    const showTruth = page.getByRole('checkbox', { name: 'Show scenario (ground truth)' });
    await showTruth.check();
    await expect(tile.locator('.truth').textContent()).resolves.toContain('sepsis');
    await showTruth.uncheck();
    await page.screenshot({ path: join(ARTIFACTS, 'ward-board.png') });
    // A tablet in portrait: tiles reflow into columns and nothing scrolls sideways.
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.waitForTimeout(100);
    const layout = await page.evaluate(() => {
      const lefts = new Set(Array.from(document.querySelectorAll('.board > li')).slice(0, 6).map((li) => Math.round(li.getBoundingClientRect().left)));
      return { columns: lefts.size, overflow: document.documentElement.scrollWidth - window.innerWidth };
    });
    expect(layout.columns).toBeGreaterThanOrEqual(2);
    expect(layout.overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'ward-board-tablet.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('draws a bed’s charts and updates them as readings arrive', async () => {
    const septic = ward.thingNames.find((name) => ward.scenarioOf(name) === 'sepsis')!;
    await page.goto(`${dashboard.url}/bed.html?thing=${septic}`);
    const heartRate = page.locator('figure[data-chart="heart_rate"]');
    await page.waitForFunction(() => Number(document.querySelector('figure[data-chart="heart_rate"]')?.getAttribute('data-points')) > 200);
    const before = Number(await heartRate.getAttribute('data-points'));
    const pixelsBefore = await heartRate.locator('canvas').evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL());
    await page.waitForFunction((n) => Number(document.querySelector('figure[data-chart="heart_rate"]')?.getAttribute('data-points')) >= n + 2, before);
    await page.waitForTimeout(100); // one animation frame for uPlot to paint
    const pixelsAfter = await heartRate.locator('canvas').evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL());
    expect(pixelsAfter).not.toBe(pixelsBefore);
    expect(await page.locator('figure.chart canvas').count()).toBe(6);
    // Charts follow the measurement registry: mean arterial pressure is drawn with the cuff pressures.
    await expect(page.locator('figure[data-chart="blood_pressure"] .u-legend').textContent()).resolves.toContain('Mean arterial');
    await expect(page.locator('#window').textContent()).resolves.toBe('15 minutes (11.3 hours simulated at 45×)');
    await page.screenshot({ path: join(ARTIFACTS, 'bed.png'), fullPage: true });
  });

  it('renders the pipeline and query pages without errors', async () => {
    await page.goto(`${dashboard.url}/pipeline.html`);
    await page.waitForFunction(() => document.querySelector('#observed')?.textContent?.endsWith('/s'));
    await page.screenshot({ path: join(ARTIFACTS, 'pipeline.png') });
    await page.goto(`${dashboard.url}/query.html`);
    await expect(page.locator('#query-status').textContent()).resolves.toMatch(/no named queries|not wired/i);
  });
}, 40_000);
