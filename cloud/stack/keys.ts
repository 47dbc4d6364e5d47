/**
 * Customer-managed KMS keys, one per trust domain, all with yearly rotation:
 * - stream: the Kinesis stream (IoT rule writes, ETL reads);
 * - lake: the lake bucket, the HMAC secret and Athena results (PHI at rest);
 * - ops: logs, the on-failure queue and the alarm topic (may carry record metadata).
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface DataKeysProps {
  readonly retainData: boolean;
}

export class DataKeys extends Construct {
  readonly streamKey: kms.Key;
  readonly lakeKey: kms.Key;
  readonly opsKey: kms.Key;

  constructor(scope: Construct, id: string, props: DataKeysProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const key = (name: string, description: string) =>
      new kms.Key(this, name, { description, enableKeyRotation: true, removalPolicy });

    this.streamKey = key('StreamKey', 'Healthcare datalake: Kinesis vitals stream');
    this.lakeKey = key('LakeKey', 'Healthcare datalake: lake objects, HMAC secret, Athena results');
    this.opsKey = key('OpsKey', 'Healthcare datalake: logs, on-failure queue, alarm topic');

    // CloudWatch Logs encrypts with the key only for log groups of this account and region.
    const stack = Stack.of(this);
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted SNS topic.
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}
