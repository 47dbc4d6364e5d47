/**
 * One rule for every resource that holds data: it is retained on `cdk destroy` when `retainData` is true
 * (PHI is never deleted by a stack operation) and deleted with the stack when it is false. Applied as an
 * aspect over the whole stack, so a resource added later follows it without anyone remembering to;
 * CDK's own defaults differ per type (a Kinesis stream is retained, a queue deleted), which is what
 * left the stream billing after `cdk destroy`.
 */
import { type IAspect, Aspects, AspectPriority, CfnResource, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** CloudFormation types whose deletion loses data (records, objects, keys that decrypt them, logs, failed batches). */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::Kinesis::Stream',
  'AWS::Logs::LogGroup',
  'AWS::SQS::Queue',
];

export function removalPolicyFor(retainData: boolean): RemovalPolicy {
  return retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

class DataRetention implements IAspect {
  constructor(private readonly policy: RemovalPolicy) {}
  visit(node: IConstruct): void {
    if (node instanceof CfnResource && STATEFUL_RESOURCE_TYPES.includes(node.cfnResourceType)) node.applyRemovalPolicy(this.policy);
  }
}

export function applyDataRetention(stack: Stack, retainData: boolean): void {
  Aspects.of(stack).add(new DataRetention(removalPolicyFor(retainData)), { priority: AspectPriority.MUTATING });
}
