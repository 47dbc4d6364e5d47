/**
 * What the issue requires the deployed stack to show, asserted on the synthesized template's properties
 * (references followed, no hashed logical ids).
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VITALS_PARTITION_KEY, VITALS_RULE_NAME, VITALS_RULE_SQL } from '../../../cloud/ingest/vitals-rule.ts';
import { COMPACTION_INDEX_PREFIX, CURATED_COLUMNS, LAKE_PREFIXES, ROLLUP_HOURLY_COLUMNS, ROLLUP_HOURLY_PREFIX, ROLLUP_HOURLY_TABLE } from '../../../cloud/lake/curated-schema.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../../cloud/etl/metrics.ts';
import { NAMED_QUERIES, VITALS_VIEW_SQL } from '../../../cloud/sql/named-queries.ts';
import { CREATE_VITALS_VIEW_QUERY_NAME } from '../../../cloud/stack/sql-sources.ts';
import { CATALOG_DEFAULTS, COMPACTION_DEFAULTS, ETL_DEFAULTS, ETL_METRICS, INGESTION_DEFAULTS } from '../../../cloud/stack/defaults.ts';
import { type CfnResourceJson, ofType, referencedId, renderString, synthesizeStack, type SynthesizedStack } from './synthesized-stack.ts';

let synth: SynthesizedStack;
let template: Template;
let resources: Record<string, CfnResourceJson>;

beforeAll(async () => {
  synth = await synthesizeStack();
  template = synth.template;
  resources = synth.resources;
});
afterAll(() => synth?.dispose());

function keyOf(reference: unknown): CfnResourceJson {
  const id = referencedId(reference);
  const key = id ? resources[id] : undefined;
  if (!key || key.Type !== 'AWS::KMS::Key') throw new Error(`not a KMS key reference: ${JSON.stringify(reference)}`);
  return key;
}

function props(resource: CfnResourceJson): Record<string, any> {
  return resource.Properties ?? {};
}

/** The one Lambda function whose environment has `variable` (the ETL: HMAC_SECRET_ARN; the compactor: COMPACTION_GRACE_MINUTES). */
function functionWith(variable: string): [string, CfnResourceJson] {
  const found = ofType(resources, 'AWS::Lambda::Function').filter(([, f]) => props(f).Environment?.Variables?.[variable] !== undefined);
  expect(found, variable).toHaveLength(1);
  return found[0]!;
}

function roleStatements(fn: CfnResourceJson): any[] {
  const roleId = referencedId(props(fn).Role);
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => (props(p).Roles as unknown[]).some((r) => referencedId(r) === roleId))
    .flatMap(([, p]) => props(p).PolicyDocument.Statement as any[]);
}

describe('encryption at rest', () => {
  it('rotates every customer-managed KMS key', () => {
    const keys = ofType(resources, 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const [, key] of keys) expect(props(key).EnableKeyRotation).toBe(true);
  });

  it('encrypts the Kinesis stream with a customer-managed key and defaults to on-demand', () => {
    const [[, stream]] = ofType(resources, 'AWS::Kinesis::Stream') as [[string, CfnResourceJson]];
    expect(props(stream).StreamEncryption.EncryptionType).toBe('KMS');
    expect(props(keyOf(props(stream).StreamEncryption.KeyId)).EnableKeyRotation).toBe(true);
    expect(props(stream).StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(props(stream).RetentionPeriodHours).toBe(INGESTION_DEFAULTS.streamRetentionHours);
  });

  it('encrypts the lake and Athena results buckets with a customer-managed key', () => {
    const kmsBuckets = ofType(resources, 'AWS::S3::Bucket').filter(
      ([, b]) => props(b).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm === 'aws:kms',
    );
    expect(kmsBuckets).toHaveLength(2);
    for (const [, bucket] of kmsBuckets) {
      const rule = props(bucket).BucketEncryption.ServerSideEncryptionConfiguration[0];
      expect(props(keyOf(rule.ServerSideEncryptionByDefault.KMSMasterKeyID)).EnableKeyRotation).toBe(true);
      expect(rule.BucketKeyEnabled).toBe(true);
    }
  });

  it('encrypts every log group with KMS and sets a retention', () => {
    const groups = ofType(resources, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(2);
    for (const [, group] of groups) {
      keyOf(props(group).KmsKeyId);
      expect(props(group).RetentionInDays).toBe(ETL_DEFAULTS.logRetentionDays);
    }
  });

  it('encrypts the alarm topic, the on-failure queue and the HMAC secret with KMS', () => {
    for (const [, topic] of ofType(resources, 'AWS::SNS::Topic')) keyOf(props(topic).KmsMasterKeyId);
    const queues = ofType(resources, 'AWS::SQS::Queue');
    // The ETL's on-failure queue and the compactor's failed passes.
    expect(queues).toHaveLength(2);
    for (const [, queue] of queues) keyOf(props(queue).KmsMasterKeyId);
    const [[, secret]] = ofType(resources, 'AWS::SecretsManager::Secret') as [[string, CfnResourceJson]];
    keyOf(props(secret).KmsKeyId);
  });

  it('makes Athena results SSE-KMS in an enforced workgroup with a bytes-scanned cutoff', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: CATALOG_DEFAULTS.bytesScannedCutoffPerQuery,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() } }),
      }),
    });
  });
});

