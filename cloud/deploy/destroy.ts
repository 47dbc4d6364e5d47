/**
 * `npm run destroy`: deprovisions the things (asks first), destroys the stack, and prints what stayed and
 * how to delete it. With retainData=false the stack's buckets must be empty for CloudFormation to delete
 * them: it empties them (asks first), and once more if the ETL wrote in between and the delete failed.
 */
import { DescribeStacksCommand, ListStackResourcesCommand, type CloudFormationClient, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { DeleteObjectsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { STATEFUL_RESOURCE_TYPES } from '../stack/retention.ts';

export interface DestroyDeps {
  cloudFormation: Pick<CloudFormationClient, 'send'>;
  s3: Pick<S3Client, 'send'>;
  /** Asks a yes/no question (answered yes when --yes was given). */
  confirm(question: string): Promise<boolean>;
  /** Runs `cdk destroy --force ...`; resolves with its exit code. */
  cdkDestroy(): Promise<number>;
  /** Things provisioned from this machine, if any (certs/aws-out/manifest.json). */
  provisionedThings(): number;
  /** Runs `npm run deprovision`; resolves with its exit code. */
  deprovision(): Promise<number>;
  out(line: string): void;
}

export interface RetainedResource {
  readonly type: string;
  readonly id: string;
  /** The command that deletes it (after what it depends on is gone). */
  readonly command: string;
}

export interface DestroyResult {
  readonly exitCode: number;
  readonly retained: readonly RetainedResource[];
}

/** How to delete each retained type by hand; keys last (they decrypt the rest). */
export function deleteCommand(type: string, id: string): string {
  switch (type) {
    case 'AWS::S3::Bucket': return `empty every object version (cloud/stack/README.md, Tear-down), then aws s3 rb s3://${id}`;
    case 'AWS::Kinesis::Stream': return `aws kinesis delete-stream --stream-name ${id}   # bills per hour until deleted`;
    case 'AWS::Logs::LogGroup': return `aws logs delete-log-group --log-group-name ${id}`;
    case 'AWS::SQS::Queue': return `aws sqs delete-queue --queue-url ${id}`;
    case 'AWS::SecretsManager::Secret': return `aws secretsmanager delete-secret --secret-id ${id} --recovery-window-in-days 7`;
    case 'AWS::KMS::Key': return `aws kms schedule-key-deletion --key-id ${id} --pending-window-in-days 7   # after everything above`;
    default: return `delete ${type} ${id}`;
  }
}

async function stackResources(cfn: DestroyDeps['cloudFormation'], stackName: string): Promise<StackResourceSummary[]> {
  const all: StackResourceSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken }));
    all.push(...(page.StackResourceSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

/** Deletes every object version and delete marker of a bucket; returns how many it deleted. */
export async function emptyBucket(s3: DestroyDeps['s3'], bucket: string): Promise<number> {
  let deleted = 0;
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker, MaxKeys: 1000 }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId! }));
    if (objects.length > 0) {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
      if (result.Errors?.length) throw new Error(`could not delete ${result.Errors.length} objects of ${bucket}: ${result.Errors[0]?.Code} ${result.Errors[0]?.Message}`);
      deleted += objects.length;
    }
    if (!page.IsTruncated) return deleted;
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  }
}

export async function destroyStack(stackName: string, deps: DestroyDeps): Promise<DestroyResult> {
  const things = deps.provisionedThings();
  if (things > 0) {
    if (await deps.confirm(`Deprovision the ${things} things provisioned from here (certificates, things, shadows)?`)) {
      const code = await deps.deprovision();
      if (code !== 0) return { exitCode: code, retained: [] };
    } else {
      deps.out('things kept: their certificates stay active until npm run deprovision');
    }
  }

  let stack;
  try {
    stack = (await deps.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? '')) {
      deps.out(`stack ${stackName} is not deployed in this region: nothing to destroy`);
      return { exitCode: 0, retained: [] };
    }
    throw error;
  }
  const retainData = stack?.Outputs?.find((o) => o.OutputKey === 'RetainData')?.OutputValue !== 'false';
  const stateful = (await stackResources(deps.cloudFormation, stackName)).filter(
    (r) => STATEFUL_RESOURCE_TYPES.includes(r.ResourceType ?? '') && r.PhysicalResourceId,
  );
  const buckets = stateful.filter((r) => r.ResourceType === 'AWS::S3::Bucket').map((r) => r.PhysicalResourceId!);

  if (!(await deps.confirm(`Destroy the stack ${stackName}${retainData ? ' (data retained: retainData=true)' : ' and ALL its data (retainData=false)'}?`))) {
    deps.out('nothing destroyed');
    return { exitCode: 1, retained: [] };
  }
  const empty = async () => {
    for (const bucket of buckets) deps.out(`emptied ${bucket}: ${await emptyBucket(deps.s3, bucket)} object versions`);
  };
  if (!retainData) await empty();
  let code = await deps.cdkDestroy();
  if (code !== 0 && !retainData) {
    // The ETL or access-log delivery may have written after the first pass: empty again, once.
    deps.out('cdk destroy failed; emptying the buckets again (late writes) and retrying once');
    await empty();
    code = await deps.cdkDestroy();
  }
  if (code !== 0) return { exitCode: code, retained: [] };

  const order = (type: string | undefined) => (type === 'AWS::KMS::Key' ? 1 : 0);
  const retained = retainData
    ? stateful
        .sort((a, b) => order(a.ResourceType) - order(b.ResourceType))
        .map((r) => ({ type: r.ResourceType!, id: r.PhysicalResourceId!, command: deleteCommand(r.ResourceType!, r.PhysicalResourceId!) }))
    : [];
  if (retained.length > 0) {
    deps.out(`retained (retainData=true: PHI is never deleted by a stack operation); delete them when the data may go:`);
    for (const r of retained) deps.out(`  ${r.type.padEnd(28)} ${r.id}\n    ${r.command}`);
  } else {
    deps.out('nothing retained');
  }
  deps.out('fleet indexing stays on (account-wide): aws iot update-indexing-configuration --thing-indexing-configuration thingIndexingMode=OFF');
  return { exitCode: 0, retained };
}
