/**
 * The deploy preflight: what a first `cdk deploy` needs from the account, checked before CloudFormation
 * starts (a failure there takes minutes and a rollback). Each check reads one AWS API through an injected
 * client and reports a typed result; a failure says what to run next. Nothing here changes the account.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeEndpointCommand, type IoTClient } from '@aws-sdk/client-iot';
import { DescribeLimitsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { GetAccountSettingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeAccountSubscriptionCommand, DescribeGroupCommand, DescribeUserCommand, type QuickSightClient } from '@aws-sdk/client-quicksight';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { StackConfig } from '../stack/config.ts';

/** The bootstrap stack `cdk bootstrap` creates (default qualifier) and the version the stack's assets need. */
export const CDK_TOOLKIT_STACK = 'CDKToolkit';
export const MIN_BOOTSTRAP_VERSION = 6;
/** Lambda keeps this much of the account's concurrency unreserved (all of it below 100). */
export const LAMBDA_MIN_UNRESERVED = 100;
/** Functions that may run at once at the start: the ETL per shard (on-demand streams start at 4) and the compactor. */
export const EXPECTED_CONCURRENCY = 5;

export interface PreflightClients {
  sts: Pick<STSClient, 'send'>;
  cloudFormation: Pick<CloudFormationClient, 'send'>;
  lambda: Pick<LambdaClient, 'send'>;
  iot: Pick<IoTClient, 'send'>;
  kinesis: Pick<KinesisClient, 'send'>;
  /** QuickSight in a given region (users live in the account's identity region, which may differ). */
  quickSight: (region: string) => Pick<QuickSightClient, 'send'>;
}

export interface CheckResult {
  readonly check: 'credentials' | 'region' | 'bootstrap' | 'lambda-concurrency' | 'iot-core' | 'kinesis' | 'quicksight';
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  /** What to run or change next (failures and warnings). */
  readonly next?: string;
}

export interface PreflightInput {
  /** The region the deploy targets (from --region, AWS_REGION or the profile); undefined when none is set. */
  readonly region: string | undefined;
  readonly config: StackConfig;
  readonly clients: PreflightClients;
}

function awsName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}

function describe(error: unknown): string {
  return `${awsName(error)}: ${(error as Error | undefined)?.message ?? String(error)}`;
}

/** Runs every check that can run: credentials and region first, the rest only when both hold. */
export async function runPreflight({ region, config, clients }: PreflightInput): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (!region) {
    results.push({
      check: 'region', status: 'fail', detail: 'no AWS region is set',
      next: 'export AWS_REGION=eu-west-2 (any region with IoT Core, Kinesis on-demand and Athena), or set region in your AWS profile',
    });
    return results;
  }
  results.push({ check: 'region', status: 'ok', detail: region });

  let account: string;
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    account = identity.Account;
    results.push({ check: 'credentials', status: 'ok', detail: `account ${account} as ${identity.Arn}` });
  } catch (error) {
    results.push({
      check: 'credentials', status: 'fail', detail: `no usable AWS credentials (${describe(error)})`,
      next: 'aws sso login --profile <profile> && export AWS_PROFILE=<profile> (or aws configure, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
    });
    return results;
  }

  results.push(await bootstrap(clients, account, region));
  results.push(await lambdaConcurrency(clients, config));
  results.push(await iotCore(clients, region));
  results.push(await kinesis(clients, config));
  if (config.quickSight) results.push(await quickSight(clients, config.quickSight.principalArn, account));
  return results;
}

