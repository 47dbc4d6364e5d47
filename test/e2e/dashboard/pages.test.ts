/**
 * The pages at a laptop's 1366x768 in real Chromium (Debian's package, driven by playwright-core): bed names
 * of the local fleet on one line, a legend on every chart, abbreviated keys on the query page, and the
 * pipeline chart's history served to a page that loads late.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardFeed } from '../../../cloud/local/dashboard/feed.ts';
import { startDashboard, type RunningDashboard } from '../../../cloud/local/dashboard/server.ts';
import { createSimulatedWard, type SimulatedWard } from '../../../cloud/local/dashboard/simulated-ward.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');
const PATIENT_KEY = 'f3a9c1d27be04e5a8c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';

let dashboard: RunningDashboard;
let ward: SimulatedWard;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let publisher: NodeJS.Timeout;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const now = Date.now();
  const feed = createDashboardFeed({
    queries: {
      list: () => [{ name: 'patients', description: 'one row per patient' }],
      run: async () => ({ columns: ['patient_key', 'ward', 'readings'], rows: [[PATIENT_KEY, 'respiratory', 120], [PATIENT_KEY.replace('f3', '0b'), 'icu', 118]] }),
    },
  });
  // 50 monitors named as npm start's fleet names them (icu-001 ... respiratory-013), 3 minutes of history.
  ward = createSimulatedWard(feed, { count: 50, seed: 1, speed: 45, startMs: now - 3 * 60_000 });
  ward.connectAll(now);
  ward.publishUntil(now);
  dashboard = await startDashboard({ feed, host: '127.0.0.1', port: 0 });
  publisher = setInterval(() => ward.publishUntil(Date.now()), 200);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dashboard.url });
  page = await context.newPage();
  page.setDefaultTimeout(8_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
}, 30_000);

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  clearInterval(publisher);
  await browser?.close();
  await dashboard?.close();
});

/**
 * A dashboard whose pipeline has run for two minutes before any page opens: a start-up burst in the first
 * minute (p99 31 s), then a steady 1.2 s. The feed's clock is injected so the history is there at once.
 */
async function pipelineDashboard(): Promise<{ dashboard: RunningDashboard; startMs: number }> {
  const startMs = Date.now() - 120_000;
  let now = startMs;
  const burst = { fromMs: startMs, untilMs: startMs + 60_000, latencyP99Ms: 31_000 };
  const feed = createDashboardFeed({ clock: () => now });
  for (let second = 0; second < 120; second += 1) {
    now = startMs + second * 1000;
    feed.publishPipelineStats({
      ingestMsgPerSec: second < 20 ? 900 : 50, startupBurst: burst,
      latencyMs: second < 60 ? { p50: 4000, p99: 31_000 } : { p50: 600, p99: 1200 },
    });
  }
  const steady = await startDashboard({ feed, host: '127.0.0.1', port: 0 });
  return { dashboard: steady, startMs };
}

