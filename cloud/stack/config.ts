/**
 * The stack's configuration, read once from CDK context (cdk.json or `-c key=value`) into a frozen,
 * validated object. A malformed value names the context key and what it expects.
 */
import { fleetLayout, FleetSizingError, type FleetLayout } from '../fleet-image/sizing.ts';
import { CATALOG_DEFAULTS, PROFILES, type Profile, type ProfileName, STACK_PREFIX_PATTERN, stackNames, type StackNames } from './defaults.ts';

export class StackConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackConfigError';
  }
}

export type StreamCapacity = { mode: 'ON_DEMAND' } | { mode: 'PROVISIONED'; shards: number };

export interface QuickSightConfig {
  /** ARN of the QuickSight user or group that owns the data source, dataset and dashboard. */
  principalArn: string;
  /** The role QuickSight uses to reach Athena, S3 and KMS (the stack grants it the lake key). */
  serviceRoleName: string;
}

/** QuickSight's own service role, created when the account subscribes. */
export const QUICKSIGHT_SERVICE_ROLE = 'aws-quicksight-service-role-v0';

/** A QuickSight user or group ARN: arn:<partition>:quicksight:<region>:<12-digit account>:(user|group)/<namespace>/<name>. */
export const QUICKSIGHT_PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:quicksight:[a-z]{2}(-[a-z]+)+-\d:\d{12}:(user|group)\/[A-Za-z0-9._-]+\/[^/\s]+$/;

export interface FleetConfig {
  layout: FleetLayout;
  /** A pushed image (`-c fleetImage=<ecr uri>`); undefined: the repository's Dockerfile as a CDK asset. */
  image: string | undefined;
}

/** An ECR image URI: <account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@digest]. */
export const ECR_IMAGE_URI = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._/-]+(:[\w.-]+|@sha256:[a-f0-9]{64})?$/;

export interface StackConfig {
  /** `-c profile=standard|trial` (defaults.ts PROFILES); explicit context values override the profile's. */
  profile: ProfileName;
  /** Names of the account-wide resources, from the optional `-c prefix=`. */
  names: StackNames;
  streamCapacity: StreamCapacity;
  /** Only when asked (`-c etlReservedConcurrency=N`): new accounts have none to reserve. */
  etlReservedConcurrency: number | undefined;
  maxBatchingWindowSeconds: number;
  logRetentionDays: number;
  /** The CloudWatch dashboard (the profile's choice). */
  dashboard: boolean;
  bytesScannedCutoffPerQuery: number;
  /** Email for alarm notifications; none means subscribe later (the topic ARN is an output). */
  alarmEmail: string | undefined;
  /** QuickSight is opt-in: it needs an account subscription. */
  quickSight: QuickSightConfig | undefined;
  /** The simulator fleet on Fargate is opt-in: `-c fleet=<monitors>` (cloud/stack/fleet-fargate.ts). */
  fleet: FleetConfig | undefined;
  /** Lake data and keys survive `cdk destroy` unless this is false (PHI is never deleted by accident). */
  retainData: boolean;
}

/** How the config reads a context key: `(key) => app.node.tryGetContext(key)`. */
export type ContextReader = (key: string) => unknown;