async function bootstrap(clients: PreflightClients, account: string, region: string): Promise<CheckResult> {
  const next = `npx cdk bootstrap aws://${account}/${region}`;
  try {
    const { Stacks } = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: CDK_TOOLKIT_STACK }));
    const stack = Stacks?.[0];
    const version = Number(stack?.Outputs?.find((o) => o.OutputKey === 'BootstrapVersion')?.OutputValue);
    if (!stack || /FAILED|ROLLBACK_COMPLETE|DELETE/.test(stack.StackStatus ?? '')) {
      return { check: 'bootstrap', status: 'fail', detail: `${CDK_TOOLKIT_STACK} is ${stack?.StackStatus ?? 'missing'}`, next };
    }
    if (!(version >= MIN_BOOTSTRAP_VERSION)) {
      return { check: 'bootstrap', status: 'fail', detail: `bootstrap version ${Number.isNaN(version) ? 'unknown' : version}, the stack needs ${MIN_BOOTSTRAP_VERSION}+`, next };
    }
    return { check: 'bootstrap', status: 'ok', detail: `${CDK_TOOLKIT_STACK} version ${version}` };
  } catch (error) {
    const missing = awsName(error) === 'ValidationError' || /does not exist/.test((error as Error).message ?? '');
    return {
      check: 'bootstrap', status: 'fail',
      detail: missing ? `${account}/${region} is not bootstrapped for the CDK` : `cannot read ${CDK_TOOLKIT_STACK} (${describe(error)})`,
      next: missing ? next : 'check that your role may call cloudformation:DescribeStacks',
    };
  }
}

async function lambdaConcurrency(clients: PreflightClients, config: StackConfig): Promise<CheckResult> {
  const quotaIncrease =
    'aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000';
  try {
    const settings = await clients.lambda.send(new GetAccountSettingsCommand({}));
    const limit = Number(settings.AccountLimit?.ConcurrentExecutions);
    const unreserved = Number(settings.AccountLimit?.UnreservedConcurrentExecutions);
    const floor = Math.min(LAMBDA_MIN_UNRESERVED, limit);
    const asked = config.etlReservedConcurrency;
    if (asked !== undefined && unreserved - asked < floor) {
      return {
        check: 'lambda-concurrency', status: 'fail',
        detail: `-c etlReservedConcurrency=${asked} would leave ${unreserved - asked} unreserved of ${limit}; Lambda keeps at least ${floor} unreserved`,
        next: `deploy without -c etlReservedConcurrency, or ask for more: ${quotaIncrease}`,
      };
    }
    const detail = `account limit ${limit}, ${unreserved} unreserved${asked === undefined ? '' : `, ETL reserves ${asked}`}`;
    if (unreserved - (asked ?? 0) < EXPECTED_CONCURRENCY) {
      return { check: 'lambda-concurrency', status: 'warn', detail: `${detail}: the ETL and compactor may be throttled`, next: quotaIncrease };
    }
    return { check: 'lambda-concurrency', status: 'ok', detail };
  } catch (error) {
    return { check: 'lambda-concurrency', status: 'fail', detail: `Lambda is not reachable here (${describe(error)})`, next: 'check the region and that your role may call lambda:GetAccountSettings' };
  }
}

async function iotCore(clients: PreflightClients, region: string): Promise<CheckResult> {
  try {
    const { endpointAddress } = await clients.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    return { check: 'iot-core', status: 'ok', detail: `data endpoint ${endpointAddress}` };
  } catch (error) {
    return {
      check: 'iot-core', status: 'fail', detail: `AWS IoT Core is not available to you in ${region} (${describe(error)})`,
      next: 'pick a region with IoT Core (https://docs.aws.amazon.com/general/latest/gr/iot-core.html) and export AWS_REGION=<it>',
    };
  }
}

async function kinesis(clients: PreflightClients, config: StackConfig): Promise<CheckResult> {
  try {
    const limits = await clients.kinesis.send(new DescribeLimitsCommand({}));
    if (config.streamCapacity.mode === 'ON_DEMAND') {
      const room = Number(limits.OnDemandStreamCountLimit) - Number(limits.OnDemandStreamCount);
      if (!(room >= 1)) {
        return { check: 'kinesis', status: 'fail', detail: `no room for another on-demand stream (${limits.OnDemandStreamCount} of ${limits.OnDemandStreamCountLimit})`, next: 'deploy with -c streamMode=PROVISIONED -c streamShards=1, or delete an unused on-demand stream' };
      }
      return { check: 'kinesis', status: 'ok', detail: `${limits.OnDemandStreamCount} of ${limits.OnDemandStreamCountLimit} on-demand streams in use` };
    }
    const room = Number(limits.ShardLimit) - Number(limits.OpenShardCount);
    if (!(room >= config.streamCapacity.shards)) {
      return { check: 'kinesis', status: 'fail', detail: `${config.streamCapacity.shards} shard(s) asked, ${room} left of ${limits.ShardLimit}`, next: 'use fewer shards (-c streamShards=N) or ask for a higher Kinesis shard quota' };
    }
    return { check: 'kinesis', status: 'ok', detail: `${limits.OpenShardCount} of ${limits.ShardLimit} shards open` };
  } catch (error) {
    return { check: 'kinesis', status: 'fail', detail: `Kinesis Data Streams is not reachable (${describe(error)})`, next: 'check the region and that your role may call kinesis:DescribeLimits' };
  }
}

