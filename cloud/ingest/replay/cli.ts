/**
 * `npm run replay-rule-errors -- [--dry-run] [--since YYYY-MM-DD] [--region R] [--stack-prefix P]`
 * `npm run replay-rule-errors -- --local [--data-dir data] [--dry-run] [--kinesis-endpoint URL]`
 * Puts the rule's error-action records back into the stream (replay.ts says why that is safe to repeat).
 */
import { join } from 'node:path';
import { parseFlags } from '../../../device/cli/flags.ts';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { runIfEntryPoint } from '../../../device/cli/entry-point.ts';
import { ensureStream, localKinesisClient } from '../../local/kinesis/client.ts';
import { startKinesalite } from '../../local/kinesis/kinesalite.ts';
import { LOCAL_STREAM_NAME, localStackPaths } from '../../local/stack.ts';
import { INGESTION_DEFAULTS, STACK_PREFIX_PATTERN, stackNames } from '../../stack/defaults.ts';
import { ReplayError, replayRuleErrors, type ReplaySummary, type RuleErrorItem } from './replay.ts';
import { localRuleErrors, s3RuleErrors } from './sources.ts';

const USAGE = `Usage:
  npm run replay-rule-errors -- [--dry-run] [--since YYYY-MM-DD] [--region R] [--stack-prefix P] [--bucket B --stream S]
  npm run replay-rule-errors -- --local [--data-dir data] [--dry-run] [--since YYYY-MM-DD] [--kinesis-endpoint URL]

Puts the IoT rule's error-action records (messages it could not put into Kinesis, e.g. while throttled)
back into the stream. AWS: the lake bucket's ${INGESTION_DEFAULTS.ruleErrorsPrefix} prefix into the stack's stream (names from
the stack outputs, or --bucket/--stream). Local: <data-dir>/rule-errors/*.jsonl into the local stream; with
npm start stopped (it opens <data-dir>/kinesis itself; the next npm start processes them), or into a running
one's --kinesis-endpoint. Safe to run twice: the ETL and the vitals view drop repeated (device_id, seq).`;

function printSummary(summary: ReplaySummary, where: string): void {
  console.log(`${summary.dryRun ? 'dry run: would replay' : 'replayed'} ${summary.dryRun ? summary.replayable : summary.put} of ${summary.read} records ${summary.dryRun ? 'into' : 'to'} ${where}`);
  for (const [reason, count] of Object.entries(summary.skipped)) console.log(`  skipped ${count}: ${reason}`);
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: {
        local: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, since: { type: 'string' },
        region: { type: 'string' }, 'stack-prefix': { type: 'string' }, bucket: { type: 'string' }, stream: { type: 'string' },
        'data-dir': { type: 'string', default: 'data' }, 'kinesis-endpoint': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.since)) {
    console.error(`--since must be a UTC day YYYY-MM-DD, got "${values.since}"`);
    return 2;
  }
  const dryRun = values['dry-run'];
  try {
    if (values.local) return await replayLocal(values['data-dir'], values['kinesis-endpoint'], dryRun, values.since);
    return await replayAws({ ...values, dryRun });
  } catch (error) {
    if (error instanceof ReplayError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

async function replayLocal(dataDir: string, endpoint: string | undefined, dryRun: boolean, since: string | undefined): Promise<number> {
  const items = localRuleErrors(join(dataDir, 'rule-errors'), since);
  let kinesalite: Awaited<ReturnType<typeof startKinesalite>> | undefined;
  if (!endpoint && !dryRun) {
    try {
      kinesalite = await startKinesalite({ path: localStackPaths(dataDir).kinesisDir });
    } catch (error) {
      throw new ReplayError(`cannot open the local stream in ${localStackPaths(dataDir).kinesisDir} (is npm start running? stop it, or pass --kinesis-endpoint): ${(error as Error).message}`, { cause: error });
    }
  }
  const client = localKinesisClient(endpoint ?? kinesalite?.endpoint ?? 'http://127.0.0.1:1');
  try {
    // The stream npm start creates (2 shards), in case it never ran on this data dir.
    if (kinesalite) await ensureStream(client, LOCAL_STREAM_NAME, 2);
    const summary = await replayRuleErrors({ items, kinesis: client, streamName: LOCAL_STREAM_NAME, dryRun });
    printSummary(summary, `local stream ${LOCAL_STREAM_NAME}`);
    return 0;
  } finally {
    client.destroy();
    await kinesalite?.close();
  }
}

async function replayAws(values: { region?: string | undefined; 'stack-prefix'?: string | undefined; bucket?: string | undefined; stream?: string | undefined; since?: string | undefined; dryRun: boolean }): Promise<number> {
  const prefix = values['stack-prefix'];
  if (prefix !== undefined && !STACK_PREFIX_PATTERN.test(prefix)) throw new ReplayError(`--stack-prefix "${prefix}" is not a stack prefix (-c prefix=)`);
  const region = values.region ? { region: values.region } : {};
  let { bucket, stream } = values;
  if (!bucket || !stream) {
    const stackName = stackNames(prefix).stackName;
    const cfn = new CloudFormationClient(region);
    try {
      const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.Outputs ?? [];
      bucket ??= outputs.find((o) => o.OutputKey === 'LakeBucketName')?.OutputValue;
      stream ??= outputs.find((o) => o.OutputKey === 'StreamName')?.OutputValue;
    } catch (error) {
      throw new ReplayError(`cannot read the outputs of ${stackName} (${(error as Error).message}): pass --region, --stack-prefix, or --bucket and --stream`, { cause: error });
    } finally {
      cfn.destroy();
    }
    if (!bucket || !stream) throw new ReplayError(`${stackName} has no LakeBucketName/StreamName outputs: pass --bucket and --stream`);
  }
  const s3 = new S3Client(region);
  const kinesis = new KinesisClient(region);
  try {
    const items: AsyncIterable<RuleErrorItem> = s3RuleErrors(s3, bucket, INGESTION_DEFAULTS.ruleErrorsPrefix, values.since);
    printSummary(await replayRuleErrors({ items, kinesis, streamName: stream, dryRun: values.dryRun }), `stream ${stream}`);
    return 0;
  } finally {
    s3.destroy();
    kinesis.destroy();
  }
}

runIfEntryPoint(import.meta.url, main);