function positiveInt(read: ContextReader, key: string, fallback: number): number {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new StackConfigError(`context "${key}" must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function bool(read: ContextReader, key: string, fallback: boolean): boolean {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new StackConfigError(`context "${key}" must be true or false, got ${JSON.stringify(raw)}`);
}

function optionalString(read: ContextReader, key: string): string | undefined {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') throw new StackConfigError(`context "${key}" must be a string`);
  return raw;
}

function profileOf(read: ContextReader): [ProfileName, Profile] {
  const name = optionalString(read, 'profile') ?? 'standard';
  if (!(name in PROFILES)) {
    throw new StackConfigError(`context "profile" must be one of ${Object.keys(PROFILES).join(', ')}, got ${JSON.stringify(name)}`);
  }
  return [name as ProfileName, PROFILES[name as ProfileName]];
}

function prefixOf(read: ContextReader): string | undefined {
  const prefix = optionalString(read, 'prefix');
  if (prefix !== undefined && !STACK_PREFIX_PATTERN.test(prefix)) {
    throw new StackConfigError(
      `context "prefix" must be 1-12 lowercase letters or digits, starting with a letter (it goes into IoT, Glue and Athena names), got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}

function fleetOf(read: ContextReader): FleetConfig | undefined {
  const raw = read('fleet');
  if (raw === undefined || raw === null || raw === '' || raw === false || raw === 'false') return undefined;
  const monitors = positiveInt(read, 'fleet', 1);
  const transport = optionalString(read, 'fleetTransport') ?? 'lite';
  if (transport !== 'lite' && transport !== 'mqtt') throw new StackConfigError(`context "fleetTransport" must be lite or mqtt, got ${JSON.stringify(transport)}`);
  const image = optionalString(read, 'fleetImage');
  if (image !== undefined && !ECR_IMAGE_URI.test(image)) {
    throw new StackConfigError(`context "fleetImage" must be an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>), got ${JSON.stringify(image)}`);
  }
  try {
    const layout = fleetLayout(monitors, transport, {
      connectsPerSecond: positiveInt(read, 'fleetConnectQuota', 100),
      inboundPublishesPerSecond: positiveInt(read, 'fleetPublishQuota', 20_000),
    });
    return { layout, image };
  } catch (error) {
    if (error instanceof FleetSizingError) throw new StackConfigError(`context "fleet": ${error.message}`, { cause: error });
    throw error;
  }
}

export function readStackConfig(read: ContextReader): StackConfig {
  const [profileName, profile] = profileOf(read);
  const mode = optionalString(read, 'streamMode') ?? profile.streamMode;
  let streamCapacity: StreamCapacity;
  if (mode === 'ON_DEMAND') {
    streamCapacity = { mode };
  } else if (mode === 'PROVISIONED') {
    streamCapacity = { mode, shards: positiveInt(read, 'streamShards', profile.streamShards) };
  } else {
    throw new StackConfigError(`context "streamMode" must be ON_DEMAND or PROVISIONED, got ${JSON.stringify(mode)}`);
  }

  let quickSight: QuickSightConfig | undefined;
  if (bool(read, 'quicksight', false)) {
    const principalArn = optionalString(read, 'quicksightPrincipalArn');
    if (!principalArn || !QUICKSIGHT_PRINCIPAL_ARN.test(principalArn)) {
      throw new StackConfigError(
        `context "quicksight=true" needs "quicksightPrincipalArn" as arn:aws:quicksight:<region>:<account>:user/default/<name> (or group/...), ` +
          `got ${JSON.stringify(principalArn ?? null)}; find it with \`aws quicksight list-users --aws-account-id <account> --namespace default\``,
      );
    }
    quickSight = { principalArn, serviceRoleName: optionalString(read, 'quicksightServiceRole') ?? QUICKSIGHT_SERVICE_ROLE };
  }

  const alarmEmail = optionalString(read, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) {
    throw new StackConfigError(`context "alarmEmail" is not an email address: ${JSON.stringify(alarmEmail)}`);
  }

  const etlReservedConcurrency = read('etlReservedConcurrency');
  return Object.freeze({
    profile: profileName,
    names: stackNames(prefixOf(read)),
    streamCapacity,
    etlReservedConcurrency:
      etlReservedConcurrency === undefined || etlReservedConcurrency === null || etlReservedConcurrency === ''
        ? undefined
        : positiveInt(read, 'etlReservedConcurrency', 1),
    maxBatchingWindowSeconds: positiveInt(read, 'maxBatchingWindowSeconds', profile.maxBatchingWindowSeconds),
    logRetentionDays: profile.logRetentionDays,
    dashboard: profile.dashboard,
    bytesScannedCutoffPerQuery: positiveInt(read, 'bytesScannedCutoffPerQuery', CATALOG_DEFAULTS.bytesScannedCutoffPerQuery),
    alarmEmail,
    quickSight,
    fleet: fleetOf(read),
    retainData: bool(read, 'retainData', profile.retainData),
  });
}
