/**
 * The opt-in Fargate fleet (`-c fleet=<monitors>`): one service per shard, the shard and the divided quotas
 * in each task's environment, least-privilege roles, encrypted logs; and nothing of it without the flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, cdkJsonContext } from '../../../cloud/stack/app.ts';
import { StackConfigError } from '../../../cloud/stack/config.ts';
import { METRIC_NAMESPACE, PROGRESS_METRICS } from '../../../cloud/fleet-image/report.ts';
import { type CfnResourceJson, ofType, referencedId, synthesizeStack, type SynthesizedStack } from './synthesized-stack.ts';

type Json = Record<string, any>;
const props = (resource: CfnResourceJson): Json => resource.Properties ?? {};
const env = (task: CfnResourceJson): Record<string, string> =>
  Object.fromEntries((props(task).ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, typeof e.Value === 'string' ? e.Value : JSON.stringify(e.Value)]));
const dockerImages = (synth: SynthesizedStack): Record<string, unknown> => {
  const assembly = synth.app.synth();
  const manifest = JSON.parse(readFileSync(join(assembly.directory, `${synth.stack.artifactId}.assets.json`), 'utf8')) as { dockerImages?: Record<string, unknown> };
  return manifest.dockerImages ?? {};
};

describe('default synthesis', () => {
  let synth: SynthesizedStack;
  beforeAll(async () => {
    synth = await synthesizeStack();
  });
  afterAll(() => synth?.dispose());

  it('has no fleet resources and no container image to build', () => {
    const types = new Set(Object.values(synth.resources).map((r) => r.Type));
    for (const type of ['AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::EC2::VPC', 'AWS::Logs::MetricFilter']) expect(types.has(type), type).toBe(false);
    expect(dockerImages(synth)).toEqual({});
    expect(synth.stack.fleet).toBeUndefined();
  });
});

describe('-c fleet=100000', () => {
  let synth: SynthesizedStack;
  let resources: Record<string, CfnResourceJson>;
  let tasks: CfnResourceJson[];
  beforeAll(async () => {
    synth = await synthesizeStack({ fleet: '100000' });
    resources = synth.resources;
    tasks = ofType(resources, 'AWS::ECS::TaskDefinition').map(([, t]) => t);
  });
  afterAll(() => synth?.dispose());

  it('runs 20 shards of 5,000 lite monitors, one task each, never two at once', () => {
    const services = ofType(resources, 'AWS::ECS::Service').map(([, s]) => props(s));
    expect(services).toHaveLength(20);
    for (const service of services) {
      expect(service).toMatchObject({ DesiredCount: 1, LaunchType: 'FARGATE', DeploymentConfiguration: { MinimumHealthyPercent: 0, MaximumPercent: 100 } });
      expect(service.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
    }
    expect(tasks).toHaveLength(20);
    for (const task of tasks) expect(props(task)).toMatchObject({ Cpu: '1024', Memory: '2048', RuntimePlatform: { CpuArchitecture: 'ARM64' } });
  });

  it('gives each task its shard and its share of the IoT Core quotas', () => {
    const envs = tasks.map(env);
    expect(envs.map((e) => Number(e.SHARD_INDEX)).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const e of envs) {
      expect(e).toMatchObject({ SHARD_COUNT: '20', FLEET_MONITORS: '100000', FLEET_TARGET: 'aws', FLEET_TRANSPORT: 'lite', FLEET_CONNECT_RATE: '5', FLEET_PUBLISH_RATE: '90', FLEET_WORKERS: '1' });
      // 100,000 monitors within 20,000 inbound publishes/s: one reading every 5 s each.
      expect(e.FLEET_INTERVAL_MS).toBe('5000');
      expect(e.FLEET_CREDENTIALS_URI).toMatch(/^\{"Fn::Join".*\/fleet\/"/);
    }
  });

  it('lets a task read only its own shard\'s credentials, and grants no IoT rights', () => {
    const bucketId = ofType(resources, 'AWS::S3::Bucket').find(([, b]) => JSON.stringify(props(b)).includes('fleet-credentials/'))![0];
    for (const task of tasks) {
      const shard = Number(env(task).SHARD_INDEX) + 1;
      const roleId = referencedId(props(task).TaskRoleArn)!;
      const policies = ofType(resources, 'AWS::IAM::Policy').filter(([, p]) => (props(p).Roles as unknown[]).some((r) => referencedId(r) === roleId));
      expect(policies).toHaveLength(1);
      const statements = props(policies[0]![1]).PolicyDocument.Statement as Json[];
      expect(statements.map((s) => s.Action)).toEqual(['s3:GetObject', 'kms:Decrypt']);
      const objectArn = JSON.stringify(statements[0]!.Resource);
      expect(objectArn).toContain(bucketId);
      expect(objectArn).toContain(`/fleet/shard-${String(shard).padStart(4, '0')}-of-0020.json`);
      expect(statements[1]!.Condition).toEqual({ StringEquals: { 'kms:ViaService': expect.anything() } });
      expect(JSON.stringify(statements)).not.toMatch(/iot:|"\*"/);
      expect(props(resources[roleId]!).ManagedPolicyArns).toBeUndefined();
    }
  });

  it('keeps the credentials bucket KMS-encrypted with its own key, TLS only, no public access', () => {
    const [, bucket] = ofType(resources, 'AWS::S3::Bucket').find(([, b]) => JSON.stringify(props(b)).includes('fleet-credentials/'))!;
    const sse = props(bucket).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
    expect(sse.SSEAlgorithm).toBe('aws:kms');
    expect(resources[referencedId(sse.KMSMasterKeyID)!]!.Type).toBe('AWS::KMS::Key');
    expect(props(bucket).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  });

  it('logs to a KMS-encrypted log group with retention, and turns progress lines into per-shard metrics', () => {
    const logGroupIds = new Set(tasks.map((t) => referencedId(props(t).ContainerDefinitions[0].LogConfiguration.Options['awslogs-group'])));
    expect(logGroupIds.size).toBe(1);
    const logGroup = props(resources[[...logGroupIds][0]!]!);
    expect(resources[referencedId(logGroup.KmsKeyId)!]!.Type).toBe('AWS::KMS::Key');
    expect(logGroup.RetentionInDays).toBeGreaterThan(0);
    const filters = ofType(resources, 'AWS::Logs::MetricFilter').map(([, f]) => props(f));
    expect(filters.map((f) => f.MetricTransformations[0].MetricName).sort()).toEqual(Object.keys(PROGRESS_METRICS).sort());
    for (const filter of filters) {
      expect(referencedId(filter.LogGroupName)).toBe([...logGroupIds][0]);
      expect(filter.FilterPattern).toBe('{ $.event = "fleet-progress" }');
      expect(filter.MetricTransformations[0]).toMatchObject({ MetricNamespace: METRIC_NAMESPACE, Dimensions: [{ Key: 'Shard', Value: '$.shard' }] });
    }
  });

  it('runs the tasks read-only as a non-root user, dialling out only to 8883 and 443', () => {
    for (const task of tasks) expect(props(task).ContainerDefinitions[0]).toMatchObject({ ReadonlyRootFilesystem: true, User: 'node', StopTimeout: 120 });
    const groups = ofType(resources, 'AWS::EC2::SecurityGroup').map(([, g]) => props(g)).filter((g) => String(g.GroupDescription).startsWith('Fleet tasks'));
    expect(groups).toHaveLength(1);
    expect(groups[0]!.SecurityGroupIngress).toBeUndefined();
    expect((groups[0]!.SecurityGroupEgress as Json[]).map((e) => e.FromPort).sort()).toEqual([443, 8883]);
  });

  it('builds the image from the repository\'s Dockerfile (staged at synthesis, no Docker needed)', () => {
    const images = Object.values(dockerImages(synth)) as { source: { directory: string; dockerFile: string; platform?: string } }[];
    expect(images).toHaveLength(1);
    expect(images[0]!.source).toMatchObject({ dockerFile: 'cloud/fleet-image/Dockerfile', platform: 'linux/arm64' });
  });
});

describe('fleet context', () => {
  const synthWith = (context: Record<string, string>) => buildApp({ context: { ...cdkJsonContext(), ...context }, nag: false, builtinValidation: false });

  it('runs a pushed ECR image when given one (deploying then needs no Docker)', async () => {
    const { stack } = await synthWith({ fleet: '2500', fleetTransport: 'mqtt', fleetImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/healthcare-fleet:v1' });
    expect(stack.fleet?.services).toHaveLength(1);
    const json = JSON.stringify(stack.resolve((stack.fleet!.services[0]!.taskDefinition.node.defaultChild as unknown as { containerDefinitions: unknown }).containerDefinitions));
    expect(json).toContain('123456789012.dkr.ecr.us-east-1');
    expect(json).toContain('healthcare-fleet:v1');
  });

  it('refuses a fleet larger than one stack holds, and a malformed image URI, naming the context key', async () => {
    await expect(synthWith({ fleet: '500000' })).rejects.toThrow(StackConfigError);
    await expect(synthWith({ fleet: '500000' })).rejects.toThrow(/context "fleet": 500000 lite monitors need 100 tasks/);
    await expect(synthWith({ fleet: '10', fleetImage: 'docker.io/me/fleet' })).rejects.toThrow(/context "fleetImage" must be an ECR image URI/);
  });
});