describe('the lake buckets', () => {
  it('block public access, version objects and log access on every data bucket', () => {
    const buckets = ofType(resources, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    for (const [id, bucket] of buckets) {
      expect(props(bucket).PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(props(bucket).VersioningConfiguration).toEqual({ Status: 'Enabled' });
      const logging = props(bucket).LoggingConfiguration;
      // The access-log bucket is the one the two others log into.
      if (logging) expect(referencedId(logging.DestinationBucketName)).not.toBe(id);
      else expect(buckets.filter(([, b]) => referencedId(props(b).LoggingConfiguration?.DestinationBucketName) === id)).toHaveLength(2);
    }
  });

  it('denies every request without TLS on every bucket', () => {
    const buckets = ofType(resources, 'AWS::S3::Bucket').map(([id]) => id);
    const guarded = ofType(resources, 'AWS::S3::BucketPolicy')
      .filter(([, p]) =>
        (props(p).PolicyDocument.Statement as any[]).some(
          (s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
      )
      .map(([, p]) => referencedId(props(p).Bucket));
    expect(guarded.sort()).toEqual(buckets.sort());
  });

  it('has lifecycle rules per lake prefix, including rule errors', () => {
    const prefixes = ofType(resources, 'AWS::S3::Bucket').flatMap(([, b]) =>
      ((props(b).LifecycleConfiguration?.Rules ?? []) as any[]).map((r) => r.Prefix),
    );
    for (const prefix of [...Object.values(LAKE_PREFIXES), INGESTION_DEFAULTS.ruleErrorsPrefix]) expect(prefixes).toContain(prefix);
  });
});

describe('ingestion', () => {
  it('routes the single rule SQL to Kinesis keyed by thing name, with an error action', () => {
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      RuleName: VITALS_RULE_NAME,
      TopicRulePayload: Match.objectLike({
        Sql: VITALS_RULE_SQL,
        Actions: [{ Kinesis: Match.objectLike({ PartitionKey: VITALS_PARTITION_KEY }) }],
        ErrorAction: { S3: Match.objectLike({ Key: Match.stringLikeRegexp(`^${INGESTION_DEFAULTS.ruleErrorsPrefix}`) }) },
      }),
    });
  });

  it('creates the thing type and thing group the provisioning uses', () => {
    template.hasResourceProperties('AWS::IoT::ThingType', { ThingTypeName: INGESTION_DEFAULTS.thingTypeName });
    template.hasResourceProperties('AWS::IoT::ThingGroup', { ThingGroupName: INGESTION_DEFAULTS.thingGroupName });
  });

  it('turns on fleet indexing with connectivity and shadow through a custom resource', () => {
    const [[, indexing]] = ofType(resources, 'Custom::AWS') as [[string, CfnResourceJson]];
    const create = renderString(props(indexing).Create);
    expect(create).toContain('UpdateIndexingConfiguration');
    expect(create).toContain('REGISTRY_AND_SHADOW');
    expect(create).toContain('"thingConnectivityIndexingMode":"STATUS"');
  });
});

describe('the ETL', () => {
  it('runs on Node.js 24, arm64, without reserved concurrency by default, with the lake configuration', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: Match.absent(),
      Environment: { Variables: Match.objectLike({ LAKE_BUCKET: Match.anyValue(), LAKE_KMS_KEY_ID: Match.anyValue(), HMAC_SECRET_ARN: Match.anyValue() }) },
    });
  });

  it('reads the stream with bisect on error, finite retries and record age, partial batch responses and an on-failure queue', () => {
    const [[, mapping]] = ofType(resources, 'AWS::Lambda::EventSourceMapping') as [[string, CfnResourceJson]];
    const p = props(mapping);
    expect(p.BisectBatchOnFunctionError).toBe(true);
    expect(p.MaximumRetryAttempts).toBe(ETL_DEFAULTS.retryAttempts);
    expect(p.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
    expect(p.MaximumRecordAgeInSeconds).toBe(ETL_DEFAULTS.maxRecordAgeHours * 3600);
    expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(p.BatchSize).toBe(ETL_DEFAULTS.batchSize);
    expect(p.MaximumBatchingWindowInSeconds).toBe(ETL_DEFAULTS.maxBatchingWindowSeconds);
    const queueId = referencedId(p.DestinationConfig.OnFailure.Destination);
    expect(queueId && resources[queueId]?.Type).toBe('AWS::SQS::Queue');
  });

  it('may write to the lake only under raw, curated and quarantine', () => {
    const [, fn] = functionWith('HMAC_SECRET_ARN');
    const statements = roleStatements(fn);
    const s3Writes = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:Put')));
    const resourcesWritten = s3Writes.flatMap((s) => [s.Resource].flat().map(renderString));
    expect(resourcesWritten.length).toBe(3);
    for (const r of resourcesWritten) expect(Object.values(LAKE_PREFIXES).some((prefix) => r.endsWith(`/${prefix}*`))).toBe(true);
  });
});

