/**
 * The stack's configuration, read once from CDK context (cdk.json or `-c key=value`) into a frozen,
 * validated object. A malformed value names the context key and what it expects.
 */
import { CATALOG_DEFAULTS, ETL_DEFAULTS } from './defaults.ts';

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
}

export interface StackConfig {
  streamCapacity: StreamCapacity;
  etlReservedConcurrency: number;
  bytesScannedCutoffPerQuery: number;
  /** Email for alarm notifications; none means subscribe later (the topic ARN is an output). */
  alarmEmail: string | undefined;
  /** QuickSight is opt-in: it needs an account subscription. */
  quickSight: QuickSightConfig | undefined;
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

export function readStackConfig(read: ContextReader): StackConfig {
  const mode = optionalString(read, 'streamMode') ?? 'ON_DEMAND';
  let streamCapacity: StreamCapacity;
  if (mode === 'ON_DEMAND') {
    streamCapacity = { mode };
  } else if (mode === 'PROVISIONED') {
    streamCapacity = { mode, shards: positiveInt(read, 'streamShards', 1) };
  } else {
    throw new StackConfigError(`context "streamMode" must be ON_DEMAND or PROVISIONED, got ${JSON.stringify(mode)}`);
  }

  let quickSight: QuickSightConfig | undefined;
  if (bool(read, 'quicksight', false)) {
    const principalArn = optionalString(read, 'quicksightPrincipalArn');
    if (!principalArn || !principalArn.startsWith('arn:')) {
      throw new StackConfigError(
        'context "quicksight=true" needs "quicksightPrincipalArn" (arn:aws:quicksight:<region>:<account>:user/default/<name>); ' +
          'find it with `aws quicksight list-users --aws-account-id <account> --namespace default`',
      );
    }
    quickSight = { principalArn };
  }

  const alarmEmail = optionalString(read, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) {
    throw new StackConfigError(`context "alarmEmail" is not an email address: ${JSON.stringify(alarmEmail)}`);
  }

  return Object.freeze({
    streamCapacity,
    etlReservedConcurrency: positiveInt(read, 'etlReservedConcurrency', ETL_DEFAULTS.reservedConcurrency),
    bytesScannedCutoffPerQuery: positiveInt(read, 'bytesScannedCutoffPerQuery', CATALOG_DEFAULTS.bytesScannedCutoffPerQuery),
    alarmEmail,
    quickSight,
    retainData: bool(read, 'retainData', true),
  });
}
