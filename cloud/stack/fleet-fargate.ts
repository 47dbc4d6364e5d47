/**
 * The simulator fleet on ECS Fargate (opt-in: `-c fleet=<monitors>`): one service of one task per shard,
 * each running the fleet image (cloud/fleet-image) with SHARD_INDEX i of SHARD_COUNT N, the IoT Core
 * connect quota divided across shards, and only its own shard's device credentials (an S3 object under the
 * fleet's own KMS key: cloud/fleet-image/credentials.ts says why not Secrets Manager). Tasks run in public
 * subnets with a public IP and no inbound rule (they only dial out: IoT Core 8883, S3/ECR/Logs 443), so
 * there is no NAT gateway to pay for. Logs go to a KMS-encrypted log group; metric filters turn each
 * task's JSON progress lines into per-shard metrics (dimension Shard).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bundleKey } from '../fleet-image/credentials.ts';
import { METRIC_NAMESPACE, PROGRESS_METRICS } from '../fleet-image/report.ts';
import { FLEET_TASK, type FleetLayout } from '../fleet-image/sizing.ts';

/** Where the shards' credential bundles live in the credentials bucket. */
export const FLEET_CREDENTIALS_PREFIX = 'fleet/';

export interface FleetFargateProps {
  readonly layout: FleetLayout;
  /** The container image: the repository's Dockerfile as an asset, or a pushed ECR image. */
  readonly image: ecs.ContainerImage;
  /** Encrypts the task and flow logs (its key policy admits CloudWatch Logs of this account). */
  readonly logKey: kms.IKey;
  readonly logRetentionDays: number;
  /** Server access logs of the credentials bucket. */
  readonly accessLogsBucket: s3.IBucket;
}

export class FleetFargate extends Construct {
  readonly cluster: ecs.Cluster;
  readonly credentialsBucket: s3.Bucket;
  readonly credentialsKey: kms.Key;
  readonly logGroup: logs.LogGroup;
  readonly vpc: ec2.Vpc;
  /** One per shard, in shard order (SHARD_INDEX 0 first). */
  readonly services: ecs.FargateService[] = [];
  readonly taskRoles: iam.Role[] = [];
  /** Shared by every shard's task: pulls the image and writes the log group (ECS's own rights, no data). */
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: FleetFargateProps) {
    super(scope, id);
    const { layout } = props;
    const retention = props.logRetentionDays as logs.RetentionDays;

    this.credentialsKey = new kms.Key(this, 'CredentialsKey', { description: 'Healthcare datalake: fleet device credentials (private keys)', enableKeyRotation: true });
    this.credentialsBucket = new s3.Bucket(this, 'Credentials', {
      encryption: s3.BucketEncryption.KMS, encryptionKey: this.credentialsKey, bucketKeyEnabled: true,
      enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket, serverAccessLogsPrefix: 'fleet-credentials/',
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2, natGateways: 0,
      // Public IPs only where asked for (the fleet services), not on everything launched in the subnets.
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false }],
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        rejected: {
          trafficType: ec2.FlowLogTrafficType.REJECT,
          destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', { encryptionKey: props.logKey, retention })),
        },
      },
    });
    const securityGroup = new ec2.SecurityGroup(this, 'Tasks', { vpc: this.vpc, description: 'Fleet tasks: outbound to IoT Core (8883) and AWS APIs (443) only', allowAllOutbound: false });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(8883), 'AWS IoT Core MQTT over TLS');
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'S3, ECR, CloudWatch Logs');

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.logGroup = new logs.LogGroup(this, 'Logs', { encryptionKey: props.logKey, retention });
    for (const [metricName, field] of Object.entries(PROGRESS_METRICS)) {
      new logs.MetricFilter(this, `Metric${metricName}`, {
        logGroup: this.logGroup, metricNamespace: METRIC_NAMESPACE, metricName,
        filterPattern: logs.FilterPattern.stringValue('$.event', '=', 'fleet-progress'),
        metricValue: `$.${field}`, dimensions: { Shard: '$.shard' },
      });
    }

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Fleet tasks: pull the fleet image, write the fleet log group',
    });
    const stack = Stack.of(this);
    for (let index = 0; index < layout.shards; index++) this.addShard(index, props, securityGroup, stack);
  }

  private addShard(index: number, props: FleetFargateProps, securityGroup: ec2.ISecurityGroup, stack: Stack): void {
    const { layout } = props;
    const shard = { index: index + 1, of: layout.shards };
    const objectKey = bundleKey(FLEET_CREDENTIALS_PREFIX, shard);
    // One role per shard: a task can read its own shard's private keys and nothing else. No IoT rights:
    // devices authenticate to IoT Core with their certificates (mTLS), not with the task's credentials.
    const role = new iam.Role(this, `TaskRole${shard.index}`, {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Fleet shard ${shard.index}/${shard.of}: reads its credentials bundle`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.credentialsBucket.arnForObjects(objectKey)] }));
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'], resources: [this.credentialsKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
    }));
    this.taskRoles.push(role);

    const task = new ecs.FargateTaskDefinition(this, `Task${shard.index}`, {
      cpu: FLEET_TASK.cpu, memoryLimitMiB: FLEET_TASK.memoryMiB, taskRole: role, executionRole: this.executionRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      volumes: [{ name: 'work' }],
    });
    const container = task.addContainer('fleet', {
      image: props.image, readonlyRootFilesystem: true, user: 'node',
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: `shard-${shard.index}` }),
      // Clean stop on SIGTERM: the runner flushes every outbox before it exits (at most 2 minutes on Fargate).
      stopTimeout: Duration.seconds(120),
      environment: {
        SHARD_INDEX: String(index), SHARD_COUNT: String(shard.of), FLEET_MONITORS: String(layout.monitors),
        FLEET_TARGET: 'aws', FLEET_TRANSPORT: layout.transport,
        FLEET_CONNECT_RATE: String(layout.connectRatePerSecond), FLEET_PUBLISH_RATE: String(layout.publishRatePerSecond),
        FLEET_INTERVAL_MS: String(layout.intervalMs), FLEET_WORKERS: String(FLEET_TASK.workers),
        FLEET_CREDENTIALS_URI: `s3://${this.credentialsBucket.bucketName}/${FLEET_CREDENTIALS_PREFIX}`, FLEET_DATA_DIR: '/tmp/fleet',
      },
    });
    container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'work', readOnly: false });

    this.services.push(new ecs.FargateService(this, `Shard${shard.index}`, {
      cluster: this.cluster, taskDefinition: task, desiredCount: 1, assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, securityGroups: [securityGroup],
      // A shard's things must never run twice (two tasks with the same client ids would take each
      // other's sessions over): a deployment stops the old task before it starts the new one.
      minHealthyPercent: 0, maxHealthyPercent: 100,
      circuitBreaker: { rollback: false },
    }));
  }
}