describe('the compactor', () => {
  it('runs the compaction handler on Node.js 24, arm64, without reserved concurrency, on the ETL\'s lake bucket and key', () => {
    const [, fn] = functionWith('COMPACTION_GRACE_MINUTES');
    const [, etl] = functionWith('HMAC_SECRET_ARN');
    const p = props(fn);
    expect([p.Runtime, p.Architectures, p.Handler]).toEqual(['nodejs24.x', ['arm64'], 'index.handler']);
    expect(p.ReservedConcurrentExecutions).toBeUndefined();
    expect([p.MemorySize, p.Timeout]).toEqual([COMPACTION_DEFAULTS.memoryMb, COMPACTION_DEFAULTS.timeoutMinutes * 60]);
    const env = p.Environment.Variables;
    const etlEnv = props(etl).Environment.Variables;
    expect(env.COMPACTION_GRACE_MINUTES).toBe(String(COMPACTION_DEFAULTS.graceMinutes));
    expect(referencedId(env.LAKE_BUCKET)).toBe(referencedId(etlEnv.LAKE_BUCKET));
    expect(resources[referencedId(env.LAKE_BUCKET)!]?.Type).toBe('AWS::S3::Bucket');
    expect(referencedId(env.LAKE_KMS_KEY_ID)).toBe(referencedId(etlEnv.LAKE_KMS_KEY_ID));
    keyOf(p.KmsKeyArn);
  });

  it('is invoked hourly at :20 by a schedule with finite delivery retries, not retried by Lambda, failures to an encrypted queue', () => {
    const [fnId, fn] = functionWith('COMPACTION_GRACE_MINUTES');
    const rules = ofType(resources, 'AWS::Events::Rule').filter(([, r]) => (props(r).Targets as any[]).some((t) => referencedId(t.Arn) === fnId));
    expect(rules).toHaveLength(1);
    const rule = props(rules[0]![1]);
    expect(rule.ScheduleExpression).toBe('cron(20 * * * ? *)');
    expect(rule.State).toBe('ENABLED');
    expect(rule.Targets[0].RetryPolicy).toEqual({
      MaximumRetryAttempts: COMPACTION_DEFAULTS.deliveryRetryAttempts,
      MaximumEventAgeInSeconds: COMPACTION_DEFAULTS.deliveryMaxEventAgeMinutes * 60,
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] } });
    const invokeConfigs = ofType(resources, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) => referencedId(props(c).FunctionName) === fnId);
    expect(invokeConfigs.map(([, c]) => props(c).MaximumRetryAttempts)).toEqual([0]);
    const dlqId = referencedId(props(fn).DeadLetterConfig.TargetArn);
    expect(dlqId && resources[dlqId]?.Type).toBe('AWS::SQS::Queue');
    keyOf(props(resources[dlqId!]!).KmsMasterKeyId);
  });

  it('may list, read, write and delete only curated objects; read and write rollup and key-index objects; read raw and write quarantine objects; never delete object versions', () => {
    const [, fn] = functionWith('COMPACTION_GRACE_MINUTES');
    const s3Statements = roleStatements(fn).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    const actions = s3Statements.flatMap((s) => [s.Action].flat() as string[]);
    for (const needed of ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject']) expect(actions).toContain(needed);
    expect(actions.filter((a) => a.startsWith('s3:Delete'))).toEqual(['s3:DeleteObject']);
    const prefixes = [LAKE_PREFIXES.curated, ROLLUP_HOURLY_PREFIX, COMPACTION_INDEX_PREFIX, LAKE_PREFIXES.raw, LAKE_PREFIXES.quarantine];
    const writes = (statement: { Action: unknown }): boolean => [statement.Action].flat().some((a) => String(a).startsWith('s3:Put'));
    for (const statement of s3Statements) {
      expect(statement.Effect).toBe('Allow');
      for (const resource of [statement.Resource].flat().map(renderString)) {
        if (resource.endsWith('*')) {
          expect(prefixes.some((prefix) => resource === `${resource.slice(0, resource.indexOf('/'))}/${prefix}*`), resource).toBe(true);
          // Only curated objects are ever deleted; raw is read, never written; quarantine is written, never read.
          if (!resource.endsWith(`/${LAKE_PREFIXES.curated}*`)) expect([statement.Action].flat().some((a: string) => a.startsWith('s3:Delete')), resource).toBe(false);
          if (resource.endsWith(`/${LAKE_PREFIXES.raw}*`)) expect(writes(statement), resource).toBe(false);
          if (resource.endsWith(`/${LAKE_PREFIXES.quarantine}*`)) expect([statement.Action].flat()).not.toContain('s3:GetObject');
        } else {
          // The bucket itself: listing only, and only under the curated, rollup and raw prefixes.
          expect(statement.Action).toBe('s3:ListBucket');
          expect(statement.Condition).toEqual({ StringLike: { 's3:prefix': [LAKE_PREFIXES.curated, ROLLUP_HOURLY_PREFIX, LAKE_PREFIXES.raw].map((prefix) => `${prefix}*`) } });
        }
      }
    }
    const all = roleStatements(fn).flatMap((s) => [s.Resource].flat());
    expect(all).not.toContain('*');
  });

  it('alarms on the compactor\'s Errors to the alarm topic', () => {
    const [fnId] = functionWith('COMPACTION_GRACE_MINUTES');
    const [[topicId]] = ofType(resources, 'AWS::SNS::Topic') as [[string, CfnResourceJson]];
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => props(a).MetricName === 'Errors' && (props(a).Dimensions as any[]).some((d) => d.Name === 'FunctionName' && referencedId(d.Value) === fnId),
    );
    expect(alarms).toHaveLength(1);
    expect((props(alarms[0]![1]).AlarmActions as unknown[]).map(referencedId)).toEqual([topicId]);
    template.hasOutput('CompactionFunctionName', {});
  });
});

