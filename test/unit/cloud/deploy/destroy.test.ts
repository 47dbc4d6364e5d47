import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { destroyStack, type DestroyDeps } from '../../../../cloud/deploy/destroy.ts';

const STACK = 'HealthcareRealtimeDatalake';
const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);

const RESOURCES = [
  { LogicalResourceId: 'Key', PhysicalResourceId: 'key-1', ResourceType: 'AWS::KMS::Key' },
  { LogicalResourceId: 'Lake', PhysicalResourceId: 'lake-bucket', ResourceType: 'AWS::S3::Bucket' },
  { LogicalResourceId: 'Stream', PhysicalResourceId: 'vitals-stream', ResourceType: 'AWS::Kinesis::Stream' },
  { LogicalResourceId: 'Queue', PhysicalResourceId: 'https://sqs.eu-west-2.amazonaws.com/1/q', ResourceType: 'AWS::SQS::Queue' },
  { LogicalResourceId: 'Fn', PhysicalResourceId: 'etl-fn', ResourceType: 'AWS::Lambda::Function' },
].map((r) => ({ ...r, ResourceStatus: 'CREATE_COMPLETE' as const, LastUpdatedTimestamp: new Date() }));

function stackWith(retainData: boolean) {
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: STACK, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'RetainData', OutputValue: String(retainData) }] }] });
  cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: RESOURCES });
}

let log: string[];
let calls: string[];
function deps(overrides: Partial<DestroyDeps> = {}): DestroyDeps {
  return {
    cloudFormation: new CloudFormationClient({ region: 'eu-west-2' }),
    s3: new S3Client({ region: 'eu-west-2' }),
    confirm: async (q) => (calls.push(`confirm: ${q}`), true),
    cdkDestroy: async () => (calls.push('cdk destroy'), 0),
    provisionedThings: () => 0,
    deprovision: async () => (calls.push('deprovision'), 0),
    out: (line) => log.push(line),
    ...overrides,
  };
}

beforeEach(() => {
  cfn.reset();
  s3.reset();
  log = [];
  calls = [];
});
afterEach(() => {
  cfn.reset();
  s3.reset();
});

describe('npm run destroy (mocked CloudFormation and S3)', () => {
  it('deprovisions the things first (asked), destroys the stack, and lists every retained resource with its delete command', async () => {
    stackWith(true);
    const result = await destroyStack(STACK, deps({ provisionedThings: () => 3 }));
    expect(calls).toEqual([
      'confirm: Deprovision the 3 things provisioned from here (certificates, things, shadows)?',
      'deprovision',
      `confirm: Destroy the stack ${STACK} (data retained: retainData=true)?`,
      'cdk destroy',
    ]);
    expect(result.retained.map((r) => r.type)).toEqual(['AWS::S3::Bucket', 'AWS::Kinesis::Stream', 'AWS::SQS::Queue', 'AWS::KMS::Key']);
    expect(result.retained.find((r) => r.type === 'AWS::Kinesis::Stream')!.command).toMatch(/^aws kinesis delete-stream --stream-name vitals-stream/);
    expect(result.retained.at(-1)!.command).toMatch(/schedule-key-deletion --key-id key-1/);
    expect(log.join('\n')).toContain('aws sqs delete-queue --queue-url https://sqs.eu-west-2.amazonaws.com/1/q');
    expect(s3.calls()).toHaveLength(0);
  });

  it('keeps the things when the user says no, and destroys nothing when the user declines the stack', async () => {
    stackWith(true);
    const result = await destroyStack(STACK, deps({ provisionedThings: () => 2, confirm: async (q) => (calls.push(q), false) }));
    expect(calls.filter((c) => c === 'deprovision' || c === 'cdk destroy')).toEqual([]);
    expect(result.exitCode).toBe(1);
    expect(log.join('\n')).toMatch(/things kept[\s\S]*nothing destroyed/);
  });

  it('with retainData=false empties every bucket (all versions and delete markers, page by page) before cdk destroy, and retains nothing', async () => {
    stackWith(false);
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ IsTruncated: true, NextKeyMarker: 'k2', NextVersionIdMarker: 'v2', Versions: [{ Key: 'raw/a', VersionId: 'v1' }], DeleteMarkers: [{ Key: 'raw/b', VersionId: 'm1' }] })
      .resolvesOnce({ IsTruncated: false, Versions: [{ Key: 'curated/c', VersionId: 'v3' }] });
    s3.on(DeleteObjectsCommand).resolves({});
    const result = await destroyStack(STACK, deps());
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete!.Objects)).toEqual([
      [{ Key: 'raw/a', VersionId: 'v1' }, { Key: 'raw/b', VersionId: 'm1' }],
      [{ Key: 'curated/c', VersionId: 'v3' }],
    ]);
    expect(s3.commandCalls(ListObjectVersionsCommand)[1]!.args[0].input).toMatchObject({ Bucket: 'lake-bucket', KeyMarker: 'k2', VersionIdMarker: 'v2' });
    expect(result).toEqual({ exitCode: 0, retained: [] });
    expect(log).toContain('nothing retained');
  });

  it('empties again and retries once when late writes made cdk destroy fail', async () => {
    stackWith(false);
    s3.on(ListObjectVersionsCommand).resolves({ IsTruncated: false, Versions: [] });
    let attempts = 0;
    const result = await destroyStack(STACK, deps({ cdkDestroy: async () => (++attempts === 1 ? 1 : 0) }));
    expect(attempts).toBe(2);
    expect(s3.commandCalls(ListObjectVersionsCommand)).toHaveLength(2);
    expect(result.exitCode).toBe(0);
  });

  it('says so when the stack is not deployed in the region', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error(`Stack with id ${STACK} does not exist`), { name: 'ValidationError' }));
    expect(await destroyStack(STACK, deps())).toEqual({ exitCode: 0, retained: [] });
    expect(log.join('\n')).toContain('not deployed in this region');
    expect(calls).not.toContain('cdk destroy');
  });
});
