/**
 * `npm run fleet -- --count N --target local|aws|mqtt(s)://host:port ...`: runs a fleet of simulated
 * bedside monitors over worker processes and prints a summary (or one JSON object with --json).
 */
import { EndpointUnreachableError, FleetError, formatProgress, formatSummary, runFleet, type FleetProgress } from '../fleet/index.ts';
import { ScenarioMixError, parseScenarioMix } from '../vitals/index.ts';
import { TransportError } from '../transport/index.ts';
import { parseDuration, parseInterval, parseNumber, parseProtocol, parseShard, parseTransport } from './args.ts';
import { parseFlags } from './flags.ts';
import { runIfEntryPoint } from './entry-point.ts';
import { onStopSignal } from './stop-signal.ts';

const HELP = `Usage: npm run fleet -- --count N [options]

Runs N simulated bedside monitors (vitals model, durable outbox, shadow) over worker processes.

  --count N               monitors in the whole fleet (required)
  --first N               start at the N-th thing (bedside-NNNN): run other things beside npm start's
                          fleet (bedside-0001..0050), e.g. --first 51 --count 20              [1]
  --target T              local (127.0.0.1:8883, data/certs) | aws (certs/aws-out) |
                          mqtt://host:port (plain) | mqtts://host:port (TLS, local certs)   [local]
  --transport K           mqtt (mqtt.js, any broker), crt (aws-iot-device-sdk-v2) or
                          lite (lean MQTT 3.1.1 client for dense local fleets)              [mqtt]
  --mqtt 3.1.1|5          protocol version (the local broker speaks 3.1.1)    [5 for aws+crt, else 3.1.1]
  --scenario-mix MIX      e.g. stable:70,sepsis:10,respiratory_failure:10,haemorrhage:10    [stable]
  --seed S                fleet seed: same seed, same patients                              [1]
  --speed X               simulated time runs X times faster (scenarios unfold sooner)      [1]
  --interval D            sampling interval per monitor: 1s, 500ms, or milliseconds (1000);
                          the shadow can change it                                          [1s]
  --duration D            stop after D (30s, 10m, 2h); default: until Ctrl-C
  --shard i/n             run the i-th of n slices of the fleet (several machines)          [1/1]
  --workers W             worker processes                                          [one per core]
  --connect-rate R        connection attempts per second, fleet-wide (IoT Core quota)      [100]
  --publish-rate R        publishes per second per connection (IoT Core: < 100)            [90]
  --no-shadow             do not use the device shadow
  --certs-dir DIR         local certificates                                          [data/certs]
  --aws-dir DIR           AWS credentials written by npm run provision             [certs/aws-out]
  --data-dir DIR          where outboxes live (<dir>/outbox/<target>/)                      [data]
  --json                  print one JSON summary object at the end (progress goes to stderr)
  -h, --help              this help`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: {
        count: { type: 'string' }, first: { type: 'string' }, target: { type: 'string', default: 'local' }, transport: { type: 'string' },
        mqtt: { type: 'string' }, 'scenario-mix': { type: 'string', default: 'stable' }, seed: { type: 'string' },
        speed: { type: 'string' }, interval: { type: 'string' }, duration: { type: 'string' }, shard: { type: 'string' },
        workers: { type: 'string' }, 'connect-rate': { type: 'string' }, 'publish-rate': { type: 'string' },
        'no-shadow': { type: 'boolean', default: false }, 'certs-dir': { type: 'string' }, 'aws-dir': { type: 'string' },
        'data-dir': { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`fleet: ${(error as Error).message}\nRun npm run fleet -- --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let handle;
  try {
    const count = parseNumber(values.count, '--count', { min: 1, integer: true });
    if (count === undefined) throw new FleetError('--count is required, e.g. npm run fleet -- --count 100');
    parseScenarioMix(values['scenario-mix']);
    const transport = parseTransport(values.transport);
    handle = runFleet({
      count, first: parseNumber(values.first, '--first', { min: 1, integer: true }), target: values.target, transport, protocolVersion: parseProtocol(values.mqtt, transport, values.target),
      scenarioMix: values['scenario-mix'], seed: parseNumber(values.seed, '--seed', { min: 0, integer: true }),
      speed: parseNumber(values.speed, '--speed', { min: 0.001 }), intervalMs: parseInterval(values.interval),
      durationMs: values.duration === undefined ? undefined : parseDuration(values.duration),
      shard: values.shard === undefined ? undefined : parseShard(values.shard),
      workers: parseNumber(values.workers, '--workers', { min: 1, integer: true }),
      connectRatePerSecond: parseNumber(values['connect-rate'], '--connect-rate', { min: 0.1 }),
      maxPublishesPerSecond: parseNumber(values['publish-rate'], '--publish-rate', { min: 1 }),
      shadow: !values['no-shadow'], certsDir: values['certs-dir'], awsOutDir: values['aws-dir'], dataDir: values['data-dir'],
      onProgress: progressPrinter(values.json),
    });
  } catch (error) {
    return reportError(error);
  }
  const disposeSignals = onStopSignal(() => {
    process.stderr.write('\nstopping: flushing outboxes (Ctrl-C again to force)...\n');
    handle.stop().catch(() => undefined);
  }, { forceMessage: 'Ctrl-C again: exiting now; what was not acknowledged stays in the outbox for the next run.' });
  try {
    const summary = await handle.summary;
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    console.log(values.json ? JSON.stringify(summary) : formatSummary(summary));
    return summary.errors > 0 && summary.acked === 0 ? 1 : 0;
  } catch (error) {
    return reportError(error);
  } finally {
    disposeSignals();
  }
}

/** A live line on a TTY (rewritten in place), plain periodic lines otherwise (logs, CI). */
function progressPrinter(json: boolean): (progress: FleetProgress) => void {
  const out = process.stderr;
  let last = 0;
  return (progress) => {
    if (out.isTTY) {
      out.write(`\r\x1b[2K${formatProgress(progress)}`);
    } else if (progress.elapsedMs - last >= (json ? 10_000 : 5_000)) {
      last = progress.elapsedMs;
      out.write(`${formatProgress(progress)}\n`);
    }
  };
}

function reportError(error: unknown): number {
  console.error(error instanceof FleetError || error instanceof ScenarioMixError || error instanceof TransportError ? `fleet: ${error.message}` : error);
  return exitCodeFor(error);
}

/** device/README.md: bad flags or setup exit 2; an endpoint nobody answers on, or a bug, exits 1 (as the monitor). */
export function exitCodeFor(error: unknown): 1 | 2 {
  if (error instanceof EndpointUnreachableError) return 1;
  return error instanceof FleetError || error instanceof ScenarioMixError || error instanceof TransportError ? 2 : 1;
}

runIfEntryPoint(import.meta.url, main);
