/**
 * `npm run monitor -- --thing bedside-0001`: runs one bedside monitor in this process (same runtime as
 * the fleet: outbox, backoff, shadow) and prints, each second, what was acknowledged.
 */
import { EndpointUnreachableError, FleetError, outboxLocation, resolveTarget } from '../fleet/index.ts';
import { monitorSpec } from '../fleet/specs.ts';
import { MonitorHost } from '../monitor/index.ts';
import { claimThings, openOutboxForThings, ThingsClaimedError } from '../outbox/index.ts';
import { indexOfThingName } from '../../certs/local/fleet-attributes.ts';
import { TransportError, loadTransportFactory } from '../transport/index.ts';
import { ScenarioMixError, isScenarioName, parseScenarioMix, SCENARIOS } from '../vitals/index.ts';
import { parseDuration, parseInterval, parseNumber, parseProtocol, parseTransport } from './args.ts';
import { parseFlags } from './flags.ts';
import { runIfEntryPoint } from './entry-point.ts';
import { onStopSignal } from './stop-signal.ts';

const HELP = `Usage: npm run monitor -- --thing NAME [options]

Runs one simulated bedside monitor and prints, each second something was acknowledged, how many
messages and the highest seq. The thing must not be running elsewhere on this machine (npm start's
fleet runs bedside-0001 ... bedside-0050 by default): pick another, e.g. --thing bedside-0051 after
npm run certs -- --count 51.

  --thing NAME            thing name = MQTT client id = certificate CN (required), e.g. bedside-0001
  --target T              local | aws | mqtt://host:port | mqtts://host:port                [local]
  --transport K           mqtt (mqtt.js), crt (aws-iot-device-sdk-v2) or lite (lean 3.1.1)  [mqtt]
  --mqtt 3.1.1|5          protocol version                                   [5 for aws+crt, else 3.1.1]
  --scenario NAME         ${SCENARIOS.join(', ')}   [stable]
  --seed S --speed X --interval D --duration D    as for npm run fleet
  --connect-timeout D     give up when the endpoint does not answer within D             [20s]
  --no-shadow             do not use the device shadow
  --certs-dir DIR --aws-dir DIR --data-dir DIR
  -h, --help              this help`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: {
        thing: { type: 'string' }, target: { type: 'string', default: 'local' }, transport: { type: 'string' },
        mqtt: { type: 'string' }, scenario: { type: 'string', default: 'stable' }, seed: { type: 'string' },
        speed: { type: 'string' }, interval: { type: 'string' }, duration: { type: 'string' },
        'connect-timeout': { type: 'string', default: '20s' }, 'no-shadow': { type: 'boolean', default: false },
        'certs-dir': { type: 'string' }, 'aws-dir': { type: 'string' }, 'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`monitor: ${(error as Error).message}\nRun npm run monitor -- --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let host: MonitorHost;
  let giveUpMs: number;
  let durationMs: number | undefined;
  let endpoint: string;
  try {
    if (!values.thing) throw new FleetError('--thing is required, e.g. npm run monitor -- --thing bedside-0001');
    if (!isScenarioName(values.scenario)) throw new FleetError(`--scenario "${values.scenario}": use one of ${SCENARIOS.join(', ')}`);
    const transport = parseTransport(values.transport);
    const target = resolveTarget({ target: values.target, certsDir: values['certs-dir'], awsOutDir: values['aws-dir'] });
    const identity = target.thing(values.thing);
    giveUpMs = parseDuration(values['connect-timeout'], '--connect-timeout');
    durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
    endpoint = `${target.host}:${target.port}`;
    const location = outboxLocation(values['data-dir'] ?? 'data', target);
    claimThings(location.dir, [identity.thing]);
    const { outbox } = openOutboxForThings({ dir: location.dir, label: `monitor-${identity.thing}`, things: [identity.thing], adoptFrom: location.adoptFrom });
    host = new MonitorHost({
      host: target.host, port: target.port, transportFactory: await loadTransportFactory(transport),
      protocolVersion: parseProtocol(values.mqtt, transport, values.target), outbox,
      shadow: !values['no-shadow'], speed: parseNumber(values.speed, '--speed', { min: 0.001 }) ?? 1,
      connectTimeoutMs: Math.min(10_000, giveUpMs),
      log: (level, message) => console.error(`${level}: ${message}`),
    });
    const spec = monitorSpec(identity, Math.max(0, (indexOfThingName(identity.thing) ?? 1) - 1), {
      seed: parseNumber(values.seed, '--seed', { min: 0, integer: true }) ?? 1,
      mix: parseScenarioMix(values.scenario),
      intervalMs: parseInterval(values.interval) ?? 1_000,
    });
    host.add({ ...spec, phaseMs: 0, tls: target.credentials(identity.thing) });
    console.error(`monitor ${identity.thing} (${identity.attributes.ward}, bed ${identity.attributes.bed}) -> ${target.label} via ${transport}; Ctrl-C stops`);
  } catch (error) {
    return reportError(error);
  }
  const started = Date.now();
  let lastAcked = 0;
  let failure: Error | undefined;
  const stopped = new Promise<void>((resolve) => {
    let disposeSignals = () => {};
    const finish = () => { clearInterval(ticker); disposeSignals(); resolve(); };
    const ticker = setInterval(() => {
      const stats = host.stats();
      if (stats.acked > lastAcked) {
        console.log(`acked ${stats.acked - lastAcked} (seq up to ${host.outbox.nextSeq(values.thing!) - 1}), queued ${stats.queued}, reconnects ${stats.reconnects}`);
        lastAcked = stats.acked;
      }
      const neverConnected = !host.monitor(values.thing!)?.everConnected;
      if (neverConnected && Date.now() - started > giveUpMs) {
        failure = new EndpointUnreachableError(`could not connect to ${endpoint} within ${Math.round(giveUpMs / 1000)} s (last error: ${stats.lastError ?? 'none'}): `
          + (values.target === 'local' ? 'is the local stack running (npm start)?' : 'check the endpoint, the port and the certificates'));
        finish();
      }
      if (durationMs !== undefined && Date.now() - started >= durationMs) finish();
    }, 1_000);
    disposeSignals = onStopSignal(finish, { forceMessage: 'Ctrl-C again: exiting now; what was not acknowledged stays in the outbox.' });
  });
  await stopped;
  await host.stop(5_000);
  const stats = host.stats();
  console.error(`stopped: sent ${stats.sent}, acked ${stats.acked}, queued on disk ${stats.queued}, dropped ${stats.dropped}, reconnects ${stats.reconnects}`);
  return failure ? reportError(failure) : 0;
}

function reportError(error: unknown): number {
  if (error instanceof ThingsClaimedError) {
    console.error(`monitor: ${error.message}. Stop that process, or run another thing with --thing.`);
    return 2;
  }
  if (error instanceof FleetError || error instanceof ScenarioMixError || error instanceof TransportError) {
    console.error(`monitor: ${error.message}`);
    return error instanceof EndpointUnreachableError ? 1 : 2;
  }
  console.error(error);
  return 1;
}

runIfEntryPoint(import.meta.url, main);
