/**
 * `npm start`: the whole pipeline on this machine (DESIGN §6). Certificates on first run, kinesalite,
 * the local IoT Core stand-in, the ETL behind the event source, the lake in ./data, the dashboard and a
 * fleet of monitors. Ctrl-C stops everything cleanly; a second start resumes from ./data.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { relative } from 'node:path';
import { runFleet, type FleetHandle } from '../../../device/fleet/index.ts';
import { startLocalStack, LOCAL_STREAM_NAME, type RunningLocalStack } from '../stack.ts';
import { runIfEntryPoint } from '../../../device/cli/entry-point.ts';
import { onStopSignal } from '../../../device/cli/stop-signal.ts';
import { parseFlags } from '../../../device/cli/flags.ts';
import { parseDuration, parseInterval } from '../../../device/cli/args.ts';
import { serverPaths } from '../../../certs/local/index.ts';
import { KinesisStoreLockedError } from '../kinesis/kinesalite.ts';
import { ThingsInUseError, type FleetSummary } from '../../../device/fleet/index.ts';
import { ThingsClaimedError } from '../../../device/outbox/index.ts';

/** A mix that shows every NEWS2 band within minutes at the default speed. */
export const DEMO_SCENARIO_MIX =
  'stable:44,sepsis:10,respiratory_failure:8,respiratory_failure_copd:4,tachyarrhythmia:8,bradycardia:6,haemorrhage:6,postop_fever:8,recovery:6';

const HELP = `Usage: npm start -- [options]

Runs the whole pipeline locally: broker (mTLS, IoT policy, shadow, rule) -> kinesalite -> ETL ->
lake in ./data -> DuckDB queries and a dashboard, plus a fleet of simulated bedside monitors.

Options:
  --count <n>           monitors in the fleet (default 50)
  --speed <x>           simulated time per wall time, so deterioration shows in minutes (default 60:
                        amber tiles within a minute, red within two)
  --seed <n>            seed of patients and scenarios (default 1)
  --scenario-mix <mix>  e.g. "stable:70,sepsis:30" (default: a mix showing every alert band)
  --interval <d>        sampling interval of each monitor: 1s, 500ms or milliseconds (default 1s)
  --transport <t>       mqtt (mqtt.js, default) or crt (aws-iot-device-sdk-v2)
  --no-fleet            start only the cloud side, for monitors on other machines
  --host <addr>         broker address to listen on (default 127.0.0.1; e.g. 0.0.0.0 or a LAN
                        address for Raspberry Pis; still mTLS with the local CA)
  --server-host <name>  a DNS name or IP that monitors on other machines dial, added to the broker
                        certificate (repeatable; device certificates stay valid)
  --port <n>            broker port (default 8883)
  --dashboard-port <n>  dashboard port (default 8080; 0 picks a free one)
  --data-dir <dir>      where certificates, stream, outboxes and the lake live (default data)
  --duration <d>        stop by itself after e.g. 90s or 10m (default: run until Ctrl-C)
  --help                this text

Node.js 20 works; 22 or 24 is recommended (20 is past its end of life, and AWS SDK releases after
January 2027 need 22: the SDK's warning saying so is switched off in this project's commands and tests).
`;

interface StartOptions {
  count: number;
  speed: number;
  seed: number;
  scenarioMix: string;
  intervalMs: number;
  transport: 'mqtt' | 'crt';
  fleet: boolean;
  host: string;
  port: number;
  dashboardPort: number;
  dataDir: string;
  durationMs: number | undefined;
  serverHosts: string[];
}

