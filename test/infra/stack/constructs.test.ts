/**
 * Constructs and configuration in isolation (bare stacks, no bundling): options the default synthesis
 * does not exercise, and the IoT policy's reach.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { THING_NAME_VARIABLE } from '../../../cloud/ingest/iot-policy.ts';
import { cdkJsonContext } from '../../../cloud/stack/app.ts';
import { readStackConfig, StackConfigError, type StreamCapacity } from '../../../cloud/stack/config.ts';
import { ETL_DEFAULTS, PROFILES, stackNames } from '../../../cloud/stack/defaults.ts';
import { Ingestion } from '../../../cloud/stack/ingestion.ts';
import { DataKeys } from '../../../cloud/stack/keys.ts';
import { Lake } from '../../../cloud/stack/lake.ts';
import { QuickSightDashboards } from '../../../cloud/stack/quicksight.ts';
import { renderString } from './synthesized-stack.ts';

function ingestionTemplate(streamCapacity: StreamCapacity) {
  const stack = new Stack(new App(), 'IngestionOnly');
  new Ingestion(stack, 'Ingestion', {
    streamKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    streamCapacity,
    errorBucket: new s3.Bucket(stack, 'Errors'),
  });
  return Template.fromStack(stack);
}

describe('the IoT policy in the stack', () => {
  const template = ingestionTemplate({ mode: 'ON_DEMAND' });
  const [policy] = Object.values(template.findResources('AWS::IoT::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: any[] } } }>;

  it('uses the stack partition, region and account in every ARN', () => {
    for (const statement of policy!.Properties.PolicyDocument.Statement) {
      for (const resource of [statement.Resource].flat()) {
        expect(renderString(resource)).toMatch(/^arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:(client|topic|topicfilter)\//);
      }
    }
  });

  it('has no wildcard action and no wildcard outside the thing\'s own topics', () => {
    for (const statement of policy!.Properties.PolicyDocument.Statement) {
      for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
      for (const resource of [statement.Resource].flat()) {
        const arn = renderString(resource);
        const thingAt = arn.indexOf(THING_NAME_VARIABLE);
        expect(thingAt, arn).toBeGreaterThan(0);
        // A wildcard may only follow the thing's own name (its own command and shadow subtopics).
        for (const wildcard of ['*', '+', '#']) {
          const at = arn.indexOf(wildcard);
          if (at >= 0) expect(at, arn).toBeGreaterThan(thingAt);
        }
      }
    }
  });
});

describe('stream capacity', () => {
  it('is on-demand by default', () => {
    ingestionTemplate({ mode: 'ON_DEMAND' }).hasResourceProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
  });

  it('uses provisioned shards when the context asks', () => {
    const config = readStackConfig((k) => ({ streamMode: 'PROVISIONED', streamShards: '4' })[k]);
    ingestionTemplate(config.streamCapacity).hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 4,
    });
  });
});

describe('stack configuration', () => {
  const read = (context: Record<string, unknown>) => readStackConfig((k) => context[k]);

  it('defaults to the standard profile: on-demand, retained data, no QuickSight, no reserved concurrency, no prefix', () => {
    expect(read({})).toEqual({
      profile: 'standard',
      names: stackNames(),
      streamCapacity: { mode: 'ON_DEMAND' },
      etlReservedConcurrency: undefined,
      maxBatchingWindowSeconds: ETL_DEFAULTS.maxBatchingWindowSeconds,
      logRetentionDays: ETL_DEFAULTS.logRetentionDays,
      dashboard: true,
      bytesScannedCutoffPerQuery: 1024 ** 3,
      alarmEmail: undefined,
      quickSight: undefined,
      retainData: true,
    });
  });

  it('takes the trial profile\'s values unless the context sets them', () => {
    const trial = read({ profile: 'trial' });
    expect(trial).toMatchObject({
      profile: 'trial',
      streamCapacity: { mode: 'PROVISIONED', shards: PROFILES.trial.streamShards },
      maxBatchingWindowSeconds: PROFILES.trial.maxBatchingWindowSeconds,
      logRetentionDays: PROFILES.trial.logRetentionDays,
      retainData: false,
    });
    expect(read({ profile: 'trial', retainData: 'true', streamMode: 'ON_DEMAND' })).toMatchObject({ retainData: true, streamCapacity: { mode: 'ON_DEMAND' } });
    expect(() => read({ profile: 'cheap' })).toThrow(/profile/);
  });

  it('reserves ETL concurrency only when asked', () => {
    expect(read({ etlReservedConcurrency: '5' }).etlReservedConcurrency).toBe(5);
    expect(() => read({ etlReservedConcurrency: 0 })).toThrow(/etlReservedConcurrency/);
  });

  it('prefixes every account-wide name with -c prefix, and refuses a prefix some name cannot hold', () => {
    const names = read({ prefix: 'ward7' }).names;
    expect(names.stackName).toBe('ward7-HealthcareRealtimeDatalake');
    expect(names.ruleName).toBe('ward7_bedside_vitals_to_kinesis');
    expect(names.databaseName).toBe('ward7_healthcare_datalake');
    expect(names.thingNamePrefix).toBe('ward7-');
    for (const bad of ['Ward7', '7ward', 'ward-7', 'ward_7', 'averyveryverylongprefix']) expect(() => read({ prefix: bad }), bad).toThrow(/prefix/);
  });

  it('names the context key of a malformed value', () => {
    expect(() => read({ streamMode: 'FAST' })).toThrow(/streamMode/);
    expect(() => read({ streamMode: 'PROVISIONED', streamShards: 0 })).toThrow(/streamShards/);
    expect(() => read({ etlReservedConcurrency: 'many' })).toThrow(StackConfigError);
    expect(() => read({ retainData: 'yes' })).toThrow(/retainData/);
  });

  it('requires a QuickSight user or group ARN when QuickSight is turned on', () => {
    expect(() => read({ quicksight: 'true' })).toThrow(/quicksightPrincipalArn/);
    const arn = 'arn:aws:quicksight:eu-west-1:123456789012:user/default/analyst';
    expect(read({ quicksight: true, quicksightPrincipalArn: arn }).quickSight).toEqual({ principalArn: arn, serviceRoleName: 'aws-quicksight-service-role-v0' });
    const group = 'arn:aws:quicksight:us-east-1:123456789012:group/default/clinicians';
    expect(read({ quicksight: true, quicksightPrincipalArn: group }).quickSight?.principalArn).toBe(group);
    for (const bad of [
      'arn:', 'arn:aws:iam::123456789012:user/analyst', 'arn:aws:quicksight:eu-west-1:1234:user/default/analyst',
      'arn:aws:quicksight:eu-west-1:123456789012:dashboard/x', 'arn:aws:quicksight:eu-west-1:123456789012:user/default/',
      'arn:aws:quicksight::123456789012:user/default/analyst',
    ]) expect(() => read({ quicksight: true, quicksightPrincipalArn: bad }), bad).toThrow(/quicksightPrincipalArn/);
  });
});

describe('data retention', () => {
  const lakeTemplate = (retainData: boolean) => {
    // The cdk.json feature flags: access-log delivery by bucket policy, not ACL.
    const stack = new Stack(new App({ context: cdkJsonContext() }), 'LakeOnly');
    const keys = new DataKeys(stack, 'Keys', { retainData });
    new Lake(stack, 'Lake', { lakeKey: keys.lakeKey, retainData });
    return Template.fromStack(stack);
  };

  it('keeps buckets, keys and the HMAC secret when the stack is deleted, by default', () => {
    const template = lakeTemplate(true);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      const found = Object.values(template.findResources(type));
      expect(found.length).toBeGreaterThan(0);
      for (const resource of found) expect(resource.DeletionPolicy, type).toBe('Retain');
    }
  });

  it('lets them go with the stack when retainData is false', () => {
    const template = lakeTemplate(false);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      for (const resource of Object.values(template.findResources(type))) expect(resource.DeletionPolicy, type).toBe('Delete');
    }
  });
});

describe('QuickSight (opt-in)', () => {
  it('builds an Athena data source in the workgroup, a direct-query dataset and a dashboard owned by the principal', () => {
    const stack = new Stack(new App(), 'QuickSightOnly');
    const principalArn = 'arn:aws:quicksight:eu-west-1:123456789012:user/default/analyst';
    new QuickSightDashboards(stack, 'QuickSight', { principalArn, workGroupName: 'wg', databaseName: 'db', lakeKey: new kms.Key(stack, 'LakeKey', { enableKeyRotation: true }), serviceRoleName: 'aws-quicksight-service-role-v0' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::QuickSight::DataSource', {
      Type: 'ATHENA',
      DataSourceParameters: { AthenaParameters: { WorkGroup: 'wg' } },
    });
    template.hasResourceProperties('AWS::QuickSight::DataSet', { ImportMode: 'DIRECT_QUERY' });
    const [dashboard] = Object.values(template.findResources('AWS::QuickSight::Dashboard')) as Array<{ Properties: any }>;
    expect(dashboard!.Properties.Permissions[0].Principal).toBe(principalArn);
    expect(dashboard!.Properties.Definition.Sheets[0].Visuals).toHaveLength(2);
  });
});
