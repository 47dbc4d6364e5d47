/**
 * `npm run provision -- --count N [--region R] [--prefix bedside] [--stack-prefix P] [--out certs/aws-out] [--without-stack]`
 * `npm run deprovision -- [--region R] [--out certs/aws-out]`
 * Provisions (or removes) the simulated fleet in AWS IoT; see certs/aws/layout.ts for the files and
 * cloud/stack/README.md for the whole cloud walkthrough.
 */
import { parseFlags } from '../../device/cli/flags.ts';
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { STACK_PREFIX_PATTERN, stackNames } from '../../cloud/stack/defaults.ts';
import cliProgress from 'cli-progress';
import { deprovisionFleet } from './deprovision.ts';
import { ProvisioningError, UsageError } from './errors.ts';
import { awsOutPaths, DEFAULT_AWS_OUT_DIR } from './layout.ts';
import { fileManifestStore } from './manifest.ts';
import { provisionFleet } from './provision.ts';
import { runIfEntryPoint } from '../../device/cli/entry-point.ts';

const USAGE = `Usage:
  npm run provision -- --count N [--region R] [--prefix bedside] [--stack-prefix P] [--out ${DEFAULT_AWS_OUT_DIR}] [--concurrency 4]
  npm run deprovision -- [--region R] [--out ${DEFAULT_AWS_OUT_DIR}]

provision    reuses the stack's thing type, thing group and policy (deploy first: it refuses when
             they are missing), then creates N things with certificates, and writes
             <out>/<thing>/cert.pem|key.pem, <out>/AmazonRootCAs.pem (Amazon Root CA 1-4) and
             <out>/endpoint.json for \`npm run fleet -- --target aws\`. Resumable and idempotent:
             <out>/manifest.json records every step; a re-run creates nothing that exists.
deprovision  removes exactly what the manifest lists, each thing's shadow included (the stack's own
             resources are left to npm run destroy).

Options:
  --count N          things to provision (provision only)
  --region R         AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, or your profile's)
  --prefix P         thing name prefix: P-0001, P-0002, ... (default: bedside, or <stack-prefix>-bedside)
  --stack-prefix P   the stack copy deployed with -c prefix=P (its policy, thing type and group)
  --without-stack    create the policy, thing type and group if the stack has not (no pipeline behind them)
  --out DIR          output directory (default: ${DEFAULT_AWS_OUT_DIR})
  --concurrency N    things in flight at once; every API stays paced under its quota (default: 4)
  --quiet            no progress bar
  -h, --help         show this help

Credentials come from the usual AWS chain (AWS_PROFILE, SSO, environment).`;

export interface CliDeps {
  makeClient(region: string | undefined): Pick<IoTClient, 'send'> & { config: { region: () => Promise<string> } };
  /** The Device Shadow service (data plane) at the account's IoT data endpoint. */
  makeShadowClient?(region: string, endpoint: string): Pick<IoTDataPlaneClient, 'send'>;
  out(line: string): void;
  err(line: string): void;
}

const defaultDeps: CliDeps = {
  makeClient: (region) => new IoTClient(region ? { region } : {}),
  makeShadowClient: (region, endpoint) => new IoTDataPlaneClient({ region, endpoint: `https://${endpoint}` }),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${value}"`);
  return n;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function progressBar(label: string, quiet: boolean): ((done: number, total: number) => void) | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  return (done, total) => {
    if (!bar) {
      bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, stream: process.stderr }, cliProgress.Presets.shades_classic);
      bar.start(total, 0);
    }
    bar.update(done);
    if (done >= total) bar.stop();
  };
}

export async function main(argv: string[], deps: CliDeps = defaultDeps): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === '-h' || command === '--help' || command === undefined) {
      deps.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'provision' && command !== 'deprovision') throw new UsageError(`unknown command "${command}": provision or deprovision`);
    let values;
    try {
      ({ values } = parseFlags({
        args: rest,
        options: {
          count: { type: 'string' },
          region: { type: 'string' },
          prefix: { type: 'string' },
          'stack-prefix': { type: 'string' },
          'without-stack': { type: 'boolean', default: false },
          out: { type: 'string', default: DEFAULT_AWS_OUT_DIR },
          concurrency: { type: 'string' },
          quiet: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError((error as Error).message, { cause: error });
    }
    if (values.help) {
      deps.out(USAGE);
      return 0;
    }
    const stackPrefix = values['stack-prefix'];
    if (stackPrefix !== undefined && !STACK_PREFIX_PATTERN.test(stackPrefix)) {
      throw new UsageError(`--stack-prefix "${stackPrefix}" must be the -c prefix the stack was deployed with (1-12 lowercase letters or digits)`);
    }
    const names = stackNames(stackPrefix);
    const prefix = values.prefix ?? `${names.thingNamePrefix ?? ''}bedside`;
    if (!/^[a-zA-Z0-9_-]{1,100}$/.test(prefix)) throw new UsageError(`--prefix "${prefix}" may hold only letters, digits, _ and -`);
    const concurrency = positiveInt(values.concurrency, 'concurrency');
    const client = deps.makeClient(values.region);
    let region: string;
    try {
      region = await client.config.region();
    } catch (error) {
      throw new UsageError('no AWS region: pass --region, or set AWS_REGION or a region in your AWS profile', { cause: error });
    }
    const store = fileManifestStore(awsOutPaths(values.out).manifest);

    if (command === 'provision') {
      const count = positiveInt(values.count, 'count');
      if (count === undefined) throw new UsageError('provision needs --count N');
      const result = await provisionFleet({
        client, count, region, prefix, outDir: values.out, store, names, createShared: values['without-stack'],
        ...(concurrency ? { concurrency } : {}),
        ...optional('onProgress', progressBar('provisioning', values.quiet)),
      });
      deps.out(`${result.things.length} things ready in ${region} (created now: ${result.created.things} things, ${result.created.certificates} certificates)`);
      deps.out(`credentials: ${values.out}/<thing>/cert.pem|key.pem, CA ${awsOutPaths(values.out).rootCa}`);
      deps.out(`endpoint:    ${result.endpoint}  (written to ${awsOutPaths(values.out).endpoint})`);
      deps.out(`next:        npm run fleet -- --target aws --count ${result.things.length}`);
      return 0;
    }

    const makeShadowClient = deps.makeShadowClient;
    const result = await deprovisionFleet({
      client, outDir: values.out, store,
      ...(makeShadowClient ? { shadows: (endpoint: string) => makeShadowClient(region, endpoint) } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...optional('onProgress', progressBar('deprovisioning', values.quiet)),
    });
    deps.out(`${result.thingsRemoved} things removed with their certificates`);
    if (!result.complete) {
      deps.out(`the thing type is deprecated; AWS allows deleting it from ${result.thingTypeDeletableAt}: run npm run deprovision again then`);
    }
    return 0;
  } catch (error) {
    if (error instanceof ProvisioningError) {
      deps.err(`${command ?? ''}: ${error.message}`);
      if (!(error instanceof UsageError)) deps.err(`the manifest keeps what was done: fix the cause and run the same command again to resume`);
      else deps.err(`\n${USAGE}`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

runIfEntryPoint(import.meta.url, main);
