/**
 * `npm run deploy -- [cdk options]`: the preflight (cloud/deploy/preflight.ts), then `cdk deploy`.
 * `npm run preflight -- [-c key=value ...]`: the preflight alone.
 * `npm run destroy -- [--yes] [cdk options]`: deprovision (asks), `cdk destroy`, what was retained.
 * Context given with `-c key=value` is read as the CDK app reads it (cdk.json, then the command line).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IoTClient } from '@aws-sdk/client-iot';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { awsOutPaths, DEFAULT_AWS_OUT_DIR } from '../../certs/aws/layout.ts';
import { main as provisioningMain } from '../../certs/aws/cli.ts';
import { runIfEntryPoint } from '../../device/cli/entry-point.ts';
import { cdkJsonContext } from '../stack/app.ts';
import { readStackConfig, StackConfigError, type StackConfig } from '../stack/config.ts';
import { destroyStack, type DestroyDeps } from './destroy.ts';
import { formatResults, type PreflightClients, preflightPassed, runPreflight } from './preflight.ts';

const USAGE = `Usage:
  npm run deploy    -- [--region R] [--skip-preflight] [cdk deploy options, e.g. -c profile=trial]
  npm run preflight -- [--region R] [-c key=value ...]
  npm run destroy   -- [--region R] [--yes] [--aws-dir ${DEFAULT_AWS_OUT_DIR}] [-c prefix=P ...]

deploy     checks credentials, region, CDK bootstrap, Lambda concurrency, IoT Core and Kinesis in the
           region (and the QuickSight subscription and principal with -c quicksight=true), then runs
           cdk deploy with the same options. Each failed check says what to run next.
destroy    deprovisions the things in --aws-dir (asks first), runs cdk destroy, and prints what was
           retained (retainData=true) with the command that deletes each; with retainData=false it
           empties the stack's buckets first (asks first). --yes answers yes to every question.`;

export interface DeployCliDeps {
  region(explicit: string | undefined): Promise<string | undefined>;
  preflightClients(region: string): PreflightClients;
  destroyClients(region: string): Pick<DestroyDeps, 'cloudFormation' | 's3'>;
  /** Runs the CDK CLI with these arguments; resolves with its exit code. */
  cdk(args: string[], region: string): Promise<number>;
  ask(question: string): Promise<boolean>;
  provisioning(argv: string[]): Promise<number>;
  out(line: string): void;
  err(line: string): void;
}

export interface ParsedArgs {
  command: string | undefined;
  region: string | undefined;
  yes: boolean;
  skipPreflight: boolean;
  awsDir: string;
  help: boolean;
  /** Passed to cdk unchanged. */
  cdkArgs: string[];
  /** `-c key=value` pairs among them. */
  context: Record<string, string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const parsed: ParsedArgs = { command, region: undefined, yes: false, skipPreflight: false, awsDir: DEFAULT_AWS_OUT_DIR, help: false, cdkArgs: [], context: {} };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--region') parsed.region = rest[++i];
    else if (arg === '--yes' || arg === '-y') parsed.yes = true;
    else if (arg === '--skip-preflight') parsed.skipPreflight = true;
    else if (arg === '--aws-dir') parsed.awsDir = rest[++i] ?? DEFAULT_AWS_OUT_DIR;
    else if (arg === '--help' || arg === '-h') parsed.help = true;
    else {
      parsed.cdkArgs.push(arg);
      if ((arg === '-c' || arg === '--context') && rest[i + 1] !== undefined) {
        const pair = rest[++i]!;
        parsed.cdkArgs.push(pair);
        const at = pair.indexOf('=');
        if (at > 0) parsed.context[pair.slice(0, at)] = pair.slice(at + 1);
      }
    }
  }
  return parsed;
}

/** The stack configuration the CDK app will build from cdk.json plus these `-c` values. */
export function configFor(context: Record<string, string>): StackConfig {
  const merged: Record<string, unknown> = { ...cdkJsonContext(), ...context };
  return readStackConfig((key) => merged[key]);
}

export async function main(argv: string[], deps: DeployCliDeps = defaultDeps()): Promise<number> {
  const args = parseArgs(argv);
  if (args.help || !args.command || !['deploy', 'destroy', 'preflight'].includes(args.command)) {
    (args.help ? deps.out : deps.err)(USAGE);
    return args.help ? 0 : 2;
  }
  let config: StackConfig;
  try {
    config = configFor(args.context);
  } catch (error) {
    if (error instanceof StackConfigError) {
      deps.err(`${error.message}`);
      return 2;
    }
    throw error;
  }
  const region = await deps.region(args.region);

  if (args.command === 'deploy' || args.command === 'preflight') {
    if (!args.skipPreflight) {
      deps.out(`preflight for ${config.names.stackName} (profile ${config.profile}) in ${region ?? '(no region)'}:`);
      const results = await runPreflight({ region, config, clients: region ? deps.preflightClients(region) : ({} as PreflightClients) });
      for (const line of formatResults(results)) deps.out(line);
      if (!preflightPassed(results)) {
        deps.err('preflight failed: fix the checks marked FAIL (each says what to run next), then run the same command again');
        return 1;
      }
    }
    if (args.command === 'preflight') return 0;
    return deps.cdk(['deploy', ...args.cdkArgs], region ?? '');
  }

  if (!region) {
    deps.err('no AWS region: pass --region or export AWS_REGION');
    return 2;
  }
  const manifest = awsOutPaths(args.awsDir).manifest;
  const clients = deps.destroyClients(region);
  const result = await destroyStack(config.names.stackName, {
    ...clients,
    confirm: (question) => (args.yes ? Promise.resolve(true) : deps.ask(question)),
    cdkDestroy: () => deps.cdk(['destroy', '--force', ...args.cdkArgs], region),
    provisionedThings: () => {
      if (!existsSync(manifest)) return 0;
      return Object.keys((JSON.parse(readFileSync(manifest, 'utf8')) as { things?: object }).things ?? {}).length;
    },
    deprovision: () => deps.provisioning(['deprovision', '--region', region, '--out', args.awsDir]),
    out: deps.out,
  });
  return result.exitCode;
}

function defaultDeps(): DeployCliDeps {
  return {
    region: async (explicit) => {
      if (explicit) return explicit;
      try {
        return await new STSClient({}).config.region();
      } catch {
        return undefined;
      }
    },
    preflightClients: (region) => ({
      sts: new STSClient({ region }),
      cloudFormation: new CloudFormationClient({ region }),
      lambda: new LambdaClient({ region }),
      iot: new IoTClient({ region }),
      kinesis: new KinesisClient({ region }),
      quickSight: (identityRegion) => new QuickSightClient({ region: identityRegion }),
    }),
    destroyClients: (region) => ({ cloudFormation: new CloudFormationClient({ region }), s3: new S3Client({ region }) }),
    cdk: (args, region) =>
      new Promise((resolve) => {
        const child = spawn('npx', ['cdk', ...args], { stdio: 'inherit', env: region ? { ...process.env, AWS_REGION: region } : process.env });
        child.on('exit', (code) => resolve(code ?? 1));
        child.on('error', () => resolve(1));
      }),
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
    provisioning: (argv) => provisioningMain(argv),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  };
}

runIfEntryPoint(import.meta.url, (argv) => main(argv));