export function parseStartArgs(argv: string[]): StartOptions | { error: string } | 'help' {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: {
        count: { type: 'string', default: '50' },
        speed: { type: 'string', default: '60' },
        seed: { type: 'string', default: '1' },
        'scenario-mix': { type: 'string', default: DEMO_SCENARIO_MIX },
        interval: { type: 'string', default: '1s' },
        transport: { type: 'string', default: 'mqtt' },
        'no-fleet': { type: 'boolean', default: false },
        host: { type: 'string', default: '127.0.0.1' },
        'server-host': { type: 'string', multiple: true, default: [] },
        port: { type: 'string', default: '8883' },
        'dashboard-port': { type: 'string', default: '8080' },
        'data-dir': { type: 'string', default: 'data' },
        duration: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help) return 'help';
  const number = (name: string, text: string, ok: (n: number) => boolean, what: string) => {
    const n = Number(text);
    return ok(n) ? undefined : `--${name} must be ${what} (got "${text}")`;
  };
  const port = (n: number) => Number.isInteger(n) && n >= 0 && n < 65536;
  const checked = <T>(read: () => T): T | { problem: string } => {
    try { return read(); } catch (error) { return { problem: (error as Error).message }; }
  };
  const durationMs = checked(() => (values.duration === undefined ? undefined : parseDuration(values.duration)));
  const intervalMs = checked(() => parseInterval(values.interval, '--interval', 10)!);
  const problems = [
    number('count', values.count, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000, 'a whole number from 1 to 100000'),
    number('speed', values.speed, (n) => n > 0 && n <= 3600, 'above 0 and at most 3600'),
    number('seed', values.seed, Number.isFinite, 'a number'),
    typeof intervalMs === 'object' ? intervalMs.problem : undefined,
    number('port', values.port, port, 'a port number (0-65535)'),
    number('dashboard-port', values['dashboard-port'], port, 'a port number (0-65535)'),
    values.transport === 'mqtt' || values.transport === 'crt' ? undefined : `--transport must be mqtt or crt (got "${values.transport}")`,
    typeof durationMs === 'object' ? durationMs.problem : undefined,
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0 || typeof intervalMs === 'object' || typeof durationMs === 'object') return { error: problems.join('\n') };
  return {
    count: Number(values.count),
    speed: Number(values.speed),
    seed: Number(values.seed),
    scenarioMix: values['scenario-mix'],
    intervalMs,
    transport: values.transport as 'mqtt' | 'crt',
    fleet: !values['no-fleet'],
    host: values.host,
    port: Number(values.port),
    dashboardPort: Number(values['dashboard-port']),
    dataDir: values['data-dir'],
    durationMs,
    serverHosts: values['server-host'],
  };
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseStartArgs(argv);
  if (parsed === 'help') {
    console.log(HELP);
    return 0;
  }
  if ('error' in parsed) {
    console.error(`${parsed.error}\n\nRun npm start -- --help for the options.`);
    return 2;
  }
  const options = parsed;
  const started = Date.now();
  let stack: RunningLocalStack | undefined;
  let fleet: FleetHandle | undefined;
  let stopping = false;
  let disposeSignals = () => {};
  const stopped = new Promise<string>((resolve) => {
    disposeSignals = onStopSignal(resolve, { forceMessage: 'Ctrl-C again: exiting now. Nothing acknowledged is lost: what the fleet had not sent stays in its outbox, what the stream holds reaches the lake on the next start.' });
    if (options.durationMs !== undefined) setTimeout(() => resolve(`--duration ${options.durationMs} ms`), options.durationMs).unref();
  });

  try {
    stack = await startLocalStack({
      dataDir: options.dataDir,
      thingCount: options.count,
      brokerHost: options.host,
      brokerPort: options.port,
      brokerServerNames: options.serverHosts,
      dashboardPort: options.dashboardPort,
      onProgress: (step) => console.log(`starting ${step}...`),
      log: (line) => { if (!stopping) console.error(line); },
    });
    const brokerTarget = `mqtts://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${stack.broker.port}`;
    if (options.fleet) {
      fleet = runFleet({
        count: options.count,
        target: brokerTarget,
        certsDir: stack.paths.certsDir,
        dataDir: stack.paths.dataDir,
        transport: options.transport,
        scenarioMix: options.scenarioMix,
        seed: options.seed,
        speed: options.speed,
        intervalMs: options.intervalMs,
        onLog: (line) => console.error(`fleet: ${line}`),
      });
      fleet.summary.catch((error: unknown) => console.error(`fleet: ${(error as Error).message}`));
    }
    stack.broker.events.on('session-takeover', ({ clientId, remoteAddress }) => {
      if (!stopping) console.error(`broker: ${clientId} connected again from ${remoteAddress} and took its own session over (DUPLICATE_CLIENTID): is it running in two places?`);
    });
    console.log(banner(stack, options, brokerTarget, Date.now() - started));
    const status = setInterval(() => console.log(statusLine(stack!, fleet)), 10_000);
    status.unref();
    const reason = await stopped;
    clearInterval(status);
    stopping = true;
    console.log(`\n${reason}: stopping in order: fleet (outboxes flushed), broker, stream -> ETL -> lake. Ctrl-C again to force.`);
  } catch (error) {
    console.error(startFailure(error, options.dataDir));
    await fleet?.stop().catch(() => undefined);
    await stack?.close();
    disposeSignals();
    return 1;
  }
  const summary = fleet ? await fleet.stop().catch((error: unknown) => { console.error(`fleet: ${(error as Error).message}`); return undefined; }) : undefined;
  // The stack stops the broker (the rule's last records into the stream), then drains the stream into the lake.
  await stack.close();
  disposeSignals();
  console.log(reconciliation(stack, summary).join('\n'));
  console.log(`data kept in ${displayPath(stack.paths.dataDir)}; the next npm start resumes from it.`);
  return 0;
}

