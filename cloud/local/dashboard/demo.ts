/**
 * `tsx cloud/local/dashboard/demo.ts`: the dashboard on its own, fed by a simulated ward in-process
 * (no broker, no stream). For working on the pages and for screenshots; `npm start` wires the real stack.
 */
import { parseFlags } from '../../../device/cli/flags.ts';
import { DashboardStartError } from './errors.ts';
import { createDashboardFeed } from './feed.ts';
import { startDashboard } from './server.ts';
import { createSimulatedWard } from './simulated-ward.ts';
import { runIfEntryPoint } from '../../../device/cli/entry-point.ts';

const HELP = `Usage: tsx cloud/local/dashboard/demo.ts [options]

Starts the dashboard with a simulated ward of monitors fed in-process (no broker, no lake).

Options:
  --port <n>       port to listen on (default 8080; 0 picks a free one)
  --host <addr>    address to bind (default 127.0.0.1)
  --count <n>      monitors (default 50)
  --seed <n>       seed of the patients (default 1)
  --speed <x>      simulated time per wall time, so deterioration shows in minutes (default 20)
  --history <min>  minutes of readings to backfill at start, up to 15 (default 10)
  --help           this text
`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: {
        port: { type: 'string', default: '8080' },
        host: { type: 'string', default: '127.0.0.1' },
        count: { type: 'string', default: '50' },
        seed: { type: 'string', default: '1' },
        speed: { type: 'string', default: '20' },
        history: { type: 'string', default: '10' },
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
  const port = Number(values.port);
  const count = Number(values.count);
  const seed = Number(values.seed);
  const speed = Number(values.speed);
  const historyMin = Number(values.history);
  const problems = [
    !(Number.isInteger(port) && port >= 0 && port < 65536) && `--port must be 0-65535 (got ${values.port})`,
    !(Number.isInteger(count) && count >= 1 && count <= 5000) && `--count must be 1-5000 (got ${values.count})`,
    !Number.isFinite(seed) && `--seed must be a number (got ${values.seed})`,
    !(speed > 0 && speed <= 3600) && `--speed must be above 0 and at most 3600 (got ${values.speed})`,
    !(historyMin >= 0 && historyMin <= 15) && `--history must be 0-15 minutes (got ${values.history})`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\n\n${HELP}`);
    return 2;
  }

  const now = Date.now();
  const feed = createDashboardFeed();
  const ward = createSimulatedWard(feed, { count, seed, speed, startMs: now - historyMin * 60_000 });
  ward.connectAll(now);
  ward.publishUntil(now);
  let dashboard;
  try {
    dashboard = await startDashboard({ feed, host: values.host, port, onError: (error) => console.error(error) });
  } catch (error) {
    if (!(error instanceof DashboardStartError)) throw error;
    console.error(startProblem(error, values.host, port));
    return 2;
  }
  const timer = setInterval(() => ward.publishUntil(Date.now()), 250);
  console.log(`Dashboard (simulated ward of ${count}, speed ${speed}x): ${dashboard.url}  - Ctrl-C stops`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  await dashboard.close();
  return 0;
}

/** What to do when the demo cannot listen: usually `npm start`'s dashboard already has port 8080. */
function startProblem(error: DashboardStartError, host: string, port: number): string {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return `The demo dashboard cannot listen on ${host}:${port}: the port is in use (is npm start running? its dashboard uses 8080).\n`
      + 'Pick another port with --port, e.g. --port 8081, or --port 0 for a free one.';
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') {
    return `The demo dashboard cannot listen on ${host}:${port} (${code}). Pick another address with --host (default 127.0.0.1) or another port with --port.`;
  }
  return `The demo dashboard could not start: ${error.message}`;
}

runIfEntryPoint(import.meta.url, main, { exit: true });