/** arn:aws:quicksight:<identity region>:<account>:(user|group)/<namespace>/<name> */
function parsePrincipal(arn: string) {
  const [, , , region, account, resource] = arn.split(':');
  const [kind, namespace, ...name] = (resource ?? '').split('/');
  return { region: region!, account: account!, kind: kind as 'user' | 'group', namespace: namespace!, name: name.join('/') };
}

async function quickSight(clients: PreflightClients, principalArn: string, account: string): Promise<CheckResult> {
  const principal = parsePrincipal(principalArn);
  if (principal.account !== account) {
    return { check: 'quicksight', status: 'fail', detail: `quicksightPrincipalArn is in account ${principal.account}, you deploy to ${account}`, next: `aws quicksight list-users --aws-account-id ${account} --namespace default --region <identity region>` };
  }
  const client = clients.quickSight(principal.region);
  try {
    const { AccountInfo } = await client.send(new DescribeAccountSubscriptionCommand({ AwsAccountId: account }));
    const status = AccountInfo?.AccountSubscriptionStatus;
    if (status !== 'ACCOUNT_CREATED') {
      return { check: 'quicksight', status: 'fail', detail: `QuickSight subscription is ${status ?? 'missing'}`, next: 'subscribe to QuickSight Enterprise (console: QuickSight > Sign up), or deploy without -c quicksight=true' };
    }
    if (AccountInfo?.Edition === 'STANDARD') {
      return { check: 'quicksight', status: 'fail', detail: 'QuickSight Standard edition: the dashboard needs Enterprise', next: 'upgrade to Enterprise (QuickSight > Manage QuickSight > Your subscriptions), or deploy without -c quicksight=true' };
    }
  } catch (error) {
    return { check: 'quicksight', status: 'fail', detail: `no QuickSight subscription readable in account ${account} (${describe(error)})`, next: 'subscribe to QuickSight Enterprise in the console, or deploy without -c quicksight=true' };
  }
  try {
    const input = { AwsAccountId: account, Namespace: principal.namespace };
    if (principal.kind === 'user') await client.send(new DescribeUserCommand({ ...input, UserName: principal.name }));
    else await client.send(new DescribeGroupCommand({ ...input, GroupName: principal.name }));
  } catch (error) {
    return { check: 'quicksight', status: 'fail', detail: `${principal.kind} ${principal.namespace}/${principal.name} not found (${describe(error)})`, next: `aws quicksight list-users --aws-account-id ${account} --namespace ${principal.namespace} --region ${principal.region}` };
  }
  return {
    check: 'quicksight', status: 'ok', detail: `${principal.kind} ${principal.name}; the dataset reads the vitals view`,
    next: 'create the vitals view once before this deploy: run the saved query create-vitals-view in the Athena workgroup (cloud/stack/README.md)',
  };
}

/** True when nothing failed (warnings do not stop a deploy). */
export function preflightPassed(results: readonly CheckResult[]): boolean {
  return results.every((r) => r.status !== 'fail');
}

export function formatResults(results: readonly CheckResult[]): string[] {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
  return results.flatMap((r) => [`${mark[r.status]} ${r.check.padEnd(18)} ${r.detail}`, ...(r.next ? [`     next: ${r.next}`] : [])]);
}