/** Why the stack did not start, and what to do: the cases a user meets, then the plain message. */
export function startFailure(error: unknown, dataDir: string): string {
  const message = (error as Error).message;
  if (error instanceof KinesisStoreLockedError) {
    const who = error.holder ? `(pid ${error.holder.pid}: ${error.holder.command})` : '(its process id is unknown: lsof shows it)';
    return [
      `npm start: another stack is running on data dir ${displayPath(dataDir)} ${who}; one stack per data dir.`,
      `Stop it with Ctrl-C in its terminal${error.holder ? ` (or kill -INT ${error.holder.pid})` : ''}, or start this one on another data dir:`,
      '  npm start -- --data-dir data-2 --port 8884 --dashboard-port 8081',
    ].join('\n');
  }
  if (error instanceof ThingsInUseError && error.cause instanceof ThingsClaimedError) {
    const { owner } = error.cause;
    return [
      `npm start: the fleet's monitors are already run by process ${owner.pid} (${owner.command}, since ${owner.startedAt}); a thing runs in one process at a time.`,
      `Stop that process${owner.pid ? ` (kill -INT ${owner.pid})` : ''}, or start the stack without a fleet: npm start -- --no-fleet`,
    ].join('\n');
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' || /in use/i.test(message)) {
    return `npm start failed: ${message}\nAnother npm start may be running. Stop it, or pick other ports with --port and --dashboard-port.`;
  }
  return `npm start failed: ${message}`;
}

/** What this run acknowledged and where it went: the lines a user checks after Ctrl-C. */
export function reconciliation(stack: Pick<RunningLocalStack, 'broker' | 'eventSource' | 'etl'>, fleet: FleetSummary | undefined): string[] {
  const broker = stack.broker.stats();
  const source = stack.eventSource.stats();
  const lines: string[] = [];
  if (fleet) {
    lines.push(`fleet   sent ${fleet.sent}, acknowledged ${fleet.acked}, left in outboxes ${fleet.queuedAtEnd}${fleet.queuedAtEnd > 0 ? ' (sent on the next start)' : ''}, `
      + `dropped ${fleet.dropped}, reconnects ${fleet.reconnects}${fleet.workerRestarts > 0 ? `, worker restarts ${fleet.workerRestarts}` : ''}`);
  }
  lines.push(`broker  acknowledged ${broker.vitalsAcknowledged} vitals, each once durable: ${broker.rules.forwarded} in the stream, `
    + `${broker.rules.errorRecordsWritten} in rule-errors/`);
  const left = Math.max(0, source.recordsIn - source.recordsProcessed - source.recordsSentToOnFailure);
  lines.push(`lake    ETL read ${source.recordsProcessed} stream records this run: ${stack.etl.curated} curated, ${stack.etl.quarantined} quarantined, `
    + `${stack.etl.duplicates} duplicates removed${source.recordsSentToOnFailure > 0 ? `, ${source.recordsSentToOnFailure} to event-source/on-failure` : ''}`
    + `${left > 0 ? `; ${left} read but not processed stay in the stream for the next start` : ''}`);
  return lines;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : `./${rel}`;
}

function banner(stack: RunningLocalStack, options: StartOptions, brokerTarget: string, elapsedMs: number): string {
  const data = displayPath(stack.paths.dataDir);
  return [
    '',
    `healthcare-realtime-datalake: local pipeline up in ${(elapsedMs / 1000).toFixed(1)} s`,
    `  broker     ${brokerTarget}  mTLS with the local CA, IoT policy enforced (certs: ${data}/certs)`,
    `  stream     ${stack.kinesis.endpoint}  Kinesis API (kinesalite), stream ${LOCAL_STREAM_NAME}`,
    `  etl        event source -> cloud/etl handler -> ${data}/lake/{raw,curated,quarantine}`,
    `  dashboard  ${stack.dashboard.url}`,
    options.fleet
      ? `  fleet      ${options.count} monitors (${options.transport}), speed ${options.speed}x, seed ${options.seed}`
      : `  fleet      none (--no-fleet): point monitors at ${brokerTarget} with npm run fleet -- --target ${brokerTarget}`,
    `  query      npm run query -- --list   |   npm run query -- --named latest-vitals-per-bed`,
    ...remoteAccessLines({
      host: options.host, port: stack.broker.port, lanAddresses: lanAddresses(), certHosts: brokerCertificateHosts(stack.paths.certsDir),
      certsDir: `${data}/certs`, localFleet: options.fleet ? options.count : 0, certifiedThings: options.count,
    }),
    `Ctrl-C stops everything; ${data} is kept and the next start resumes.`,
    '',
  ].join('\n');
}