describe('catalog and query', () => {
  const tableNamed = (name: string) => ofType(resources, 'AWS::Glue::Table').map(([, t]) => props(t).TableInput).find((input) => input.Name === name);

  it('declares the curated table from the single schema with partition projection', () => {
    const input = tableNamed('curated_vitals');
    expect(input.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(CURATED_COLUMNS.map((c) => c.name));
    expect(input.PartitionKeys.map((c: { Name: string }) => c.Name)).toEqual(['dt', 'hour']);
    expect(input.Parameters['projection.enabled']).toBe('true');
    expect(renderString(input.Parameters['storage.location.template'])).toMatch(/curated\/vitals\/dt=\$\{dt\}\/hour=\$\{hour\}\/$/);
  });

  it('declares the hourly rollup table from the single schema, its dt projected onto the rollup prefix', () => {
    const input = tableNamed(ROLLUP_HOURLY_TABLE);
    expect(input.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(ROLLUP_HOURLY_COLUMNS.map((c) => c.name));
    expect(input.PartitionKeys.map((c: { Name: string }) => c.Name)).toEqual(['dt']);
    expect(renderString(input.Parameters['storage.location.template'])).toMatch(/rollup\/hourly\/dt=\$\{dt\}\/$/);
  });

  it('saves every named query of cloud/sql, and the vitals view DDL, in the workgroup and database', () => {
    const saved = ofType(resources, 'AWS::Athena::NamedQuery').map(([, q]) => props(q));
    expect(saved.map((q) => q.Name).sort()).toEqual([CREATE_VITALS_VIEW_QUERY_NAME, ...NAMED_QUERIES.map((q) => q.name)].sort());
    for (const query of NAMED_QUERIES) expect(saved.find((q) => q.Name === query.name)?.QueryString).toBe(query.sql);
    expect(saved.find((q) => q.Name === CREATE_VITALS_VIEW_QUERY_NAME)?.QueryString).toBe(VITALS_VIEW_SQL);
    for (const q of saved) expect([q.WorkGroup, q.Database]).toEqual([CATALOG_DEFAULTS.workGroupName, CATALOG_DEFAULTS.databaseName]);
  });
});

describe('monitoring', () => {
  it('alarms on iterator age, ETL and compaction errors, on-failure depth, quarantine rate, rule errors and NEWS2 high risk, to the topic', () => {
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(7);
    const [[topicId]] = ofType(resources, 'AWS::SNS::Topic') as [[string, CfnResourceJson]];
    const names = alarms.map(([, a]) =>
      props(a).MetricName ?? (props(a).Metrics as any[]).map((m) => m.MetricStat?.Metric.MetricName ?? /SUM\((\w+)\)/.exec(m.Expression)?.[1]).join('+'));
    expect(names.sort()).toEqual(
      ['ApproximateNumberOfMessagesVisible', 'Errors', 'Errors', 'Failure', 'IteratorAge', ETL_METRICS.news2HighRisk, `+${ETL_METRICS.curated}+${ETL_METRICS.quarantined}`].sort(),
    );
    for (const [, alarm] of alarms) expect((props(alarm).AlarmActions as unknown[]).map(referencedId)).toEqual([topicId]);
  });

  it('alarms on the ETL\'s own EMF namespace and Service dimension', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: ETL_METRICS.news2HighRisk,
      Dimensions: [{ Name: 'Service', Value: METRICS_SERVICE }],
    });
  });

  it('builds a CloudWatch dashboard and outputs its URL', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasOutput('DashboardUrl', { Value: Match.anyValue() });
  });
});

describe('outputs', () => {
  it('names the stream, buckets and workgroup', () => {
    for (const id of ['IotDataEndpoint', 'StreamName', 'LakeBucketName', 'AthenaResultsBucketName', 'AthenaWorkGroup']) template.hasOutput(id, {});
  });

  it('creates no QuickSight resources unless asked', () => {
    expect(Object.values(resources).filter((r) => r.Type.startsWith('AWS::QuickSight::'))).toHaveLength(0);
  });
});
