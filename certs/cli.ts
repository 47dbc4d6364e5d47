/**
 * `npm run certs -- --count N [--dir data/certs] [--revoke bedside-0007] [--list] [--server-host name]`
 * Creates (idempotently) the local CA, the broker certificate and N device certificates with their
 * registry entries; revokes devices; lists the fleet. See certs/README.md.
 */
import cliProgress from 'cli-progress';
import {
  CertsError,
  DEFAULT_CERTS_DIR,
  caPaths,
  crlPath,
  deviceCredentialPaths,
  ensureDevices,
  ensureServerCertificate,
  loadRegistry,
  revokeDevice,
  serverPaths,
  thingNameFor,
  type ThingRecord,
} from './local/index.ts';
import { runIfEntryPoint } from '../device/cli/entry-point.ts';
import { parseFlags } from '../device/cli/flags.ts';

const USAGE = `Usage: npm run certs -- [options]

Creates a local CA, a broker certificate and device certificates (thing names bedside-0001...),
idempotently: existing devices are never re-issued, a larger --count grows the fleet.

Options:
  --count N            make sure devices 1..N exist (default: none beyond what exists)
  --dir PATH           certs directory (default: ${DEFAULT_CERTS_DIR})
  --server-host NAME   extra DNS name or IP for the broker certificate (repeatable)
  --revoke THING       revoke a device: the broker refuses it from then on (repeatable)
  --list               print the registry (thing, ward, bed, revoked, fingerprint)
  --quiet              no progress bar, no summary
  -h, --help           show this help
`;

/** Below this many new devices a progress bar only flickers. */
const PROGRESS_BAR_THRESHOLD = 200;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: {
        count: { type: 'string' },
        dir: { type: 'string', default: DEFAULT_CERTS_DIR },
        'server-host': { type: 'string', multiple: true, default: [] },
        revoke: { type: 'string', multiple: true, default: [] },
        list: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`certs: ${(error as Error).message}\nRun npm run certs -- --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && (!Number.isSafeInteger(count) || count < 0)) {
    console.error(`--count must be a non-negative integer, got "${values.count}"`);
    return 2;
  }
  const dir = values.dir;
  const log = values.quiet ? () => {} : (line: string) => console.log(line);
  try {
    await ensureServerCertificate(dir, values['server-host']);
    if (count !== undefined) {
      const started = performance.now();
      const before = loadRegistry(dir).size;
      const records = await ensureDevices(dir, count, values.quiet ? undefined : progressReporter(count, before));
      const total = loadRegistry(dir).size;
      const seconds = (performance.now() - started) / 1000;
      log(countOutcome(count, records.length, total - before, total, dir, seconds));
    }
    for (const thing of values.revoke) {
      await revokeDevice(dir, thing);
      log(`revoked ${thing}: listed in ${crlPath(dir)}; the broker refuses it from its next connection`);
    }
    if (values.list) printRegistry([...loadRegistry(dir).values()]);
    else log(summary(dir));
    return 0;
  } catch (error) {
    if (error instanceof CertsError || error instanceof RangeError) {
      console.error(`certs: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function progressReporter(count: number, existing: number): ((done: number, total: number) => void) | undefined {
  if (count - existing < PROGRESS_BAR_THRESHOLD || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    { format: 'issuing devices [{bar}] {value}/{total} {percentage}% eta {eta}s', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(count, existing);
  return (done, total) => {
    bar.update(done);
    if (done >= total) bar.stop();
  };
}

/** What --count did, so that it agrees with the "devices:" line of the summary below it. */
export function countOutcome(count: number, ready: number, created: number, total: number, dir: string, seconds: number): string {
  const range = count === 0 ? 'no devices asked for' : `${thingNameFor(1)}..${thingNameFor(count)}`;
  const what = created > 0
    ? `issued ${created} new device${created === 1 ? '' : 's'} in ${seconds.toFixed(1)} s; ${range} ready`
    : `nothing to issue: ${range}${count === 0 ? '' : ' already there'}`;
  const beyond = total > ready
    ? `; the registry holds ${total} devices (a smaller --count removes none; --revoke THING retires one)`
    : '';
  return `--count ${count}: ${what}${beyond} (${dir}/devices)`;
}

function summary(dir: string): string {
  const registry = loadRegistry(dir);
  const revoked = [...registry.values()].filter((t) => t.revoked).length;
  const example = deviceCredentialPaths(dir, [...registry.keys()][0] ?? 'bedside-0001');
  return [
    `CA:      ${caPaths(dir).certPath}`,
    `CRL:     ${crlPath(dir)} (${revoked} revoked)`,
    `broker:  ${serverPaths(dir).certPath} + server.key`,
    `devices: ${registry.size} in ${dir}/devices/<thing>/ (e.g. ${example.cert})`,
  ].join('\n');
}

function printRegistry(things: ThingRecord[]): void {
  console.log(['thing', 'ward', 'bed', 'patient_id', 'revoked', 'sha256'].join('\t'));
  for (const t of things) {
    const { ward, bed, patient_id } = t.attributes;
    console.log([t.thingName, ward, bed, patient_id, t.revoked ? 'REVOKED' : '-', t.certificateFingerprint].join('\t'));
  }
}

runIfEntryPoint(import.meta.url, main);