export interface RemoteAccess {
  /** --host as given. */
  host: string;
  port: number;
  /** This machine's non-loopback IPv4 addresses. */
  lanAddresses: string[];
  /** The names and addresses the broker certificate holds (certs/<dir>/server/hosts.json). */
  certHosts: string[];
  certsDir: string;
  /** Monitors npm start's own fleet runs (bedside-0001..N), 0 with --no-fleet. */
  localFleet: number;
  /** Things with certificates (--count). */
  certifiedThings: number;
}

/**
 * For a broker listening beyond loopback: the addresses other machines dial, whether the broker
 * certificate names each (TLS checks the name, so an unnamed address fails), and how a fleet elsewhere
 * gets its files. Nothing for the default 127.0.0.1.
 */
export function remoteAccessLines(access: RemoteAccess): string[] {
  const { host, port } = access;
  if (isLoopback(host)) return [];
  const wildcard = host === '0.0.0.0' || host === '::';
  const addresses = wildcard ? access.lanAddresses : [host];
  if (addresses.length === 0) return [`  lan        listening on ${host}:${port}, but this machine has no LAN address now`];
  const width = Math.max(...addresses.map((address) => `mqtts://${address}:${port}`.length));
  const lines = [`  lan        listening on ${host}:${port}; monitors on other machines dial:`];
  for (const address of addresses) {
    const url = `mqtts://${address}:${port}`.padEnd(width);
    lines.push(access.certHosts.includes(address)
      ? `               ${url}  named in the broker certificate`
      : `               ${url}  NOT named in the broker certificate (TLS refuses it): restart with --server-host ${address}`);
  }
  const example = addresses.find((address) => access.certHosts.includes(address)) ?? addresses[0]!;
  const things = access.localFleet > 0 ? `--first ${access.localFleet + 1} --count 20` : `--count ${access.certifiedThings}`;
  lines.push(
    `  elsewhere  copy ${access.certsDir}/registry.json and ${access.certsDir}/devices/ (never ca/ca.key) to the other machine, then`,
    `               npm run fleet -- --target mqtts://${example}:${port} --certs-dir <the copy> ${things}`,
  );
  if (access.localFleet > 0) {
    lines.push(`             (bedside-0001..${String(access.localFleet).padStart(4, '0')} run here: issue more first, npm run certs -- --dir ${access.certsDir} --count ${access.localFleet + 20})`);
  }
  return lines;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flat()
    .filter((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry!.address);
}

function brokerCertificateHosts(certsDir: string): string[] {
  try {
    return (JSON.parse(readFileSync(serverPaths(certsDir).hostsPath, 'utf8')) as { hosts: string[] }).hosts;
  } catch {
    return [];
  }
}

/** Figures of now: connections as the broker sees them, msg/s over the last seconds, restarts if any. */
export function statusLine(stack: Pick<RunningLocalStack, 'broker' | 'eventSource' | 'etl'>, fleet: Pick<FleetHandle, 'progress'> | undefined): string {
  const broker = stack.broker.stats();
  const source = stack.eventSource.stats();
  const progress = fleet?.progress();
  const fleetPart = progress
    ? `monitors ${broker.connectedClients}/${progress.monitors} connected, ${Math.round(progress.msgPerSecond)} msg/s acknowledged`
      + `${progress.workerRestarts > 0 ? `, ${progress.workerRestarts} worker restarts` : ''}, `
    : `clients ${broker.connectedClients}, `;
  return `${fleetPart}stream ${broker.rules.forwarded} in, lake ${stack.etl.curated} curated, ${stack.etl.quarantined} quarantined, lag ${source.iteratorAgeMs} ms`;
}

// The fleet's worker processes and kinesalite's keep-alive sockets must not hold the process open.
runIfEntryPoint(import.meta.url, main, { exit: true });
