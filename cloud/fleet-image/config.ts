/**
 * The fleet container's configuration, read once from the environment into a frozen object (STYLE 8).
 * The shard is the input: ECS gives each shard's task definition SHARD_INDEX; a Kubernetes Indexed Job
 * gives every pod JOB_COMPLETION_INDEX. Both are 0-based; the fleet runner's `--shard i/n` is 1-based.
 */
import { TRANSPORT_KINDS, type TransportKind } from '../../device/transport/index.ts';

export class FleetImageConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FleetImageConfigError';
  }
}

export interface FleetImageConfig {
  /** Monitors in the whole fleet (all shards). */
  monitors: number;
  /** 1-based, as `--shard i/n`. */
  shard: { index: number; of: number };
  /** 'aws' (IoT Core, credentials from S3) or mqtt(s)://host:port. */
  target: string;
  transport: TransportKind;
  /** This shard's share of the account's connect quota. */
  connectRatePerSecond: number;
  /** Per connection (IoT Core: under 100/s). */
  publishRatePerSecond: number;
  intervalMs: number;
  workers: number | undefined;
  durationMs: number | undefined;
  scenarioMix: string;
  seed: number;
  /** s3://bucket/prefix/: this shard's credentials bundle is `<prefix>shard-<i>-of-<n>.json` (target aws only). */
  credentialsUri: string | undefined;
  /** Where outboxes and the unpacked credentials live (a tmpfs or the task's ephemeral storage). */
  dataDir: string;
  /** Seconds between JSON progress lines (the summary metric's source). */
  reportEverySeconds: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, { min, fallback }: { min: number; fallback?: number }): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (fallback === undefined) throw new FleetImageConfigError(`${name} is required (an integer >= ${min})`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new FleetImageConfigError(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function number(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new FleetImageConfigError(`${name} must be a number > 0, got ${JSON.stringify(raw)}`);
  return value;
}

export function readFleetImageConfig(env: Env): FleetImageConfig {
  const monitors = integer(env, 'FLEET_MONITORS', { min: 1 });
  const of = integer(env, 'SHARD_COUNT', { min: 1, fallback: 1 });
  const indexVar = env.SHARD_INDEX !== undefined && env.SHARD_INDEX !== '' ? 'SHARD_INDEX' : 'JOB_COMPLETION_INDEX';
  const index0 = integer(env, indexVar, { min: 0, fallback: of === 1 ? 0 : undefined });
  if (index0 >= of) throw new FleetImageConfigError(`${indexVar}=${index0} is not below SHARD_COUNT=${of} (the index is 0-based)`);
  if (of > monitors) throw new FleetImageConfigError(`SHARD_COUNT=${of} is more than FLEET_MONITORS=${monitors}: some shards would be empty`);
  const transport = env.FLEET_TRANSPORT ?? 'lite';
  if (!(TRANSPORT_KINDS as readonly string[]).includes(transport)) {
    throw new FleetImageConfigError(`FLEET_TRANSPORT must be one of ${TRANSPORT_KINDS.join(', ')}, got ${JSON.stringify(transport)}`);
  }
  const target = env.FLEET_TARGET ?? 'aws';
  const credentialsUri = env.FLEET_CREDENTIALS_URI || undefined;
  if (target === 'aws' && (credentialsUri === undefined || !/^s3:\/\/[^/]+\/.*$/.test(credentialsUri))) {
    throw new FleetImageConfigError(`FLEET_TARGET=aws needs FLEET_CREDENTIALS_URI=s3://<bucket>/<prefix>/ (the shards' credential bundles), got ${JSON.stringify(credentialsUri ?? null)}`);
  }
  const durationSeconds = env.FLEET_DURATION_SECONDS ? integer(env, 'FLEET_DURATION_SECONDS', { min: 1 }) : undefined;
  return Object.freeze({
    monitors,
    shard: Object.freeze({ index: index0 + 1, of }),
    target,
    transport: transport as TransportKind,
    connectRatePerSecond: number(env, 'FLEET_CONNECT_RATE', 100 / of),
    publishRatePerSecond: number(env, 'FLEET_PUBLISH_RATE', 90),
    intervalMs: integer(env, 'FLEET_INTERVAL_MS', { min: 100, fallback: 1_000 }),
    workers: env.FLEET_WORKERS ? integer(env, 'FLEET_WORKERS', { min: 1 }) : undefined,
    durationMs: durationSeconds === undefined ? undefined : durationSeconds * 1_000,
    scenarioMix: env.FLEET_SCENARIO_MIX ?? 'stable:85,sepsis:5,respiratory_failure:5,haemorrhage:5',
    seed: integer(env, 'FLEET_SEED', { min: 0, fallback: 1 }),
    credentialsUri,
    dataDir: env.FLEET_DATA_DIR ?? '/tmp/fleet',
    reportEverySeconds: integer(env, 'FLEET_REPORT_SECONDS', { min: 1, fallback: 60 }),
  });
}
