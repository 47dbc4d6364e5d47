/**
 * Ingestion: the IoT policy (from the single source), thing type and group, the topic rule (the single
 * rule SQL) into a KMS-encrypted Kinesis stream keyed by thing name, with an error action into the lake's
 * rule-errors prefix so a message the Kinesis action could not deliver is kept, not lost.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bedsideMonitorPolicy } from '../ingest/iot-policy.ts';
import { VITALS_PARTITION_KEY, VITALS_RULE_SQL_VERSION, vitalsRuleSqlFor } from '../ingest/vitals-rule.ts';
import type { StreamCapacity } from './config.ts';
import { INGESTION_DEFAULTS, stackNames, type StackNames } from './defaults.ts';

export interface IngestionProps {
  readonly streamKey: kms.IKey;
  readonly streamCapacity: StreamCapacity;
  /** Where the rule's error action writes (the lake bucket, under INGESTION_DEFAULTS.ruleErrorsPrefix). */
  readonly errorBucket: s3.IBucket;
  /** Policy, thing type, group and rule names (default: unprefixed). */
  readonly names?: StackNames;
}

export class Ingestion extends Construct {
  readonly stream: kinesis.Stream;
  readonly policy: iot.CfnPolicy;
  readonly thingType: iot.CfnThingType;
  readonly thingGroup: iot.CfnThingGroup;
  readonly topicRule: iot.CfnTopicRule;
  readonly ruleRole: iam.Role;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const d = INGESTION_DEFAULTS;
    const names = props.names ?? stackNames();

    this.policy = new iot.CfnPolicy(this, 'BedsideMonitorPolicy', {
      policyName: names.policyName,
      policyDocument: bedsideMonitorPolicy({ partition: stack.partition, region: stack.region, account: stack.account }),
    });

    this.thingType = new iot.CfnThingType(this, 'ThingType', {
      thingTypeName: names.thingTypeName,
      thingTypeProperties: {
        thingTypeDescription: 'Simulated hospital bedside vitals monitor',
        searchableAttributes: ['ward', 'bed', 'model'],
      },
    });

    this.thingGroup = new iot.CfnThingGroup(this, 'ThingGroup', {
      thingGroupName: names.thingGroupName,
      thingGroupProperties: { thingGroupDescription: 'All bedside monitors of the data lake fleet' },
    });

    this.stream = new kinesis.Stream(this, 'VitalsStream', {
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.streamKey,
      retentionPeriod: Duration.hours(d.streamRetentionHours),
      ...(props.streamCapacity.mode === 'ON_DEMAND'
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: props.streamCapacity.shards }),
    });

    this.ruleRole = new iam.Role(this, 'RuleRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'IoT topic rule: put vitals into Kinesis, failed deliveries into the lake rule-errors prefix',
    });
    this.stream.grantWrite(this.ruleRole);
    props.errorBucket.grantPut(this.ruleRole, `${d.ruleErrorsPrefix}*`);

    this.topicRule = new iot.CfnTopicRule(this, 'VitalsRule', {
      ruleName: names.ruleName,
      topicRulePayload: {
        description: 'Bedside vitals (payload base64 in an envelope) to the Kinesis stream, keyed by thing name',
        sql: vitalsRuleSqlFor(names.thingNamePrefix),
        awsIotSqlVersion: VITALS_RULE_SQL_VERSION,
        ruleDisabled: false,
        actions: [
          { kinesis: { streamName: this.stream.streamName, partitionKey: VITALS_PARTITION_KEY, roleArn: this.ruleRole.roleArn } },
        ],
        errorAction: {
          s3: {
            bucketName: props.errorBucket.bucketName,
            // One object per failed message; the error action payload carries the failure reason and the message.
            key: `${d.ruleErrorsPrefix}dt=\${parse_time("yyyy-MM-dd", timestamp(), "UTC")}/\${topic(3)}-\${newuuid()}.json`,
            roleArn: this.ruleRole.roleArn,
          },
        },
      },
    });
    // The role's policy must exist before IoT validates the rule's actions.
    this.topicRule.node.addDependency(this.ruleRole);
  }
}
