import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';
import { DescribeLimitsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeAccountSubscriptionCommand, DescribeUserCommand, QuickSightClient } from '@aws-sdk/client-quicksight';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CheckResult, formatResults, type PreflightClients, preflightPassed, runPreflight } from '../../../../cloud/deploy/preflight.ts';
import { readStackConfig } from '../../../../cloud/stack/config.ts';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-2';
const QS_USER = `arn:aws:quicksight:us-east-1:${ACCOUNT}:user/default/analyst`;

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const iot = mockClient(IoTClient);
const kinesis = mockClient(KinesisClient);
const quickSight = mockClient(QuickSightClient);
let quickSightRegions: string[];

function clients(): PreflightClients {
  return {
    sts: new STSClient({ region: REGION }), cloudFormation: new CloudFormationClient({ region: REGION }),
    lambda: new LambdaClient({ region: REGION }), iot: new IoTClient({ region: REGION }), kinesis: new KinesisClient({ region: REGION }),
    quickSight: (region) => (quickSightRegions.push(region), new QuickSightClient({ region })),
  };
}

const config = (context: Record<string, unknown> = {}) => readStackConfig((k) => context[k]);
const named = (results: CheckResult[], check: CheckResult['check']) => results.find((r) => r.check === check);
function awsError(name: string, message = `${name} (mocked)`): Error {
  return Object.assign(new Error(message), { name });
}