describe('dashboard pages at 1366x768 in Chromium', () => {
  it('shows the last minutes of pipeline rates at once, after a reload too, and the steady-state p99 apart from the start-up burst', async () => {
    const { dashboard: pipeline } = await pipelineDashboard();
    try {
      for (const load of ['first', 'reload']) {
        if (load === 'first') await page.goto(`${pipeline.url}/pipeline.html`);
        else await page.reload();
        await page.waitForFunction(() => Number(document.querySelector('#rate-chart')?.getAttribute('data-points')) >= 120);
        await expect(page.locator('#latency-p99').textContent()).resolves.toBe('1,200 ms');
        await expect(page.locator('#latency-p99').locator('xpath=..').locator('dt').textContent()).resolves.toContain('(steady state)');
        await expect(page.locator('#startup-burst').textContent()).resolves.toMatch(/^Start-up burst left out: \d\d:\d\d:\d\d–\d\d:\d\d:\d\d, p99 31\.0 s\.$/);
        await expect(page.locator('#cap-rate').textContent()).resolves.toContain('shaded: the start-up burst');
      }
      await page.screenshot({ path: join(ARTIFACTS, 'pipeline-history.png') });
    } finally {
      await pipeline.close();
    }
  });

  it('shows every bed name of the local fleet on one line, whole, on the ward board', async () => {
    await page.goto(`${dashboard.url}/ward.html`);
    await page.waitForFunction(() => document.querySelectorAll('.board article').length === 50);
    const names = await page.locator('.board article h2').evaluateAll((headings) => headings.map((h2) => {
      const link = h2.querySelector('a')!;
      const lineHeight = Number.parseFloat(getComputedStyle(h2).lineHeight);
      return {
        text: link.textContent,
        lines: Math.round(h2.getBoundingClientRect().height / lineHeight),
        truncated: link.getBoundingClientRect().width > h2.clientWidth + 0.5,
      };
    }));
    expect(names.map((name) => name.text)).toContain('respiratory-006');
    expect(names.filter((name) => name.lines !== 1 || name.truncated)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'ward-board-1366.png') });
  });

  it('gives every chart on the bed page a legend; the time shows only for the hovered point', async () => {
    const septic = ward.thingNames.find((name) => ward.scenarioOf(name) === 'sepsis')!;
    await page.goto(`${dashboard.url}/bed.html?thing=${septic}`);
    await page.waitForFunction(() => Number(document.querySelector('figure[data-chart="heart_rate"]')?.getAttribute('data-points')) > 100);
    const legends = await page.locator('figure.chart').evaluateAll((figures) => figures.map((figure) => ({
      chart: (figure as HTMLElement).dataset.chart,
      // "label: value" as seen (uPlot draws the colon with CSS).
      rows: Array.from(figure.querySelectorAll('.u-legend tr')).filter((row) => getComputedStyle(row).display !== 'none')
        .map((row) => `${row.querySelector('th')!.textContent!.trim()}: ${row.querySelector('td')!.textContent!.trim()}`),
    })));
    expect(legends.map((legend) => legend.chart)).toEqual(['heart_rate', 'spo2', 'respiratory_rate', 'blood_pressure', 'temperature_c', 'news2']);
    for (const legend of legends) {
      // Idle: no "Time: --"; each series with its newest value and unit.
      expect(legend.rows.join(' | '), legend.chart).not.toMatch(/Time|--/);
      // Blood pressure draws the cuff's systolic, diastolic and mean arterial pressure (the registry's chart groups).
      expect(legend.rows.length, legend.chart).toBe(legend.chart === 'blood_pressure' ? 3 : 1);
    }
    expect(legends[0]!.rows[0]).toMatch(/^Heart rate: latest \d+ bpm$/);
    expect(legends[3]!.rows).toEqual([expect.stringMatching(/^Systolic: latest \d+ mmHg$/), expect.stringMatching(/^Diastolic: latest \d+ mmHg$/),
      expect.stringMatching(/^Mean arterial: latest \d+ mmHg$/)]);
    expect(legends[4]!.rows[0]).toMatch(/^Temperature: latest \d+\.\d °C$/);

    const plot = page.locator('figure[data-chart="temperature_c"] .u-over');
    await plot.hover(); // scrolls it into view, the pointer at its centre
    const hovered = page.locator('figure[data-chart="temperature_c"] .u-legend tr');
    await expect.poll(() => hovered.first().evaluate((row) => getComputedStyle(row).display)).not.toBe('none');
    await expect(hovered.first().textContent()).resolves.toMatch(/^Time\s*\d\d:\d\d:\d\d$/);
    await expect(hovered.nth(1).textContent()).resolves.toMatch(/^Temperature\s*\d+\.\d °C$/);
    await page.screenshot({ path: join(ARTIFACTS, 'bed-legend-hover.png') });
    await page.mouse.move(0, 0);
    await expect.poll(() => hovered.first().evaluate((row) => getComputedStyle(row).display)).toBe('none');
  });

  it('abbreviates a 64-character patient_key on the query page, whole on hover and when copied', async () => {
    await page.goto(`${dashboard.url}/query.html`);
    await page.getByRole('button', { name: 'Run' }).click();
    const key = page.locator('#result tbody tr').first().locator('td.key code');
    await expect(key.textContent()).resolves.toBe(`${PATIENT_KEY.slice(0, 8)}…`);
    await expect(key.getAttribute('title')).resolves.toBe(PATIENT_KEY);
    // The key takes the room of a short word, not of 64 characters.
    expect((await key.boundingBox())!.width).toBeLessThan(100);

    await page.getByRole('button', { name: `Copy patient_key ${PATIENT_KEY.slice(0, 8)}…` }).first().click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(PATIENT_KEY);
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await key.dblclick(); // selects the visible "f3a9c1d2"; Ctrl-C copies the whole key
    await page.keyboard.press('Control+C');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(PATIENT_KEY);
    await page.screenshot({ path: join(ARTIFACTS, 'query-keys.png') });
  });
}, 40_000);
