/**
 * `npx tsx cloud/local/dashboard/screenshot.ts`: makes the README's ward-board screenshot from what
 * `npm start` shows: the real stack (certificates, broker, stream, ETL, lake, dashboard) on free ports in a
 * temporary data dir, npm start's fleet (its names, scenario mix and speed), Chromium at 1366x768 once
 * tiles have turned amber and red. A development tool: it needs playwright-core and /usr/bin/chromium.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from '../../../device/cli/flags.ts';
import { runIfEntryPoint } from '../../../device/cli/entry-point.ts';
import { runFleet, type FleetHandle } from '../../../device/fleet/index.ts';
import { DEMO_SCENARIO_MIX } from '../cli/start.ts';
import { startLocalStack, type RunningLocalStack } from '../stack.ts';

const DEFAULT_OUT = fileURLToPath(new URL('./screenshot-ward-board.png', import.meta.url));

const HELP = `Usage: npx tsx cloud/local/dashboard/screenshot.ts [options]

Starts the local stack and npm start's fleet on free ports in a temporary data dir, waits until the ward
board has high-risk (red) and medium-risk (amber) tiles, and screenshots it in Chromium at 1366x768.

Options:
  --out <file>       where the PNG goes (default ${relative(process.cwd(), DEFAULT_OUT)})
  --count <n>        monitors (default 50, as npm start)
  --speed <x>        simulated time per wall time (default 60, as npm start)
  --seed <n>         seed of patients and scenarios (default 1, as npm start)
  --chromium <path>  the browser (default /usr/bin/chromium)
  --after <s>        screenshot no sooner than this after the fleet starts (default 60: at speed 60
                     red, amber and yellow tiles then, as a newcomer sees them in the first minutes)
  --timeout <s>      give up when the tiles have not turned by then (default 240)
  --help             this text
`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: {
        out: { type: 'string', default: DEFAULT_OUT },
        count: { type: 'string', default: '50' },
        speed: { type: 'string', default: '60' },
        seed: { type: 'string', default: '1' },
        chromium: { type: 'string', default: '/usr/bin/chromium' },
        after: { type: 'string', default: '60' },
        timeout: { type: 'string', default: '240' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const count = Number(values.count);
  const speed = Number(values.speed);
  const seed = Number(values.seed);
  const timeoutMs = Number(values.timeout) * 1000;
  const afterMs = Number(values.after) * 1000;
  const problems = [
    !(Number.isInteger(count) && count >= 1 && count <= 1000) && `--count must be 1-1000 (got ${values.count})`,
    !(speed > 0 && speed <= 3600) && `--speed must be above 0 and at most 3600 (got ${values.speed})`,
    !Number.isFinite(seed) && `--seed must be a number (got ${values.seed})`,
    !(timeoutMs > 0) && `--timeout must be a number of seconds above 0 (got ${values.timeout})`,
    !(afterMs >= 0 && afterMs < timeoutMs) && `--after must be 0 or more seconds, less than --timeout (got ${values.after})`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\n\n${HELP}`);
    return 2;
  }

  // Loaded here: a development dependency, not needed by the stack itself.
  const { chromium } = await import('playwright-core');
  const dataDir = await mkdtemp(join(tmpdir(), 'dashboard-screenshot-'));
  let stack: RunningLocalStack | undefined;
  let fleet: FleetHandle | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    console.log(`starting the local stack in ${dataDir} ...`);
    stack = await startLocalStack({ dataDir, thingCount: count, brokerPort: 0, dashboardPort: 0 });
    const fleetStartedMs = Date.now();
    fleet = runFleet({
      count, target: `mqtts://127.0.0.1:${stack.broker.port}`, certsDir: stack.paths.certsDir, dataDir: stack.paths.dataDir,
      scenarioMix: DEMO_SCENARIO_MIX, seed, speed, intervalMs: 1000,
    });
    browser = await chromium.launch({
      executablePath: values.chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      timeout: 15_000,
    });
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${stack.dashboard.url}/ward.html`);
    console.log(`${stack.dashboard.url}/ward.html: waiting for every bed and for red and amber tiles (at most ${values.timeout} s) ...`);
    await page.waitForFunction((beds) => {
      const tiles = Array.from(document.querySelectorAll('.board article'));
      const bands = new Set(tiles.map((tile) => tile.getAttribute('data-band')));
      return tiles.length === beds && bands.has('high') && bands.has('medium');
    }, count, { timeout: timeoutMs, polling: 1000 });
    // A board as it looks a minute or two into npm start, not at the first amber tile (a bounded wait).
    await page.waitForTimeout(Math.max(1500, fleetStartedMs + afterMs - Date.now()));
    await page.screenshot({ path: values.out });
    const summary = await page.locator('#board-summary').textContent();
    console.log(`wrote ${values.out} (${summary})`);
    return 0;
  } catch (error) {
    console.error(`no screenshot: ${(error as Error).message}`);
    return 1;
  } finally {
    await browser?.close();
    await fleet?.stop().catch(() => undefined);
    await stack?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

runIfEntryPoint(import.meta.url, main, { exit: true });