beforeEach(() => {
  for (const mock of [sts, cfn, lambda, iot, kinesis, quickSight]) mock.reset();
  quickSightRegions = [];
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/me` });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '28' }] }] });
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
  iot.on(DescribeEndpointCommand).resolves({ endpointAddress: 'abc-ats.iot.eu-west-2.amazonaws.com' });
  kinesis.on(DescribeLimitsCommand).resolves({ ShardLimit: 500, OpenShardCount: 0, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50 });
  quickSight.on(DescribeAccountSubscriptionCommand).resolves({ AccountInfo: { AccountSubscriptionStatus: 'ACCOUNT_CREATED', Edition: 'ENTERPRISE' } });
  quickSight.on(DescribeUserCommand).resolves({ User: { UserName: 'analyst' } });
});
afterEach(() => {
  for (const mock of [sts, cfn, lambda, iot, kinesis, quickSight]) mock.reset();
});

describe('deploy preflight (mocked STS, CloudFormation, Lambda, IoT, Kinesis, QuickSight)', () => {
  it('passes a bootstrapped account with room, and checks QuickSight only when opted in', async () => {
    const results = await runPreflight({ region: REGION, config: config(), clients: clients() });
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['region', 'ok'], ['credentials', 'ok'], ['bootstrap', 'ok'], ['lambda-concurrency', 'ok'], ['iot-core', 'ok'], ['kinesis', 'ok'],
    ]);
    expect(preflightPassed(results)).toBe(true);
    expect(quickSight.calls()).toHaveLength(0);
  });

  it('stops at a missing region and says how to set one', async () => {
    const results = await runPreflight({ region: undefined, config: config(), clients: clients() });
    expect(results).toEqual([expect.objectContaining({ check: 'region', status: 'fail', next: expect.stringContaining('export AWS_REGION=') })]);
    expect(sts.calls()).toHaveLength(0);
  });

  it('stops at missing credentials and says how to log in', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const results = await runPreflight({ region: REGION, config: config(), clients: clients() });
    expect(named(results, 'credentials')).toMatchObject({ status: 'fail', next: expect.stringContaining('aws sso login') });
    expect(results.map((r) => r.check)).toEqual(['region', 'credentials']);
  });

  it('tells an account that is not bootstrapped to run cdk bootstrap for its account and region', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id CDKToolkit does not exist'));
    const results = await runPreflight({ region: REGION, config: config(), clients: clients() });
    expect(named(results, 'bootstrap')).toMatchObject({ status: 'fail', next: `npx cdk bootstrap aws://${ACCOUNT}/${REGION}` });
    expect(preflightPassed(results)).toBe(false);
  });

  it('asks for a re-bootstrap when the bootstrap version is too old', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '4' }] }] });
    expect(named(await runPreflight({ region: REGION, config: config(), clients: clients() }), 'bootstrap')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/version 4/) });
  });

  it('refuses reserved ETL concurrency a new account cannot give, and warns when little is unreserved', async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    const reserved = await runPreflight({ region: REGION, config: config({ etlReservedConcurrency: '20' }), clients: clients() });
    expect(named(reserved, 'lambda-concurrency')).toMatchObject({ status: 'fail', next: expect.stringContaining('without -c etlReservedConcurrency') });
    const plain = await runPreflight({ region: REGION, config: config(), clients: clients() });
    expect(named(plain, 'lambda-concurrency')).toMatchObject({ status: 'ok' });
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 3 } });
    const low = await runPreflight({ region: REGION, config: config(), clients: clients() });
    expect(named(low, 'lambda-concurrency')).toMatchObject({ status: 'warn', next: expect.stringContaining('request-service-quota-increase') });
    expect(preflightPassed(low)).toBe(true);
  });

  it('fails where IoT Core is not offered and names where to look', async () => {
    iot.on(DescribeEndpointCommand).rejects(awsError('UnknownEndpoint', 'getaddrinfo ENOTFOUND iot.xx-north-9.amazonaws.com'));
    expect(named(await runPreflight({ region: REGION, config: config(), clients: clients() }), 'iot-core')).toMatchObject({ status: 'fail', next: expect.stringContaining('AWS_REGION') });
  });

  it('checks room for the stream the profile asks for: on-demand count, or provisioned shards', async () => {
    kinesis.on(DescribeLimitsCommand).resolves({ ShardLimit: 10, OpenShardCount: 10, OnDemandStreamCount: 50, OnDemandStreamCountLimit: 50 });
    expect(named(await runPreflight({ region: REGION, config: config(), clients: clients() }), 'kinesis')).toMatchObject({ status: 'fail', next: expect.stringContaining('streamMode=PROVISIONED') });
    expect(named(await runPreflight({ region: REGION, config: config({ profile: 'trial' }), clients: clients() }), 'kinesis')).toMatchObject({ status: 'fail', next: expect.stringContaining('streamShards') });
  });

  it('checks the QuickSight subscription and principal in the principal\'s identity region, and reminds to create the view', async () => {
    const opted = config({ quicksight: 'true', quicksightPrincipalArn: QS_USER });
    const ok = named(await runPreflight({ region: REGION, config: opted, clients: clients() }), 'quicksight');
    expect(ok).toMatchObject({ status: 'ok', next: expect.stringContaining('create-vitals-view') });
    expect(quickSightRegions).toEqual(['us-east-1']);
    expect(quickSight.commandCalls(DescribeUserCommand)[0]!.args[0].input).toEqual({ AwsAccountId: ACCOUNT, Namespace: 'default', UserName: 'analyst' });

    quickSight.on(DescribeAccountSubscriptionCommand).rejects(awsError('ResourceNotFoundException'));
    expect(named(await runPreflight({ region: REGION, config: opted, clients: clients() }), 'quicksight')).toMatchObject({ status: 'fail', next: expect.stringContaining('subscribe') });
    quickSight.on(DescribeAccountSubscriptionCommand).resolves({ AccountInfo: { AccountSubscriptionStatus: 'ACCOUNT_CREATED', Edition: 'ENTERPRISE' } });
    quickSight.on(DescribeUserCommand).rejects(awsError('ResourceNotFoundException'));
    expect(named(await runPreflight({ region: REGION, config: opted, clients: clients() }), 'quicksight')).toMatchObject({ status: 'fail', next: expect.stringContaining('aws quicksight list-users') });

    const otherAccount = config({ quicksight: 'true', quicksightPrincipalArn: 'arn:aws:quicksight:us-east-1:999999999999:user/default/analyst' });
    expect(named(await runPreflight({ region: REGION, config: otherAccount, clients: clients() }), 'quicksight')).toMatchObject({ status: 'fail', detail: expect.stringContaining('999999999999') });
  });

  it('prints one line per check and the next step under each one that has it', () => {
    const lines = formatResults([
      { check: 'region', status: 'ok', detail: REGION },
      { check: 'bootstrap', status: 'fail', detail: 'not bootstrapped', next: 'npx cdk bootstrap aws://1/r' },
    ]);
    expect(lines).toEqual([`ok   region             ${REGION}`, 'FAIL bootstrap          not bootstrapped', '     next: npx cdk bootstrap aws://1/r']);
  });
});
