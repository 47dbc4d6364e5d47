import { describe, expect, it } from 'vitest';
import { configFor, type DeployCliDeps, main, parseArgs } from '../../../../cloud/deploy/cli.ts';
import type { PreflightClients } from '../../../../cloud/deploy/preflight.ts';

/** Clients whose every call fails: the preflight then fails at credentials. */
// Stand-ins for the SDK clients (only `send` is called), typed loosely on purpose.
const failing = { send: async () => { throw Object.assign(new Error('no credentials (mocked)'), { name: 'CredentialsProviderError' }); } } as never;
const passing = (answers: Record<string, unknown>) => ({ send: async (command: { constructor: { name: string } }) => answers[command.constructor.name] ?? {} }) as never;

function deps(clients: Partial<PreflightClients>, cdkCalls: string[][], region: string | undefined = 'eu-west-2'): DeployCliDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    region: async (explicit) => explicit ?? region,
    preflightClients: () => ({ sts: failing, cloudFormation: failing, lambda: failing, iot: failing, kinesis: failing, quickSight: () => failing, ...clients }),
    destroyClients: () => ({ cloudFormation: failing, s3: failing }),
    cdk: async (args) => (cdkCalls.push(args), 0),
    ask: async () => false,
    provisioning: async () => 0,
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
  };
}

describe('npm run deploy / preflight (mocked AWS clients)', () => {
  it('passes cdk options through and reads -c values as the CDK app does', () => {
    const args = parseArgs(['deploy', '--region', 'eu-west-1', '-c', 'profile=trial', '--require-approval', 'never', '--yes']);
    expect(args).toMatchObject({ command: 'deploy', region: 'eu-west-1', yes: true, context: { profile: 'trial' } });
    expect(args.cdkArgs).toEqual(['-c', 'profile=trial', '--require-approval', 'never']);
    expect(configFor(args.context).profile).toBe('trial');
  });

  it('does not run cdk deploy when the preflight fails, and says what to run next', async () => {
    const cdkCalls: string[][] = [];
    const d = deps({}, cdkCalls);
    expect(await main(['deploy', '-c', 'profile=trial'], d)).toBe(1);
    expect(cdkCalls).toEqual([]);
    expect(d.lines.join('\n')).toMatch(/FAIL credentials[\s\S]*next: aws sso login/);
  });

  it('runs cdk deploy with the same options once every check passes', async () => {
    const cdkCalls: string[][] = [];
    const ok = passing({
      GetCallerIdentityCommand: { Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/me' },
      DescribeStacksCommand: { Stacks: [{ StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '28' }] }] },
      GetAccountSettingsCommand: { AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } },
      DescribeEndpointCommand: { endpointAddress: 'x-ats.iot.eu-west-2.amazonaws.com' },
      DescribeLimitsCommand: { ShardLimit: 500, OpenShardCount: 0, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50 },
    });
    const d = deps({ sts: ok, cloudFormation: ok, lambda: ok, iot: ok, kinesis: ok }, cdkCalls);
    expect(await main(['deploy', '-c', 'profile=trial'], d)).toBe(0);
    expect(cdkCalls).toEqual([['deploy', '-c', 'profile=trial']]);
  });

  it('names a bad context value before calling AWS', async () => {
    const d = deps({}, []);
    expect(await main(['preflight', '-c', 'prefix=Bad_Prefix'], d)).toBe(2);
    expect(d.lines.join('\n')).toMatch(/context "prefix"/);
  });
});
