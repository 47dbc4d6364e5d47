/**
 * Rules a first real `cdk deploy` depends on, each stated over every resource it could apply to (not
 * today's resources by name), and checked on every synthesis variant users run: the default, the trial
 * profile, retainData=false, and QuickSight with a prefix and reserved concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAKE_PREFIXES } from '../../../cloud/lake/curated-schema.ts';
import { COMPACTION_DEFAULTS, PROFILES, stackNames, TRANSITION_PREFIXES } from '../../../cloud/stack/defaults.ts';
import { IOT_DATA_ENDPOINT_TYPE } from '../../../cloud/stack/iot-account.ts';
import { PUBLISHED_DIMENSIONS } from '../../../cloud/stack/published-metrics.ts';
import { vitalsViewColumns } from '../../../cloud/stack/quicksight.ts';
import { STATEFUL_RESOURCE_TYPES } from '../../../cloud/stack/retention.ts';
import { type CfnResourceJson, ofType, referencedId, renderString, synthesizeStack, type SynthesizedStack } from './synthesized-stack.ts';

const QUICKSIGHT_ARN = 'arn:aws:quicksight:eu-west-2:123456789012:user/default/analyst';
const VARIANTS = {
  default: {},
  trial: { profile: 'trial' },
  noRetain: { retainData: 'false' },
  quicksightPrefixed: { quicksight: 'true', quicksightPrincipalArn: QUICKSIGHT_ARN, prefix: 'ward7', etlReservedConcurrency: '7' },
} as const satisfies Record<string, Record<string, string>>;
type Variant = keyof typeof VARIANTS;

const synths = {} as Record<Variant, SynthesizedStack>;
beforeAll(async () => {
  // One at a time: each bundles the handlers with esbuild.
  for (const variant of Object.keys(VARIANTS) as Variant[]) synths[variant] = await synthesizeStack(VARIANTS[variant]);
}, 180_000);
afterAll(() => {
  for (const synth of Object.values(synths)) synth?.dispose();
});

const props = (resource: CfnResourceJson): Record<string, any> => resource.Properties ?? {};
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Allow statements of every IAM policy (inline or managed) attached to a role, by the role's logical id. */
function statementsOfRole(resources: Record<string, CfnResourceJson>, roleId: string): any[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
    .filter((r) => list(props(r).Roles).some((role) => referencedId(role) === roleId))
    .flatMap((r) => props(r).PolicyDocument.Statement as any[])
    .filter((s) => s.Effect === 'Allow');
}

/** IAM action matching with the `*` wildcards policies use (kms:GenerateDataKey* allows kms:GenerateDataKey). */
function allows(statement: any, action: string): boolean {
  return list<string>(statement.Action).some((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action));
}

function canUseKey(statements: any[], keyId: string, action: string): boolean {
  return statements.some(
    (s) => allows(s, action) && list(s.Resource).some((r) => r === '*' || referencedId(r) === keyId),
  );
}

/** The KMS key a queue (by logical id) is encrypted with, if any. */
function queueKey(resources: Record<string, CfnResourceJson>, queueRef: unknown): string | undefined {
  const queueId = referencedId(queueRef);
  const queue = queueId ? resources[queueId] : undefined;
  return queue?.Type === 'AWS::SQS::Queue' ? referencedId(props(queue).KmsMasterKeyId) : undefined;
}

describe.each(Object.keys(VARIANTS) as Variant[])('synthesis variant %s', (variant) => {
  const res = () => synths[variant].resources;

  it('lets every function\'s role use every key that encrypts its environment, dead-letter queue or destinations', () => {
    const functions = ofType(res(), 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(3);
    let checked = 0;
    for (const [fnId, fn] of functions) {
      const statements = statementsOfRole(res(), referencedId(props(fn).Role)!);
      const envKey = referencedId(props(fn).KmsKeyArn);
      if (envKey) {
        expect(canUseKey(statements, envKey, 'kms:Decrypt'), `${fnId} decrypts its environment`).toBe(true);
        checked += 1;
      }
      const queues = [
        props(fn).DeadLetterConfig?.TargetArn,
        ...ofType(res(), 'AWS::Lambda::EventSourceMapping')
          .filter(([, m]) => referencedId(props(m).FunctionName) === fnId)
          .map(([, m]) => props(m).DestinationConfig?.OnFailure?.Destination),
        ...ofType(res(), 'AWS::Lambda::EventInvokeConfig')
          .filter(([, c]) => referencedId(props(c).FunctionName) === fnId)
          .flatMap(([, c]) => [props(c).DestinationConfig?.OnFailure?.Destination, props(c).DestinationConfig?.OnSuccess?.Destination]),
      ].filter((q) => q !== undefined);
      for (const queue of queues) {
        const key = queueKey(res(), queue);
        if (!key) continue;
        // SQS with SSE-KMS: the sender needs a data key and Decrypt (to reuse it).
        for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
          expect(canUseKey(statements, key, action), `${fnId} ${action} for its queue`).toBe(true);
        }
        expect(statements.some((s) => allows(s, 'sqs:SendMessage') && list(s.Resource).some((r) => referencedId(r) === referencedId(queue)))).toBe(true);
        checked += 1;
      }
    }
    // ETL and compactor: environment and queue each.
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('reserves concurrency for no function unless asked, and then exactly as asked for the ETL only', () => {
    const reserved = ofType(res(), 'AWS::Lambda::Function')
      .filter(([, fn]) => props(fn).ReservedConcurrentExecutions !== undefined)
      .map(([, fn]) => [props(fn).Environment?.Variables?.HMAC_SECRET_ARN !== undefined ? 'etl' : 'other', props(fn).ReservedConcurrentExecutions]);
    const asked = (VARIANTS[variant] as Record<string, string>).etlReservedConcurrency;
    expect(reserved).toEqual(asked ? [['etl', Number(asked)]] : []);
  });

  it('retains or deletes every stateful resource as retainData says, and retains nothing else', () => {
    const retainData = variant === 'default' || variant === 'quicksightPrefixed' ? true : variant === 'trial' ? PROFILES.trial.retainData : false;
    const expected = retainData ? 'Retain' : 'Delete';
    const types = new Set<string>();
    for (const [id, resource] of Object.entries(res())) {
      if (STATEFUL_RESOURCE_TYPES.includes(resource.Type)) {
        types.add(resource.Type);
        expect([resource.DeletionPolicy, resource.UpdateReplacePolicy], `${id} (${resource.Type})`).toEqual([expected, expected]);
      } else {
        expect(resource.DeletionPolicy, `${id} (${resource.Type}) is not listed as stateful`).not.toBe('Retain');
      }
    }
    // The list is not stale: every stateful type it names is in the stack (the Kinesis stream among them).
    expect([...types].sort()).toEqual([...STATEFUL_RESOURCE_TYPES].sort());
    expect(synths[variant].template.toJSON().Outputs.RetainData.Value).toBe(String(retainData));
  });

  it('alarms only on metrics that exist, with exactly the dimensions AWS publishes', () => {
    const alarms = ofType(res(), 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    const published = (namespace: string, metric: string) => PUBLISHED_DIMENSIONS[namespace]?.[metric]?.map((set) => [...set].sort().join(','));
    const check = (where: string, namespace: string, metric: string, dimensions: string[]) => {
      expect(published(namespace, metric), `${where}: ${namespace} ${metric} is not a published metric`).toBeDefined();
      expect(published(namespace, metric), `${where}: ${namespace} ${metric} by ${dimensions}`).toContain([...dimensions].sort().join(','));
    };
    for (const [id, alarm] of alarms) {
      const p = props(alarm);
      if (p.MetricName) {
        check(id, p.Namespace, p.MetricName, (p.Dimensions as any[]).map((d) => d.Name));
        continue;
      }
      for (const query of p.Metrics as any[]) {
        if (query.MetricStat) {
          const m = query.MetricStat.Metric;
          check(id, m.Namespace, m.MetricName, (m.Dimensions as any[]).map((d) => d.Name));
        } else if (/^\s*SELECT/i.test(query.Expression)) {
          // Metrics Insights: SELECT SUM(<metric>) FROM SCHEMA("<namespace>", <dimensions>) WHERE ...
          const parsed = /SELECT\s+\w+\((\w+)\)\s+FROM\s+SCHEMA\("([^"]+)",\s*([^)]*)\)/i.exec(query.Expression);
          expect(parsed, `${id}: ${query.Expression}`).not.toBeNull();
          const [, metric, namespace, dims] = parsed!;
          check(id, namespace!, metric!, dims!.split(',').map((d) => d.trim()));
        }
      }
    }
  });

  it('watches the rule the stack deploys (its name, every action type)', () => {
    const [[, rule]] = ofType(res(), 'AWS::IoT::TopicRule') as [[string, CfnResourceJson]];
    const expressions = ofType(res(), 'AWS::CloudWatch::Alarm').flatMap(([, a]) => list<any>(props(a).Metrics).map((m) => m.Expression ?? ''));
    expect(expressions).toContain(`SELECT SUM(Failure) FROM SCHEMA("AWS/IoT", ActionType, RuleName) WHERE RuleName = '${props(rule).RuleName}'`);
  });

  it('never runs two compaction passes at once: event ages plus timeout fit in the schedule interval', () => {
    const [fnId, fn] = ofType(res(), 'AWS::Lambda::Function').find(([, f]) => props(f).Environment?.Variables?.COMPACTION_GRACE_MINUTES)!;
    const [[, rule]] = ofType(res(), 'AWS::Events::Rule').filter(([, r]) => (props(r).Targets as any[]).some((t) => referencedId(t.Arn) === fnId)) as [[string, CfnResourceJson]];
    expect(props(rule).ScheduleExpression).toBe(`cron(${COMPACTION_DEFAULTS.scheduleMinute} * * * ? *)`);
    const delivery = props(rule).Targets[0].RetryPolicy.MaximumEventAgeInSeconds as number;
    const [[, invokeConfig]] = ofType(res(), 'AWS::Lambda::EventInvokeConfig').filter(([, c]) => referencedId(props(c).FunctionName) === fnId) as [[string, CfnResourceJson]];
    const queued = props(invokeConfig).MaximumEventAgeInSeconds as number;
    expect(delivery + queued + (props(fn).Timeout as number)).toBeLessThan(COMPACTION_DEFAULTS.scheduleIntervalMinutes * 60);
  });

  it('gives lifecycle transitions only to prefixes whose objects reach S3\'s 128 KiB transition minimum', () => {
    const rules = ofType(res(), 'AWS::S3::Bucket').flatMap(([, b]) => list<any>(props(b).LifecycleConfiguration?.Rules));
    const transitioned = rules.filter((r) => r.Transitions?.length || r.Transition);
    expect(transitioned.length).toBeGreaterThan(0);
    for (const rule of transitioned) expect(TRANSITION_PREFIXES, JSON.stringify(rule)).toContain(rule.Prefix);
    expect(rules.find((r) => r.Prefix === LAKE_PREFIXES.raw)?.Transitions).toBeUndefined();
  });

  it('outputs the IoT data endpoint from DescribeEndpoint iot:Data-ATS, and the lake bucket, stream, ETL function and workgroup', () => {
    const outputs = synths[variant].template.toJSON().Outputs as Record<string, { Value: any }>;
    const endpointId = referencedId(outputs.IotDataEndpoint!.Value)!;
    const lookup = res()[endpointId]!;
    expect(lookup.Type).toBe('Custom::AWS');
    const create = JSON.parse(renderString(props(lookup).Create).replace(/^"|"$/g, '')) as { service: string; action: string; parameters: unknown };
    expect([create.service, create.action, create.parameters]).toEqual(['IoT', 'DescribeEndpoint', { endpointType: IOT_DATA_ENDPOINT_TYPE }]);
    expect(outputs.IotDataEndpoint!.Value['Fn::GetAtt'][1]).toBe('endpointAddress');
    const typeOf = (output: string) => res()[referencedId(outputs[output]!.Value)!]?.Type;
    expect(typeOf('LakeBucketName')).toBe('AWS::S3::Bucket');
    expect(typeOf('StreamName')).toBe('AWS::Kinesis::Stream');
    expect(typeOf('EtlFunctionName')).toBe('AWS::Lambda::Function');
    const [[, workGroup]] = ofType(res(), 'AWS::Athena::WorkGroup') as [[string, CfnResourceJson]];
    expect(outputs.AthenaWorkGroup!.Value).toBe(props(workGroup).Name);
  });
});

describe('the trial profile', () => {
  it('keeps the security and makes the stream, batching and logs smaller', () => {
    const { resources } = synths.trial;
    const [[, stream]] = ofType(resources, 'AWS::Kinesis::Stream') as [[string, CfnResourceJson]];
    expect(props(stream).StreamModeDetails).toEqual({ StreamMode: 'PROVISIONED' });
    expect(props(stream).ShardCount).toBe(PROFILES.trial.streamShards);
    expect(props(stream).StreamEncryption.EncryptionType).toBe('KMS');
    const [[, mapping]] = ofType(resources, 'AWS::Lambda::EventSourceMapping') as [[string, CfnResourceJson]];
    expect(props(mapping).MaximumBatchingWindowInSeconds).toBe(PROFILES.trial.maxBatchingWindowSeconds);
    for (const [, group] of ofType(resources, 'AWS::Logs::LogGroup')) {
      expect(props(group).RetentionInDays).toBe(PROFILES.trial.logRetentionDays);
      expect(props(group).KmsKeyId).toBeDefined();
    }
    // No dashboard ($3 a month), every alarm kept.
    expect(ofType(resources, 'AWS::CloudWatch::Dashboard')).toHaveLength(0);
    expect(ofType(resources, 'AWS::CloudWatch::Alarm').length).toBe(ofType(synths.default.resources, 'AWS::CloudWatch::Alarm').length);
    // Same keys, same buckets, same policies as the standard profile.
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::IAM::Role']) {
      expect(ofType(resources, type).length, type).toBe(ofType(synths.default.resources, type).length);
    }
  });
});

describe('QuickSight and a prefixed second copy', () => {
  const res = () => synths.quicksightPrefixed.resources;

  it('grants QuickSight\'s service role the key of the lake bucket and of the Athena results', () => {
    const policies = ofType(res(), 'AWS::IAM::ManagedPolicy').filter(([, p]) => list(props(p).Roles).includes('aws-quicksight-service-role-v0'));
    expect(policies).toHaveLength(1);
    const statements = props(policies[0]![1]).PolicyDocument.Statement as any[];
    const [, workGroup] = ofType(res(), 'AWS::Athena::WorkGroup')[0]!;
    const resultsKey = referencedId(props(workGroup).WorkGroupConfiguration.ResultConfiguration.EncryptionConfiguration.KmsKey)!;
    const lakeBucketKeys = ofType(res(), 'AWS::S3::Bucket')
      .map(([, b]) => referencedId(props(b).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID))
      .filter((k): k is string => k !== undefined);
    for (const key of new Set([resultsKey, ...lakeBucketKeys])) {
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) expect(canUseKey(statements, key, action), `${action} ${key}`).toBe(true);
    }
  });

  it('builds the dataset on the deduplicated vitals view with the view\'s columns', () => {
    const [[, dataSet]] = ofType(res(), 'AWS::QuickSight::DataSet') as [[string, CfnResourceJson]];
    const table = (Object.values(props(dataSet).PhysicalTableMap) as any[])[0].RelationalTable;
    expect(table.Name).toBe('vitals');
    expect(table.Schema).toBe(stackNames('ward7').databaseName);
    expect(table.InputColumns.map((c: { Name: string }) => c.Name)).toEqual(vitalsViewColumns().map((c) => c.name));
    expect(synths.quicksightPrefixed.template.toJSON().Outputs.QuickSightDashboardUrl).toBeDefined();
  });

  it('gives every account-wide name the prefix, and the rule takes only the prefix\'s things', () => {
    const names = stackNames('ward7');
    expect(synths.quicksightPrefixed.stack.stackName).toBe(names.stackName);
    const named: Array<[string, string, (p: Record<string, any>) => string]> = [
      ['AWS::IoT::Policy', 'PolicyName', (p) => p.PolicyName],
      ['AWS::IoT::ThingType', 'ThingTypeName', (p) => p.ThingTypeName],
      ['AWS::IoT::ThingGroup', 'ThingGroupName', (p) => p.ThingGroupName],
      ['AWS::IoT::TopicRule', 'RuleName', (p) => p.RuleName],
      ['AWS::Glue::Database', 'DatabaseInput.Name', (p) => p.DatabaseInput.Name],
      ['AWS::Athena::WorkGroup', 'Name', (p) => p.Name],
      ['AWS::CloudWatch::Dashboard', 'DashboardName', (p) => p.DashboardName],
      ['AWS::QuickSight::DataSource', 'DataSourceId', (p) => p.DataSourceId],
      ['AWS::QuickSight::DataSet', 'DataSetId', (p) => p.DataSetId],
      ['AWS::QuickSight::Dashboard', 'DashboardId', (p) => p.DashboardId],
    ];
    for (const [type, field, read] of named) {
      const found = ofType(res(), type);
      expect(found.length, type).toBeGreaterThan(0);
      for (const [, resource] of found) expect(read(props(resource)), `${type}.${field}`).toMatch(/^ward7[-_]/);
      // And none of them collides with the unprefixed copy's.
      for (const [, plain] of ofType(synths.default.resources, type)) {
        for (const [, resource] of found) expect(read(props(resource))).not.toBe(read(props(plain)));
      }
    }
    const [[, rule]] = ofType(res(), 'AWS::IoT::TopicRule') as [[string, CfnResourceJson]];
    expect(props(rule).TopicRulePayload.Sql).toMatch(/ WHERE startswith\(topic\(3\), 'ward7-'\)$/);
  });
});
