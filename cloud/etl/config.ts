/**
 * The ETL Lambda's configuration, read once from the environment into a frozen object (STYLE 8). The only
 * place in cloud/etl that reads process.env. A missing or malformed value names the variable.
 *
 *   LAKE_BUCKET       S3 bucket of the lake (required)
 *   LAKE_KMS_KEY_ID   KMS key id or ARN for SSE-KMS on every object (optional: bucket default otherwise)
 *   HMAC_SECRET_ARN   Secrets Manager secret holding the pseudonym key (in the cloud), or
 *   HMAC_KEY          the key itself (local runs only); exactly one of the two
 */
import { EtlConfigError } from './errors.ts';

export type HmacKeySource = { kind: 'secret'; secretArn: string } | { kind: 'inline'; key: string };

export interface EtlConfig {
  readonly bucket: string;
  readonly kmsKeyId: string | undefined;
  readonly hmacKey: HmacKeySource;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const MIN_INLINE_KEY_CHARS = 16;

export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's trimmed value; unset and empty are the same (undefined). */
export function envValue(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** LAKE_BUCKET (required, checked) and LAKE_KMS_KEY_ID (optional): shared by every function writing the lake. */
export function readLakeTarget(env: Env): { bucket: string; kmsKeyId: string | undefined } {
  const bucket = envValue(env, 'LAKE_BUCKET');
  if (bucket === undefined) throw new EtlConfigError('LAKE_BUCKET', 'is not set: set it to the lake bucket name');
  if (!BUCKET_NAME.test(bucket)) throw new EtlConfigError('LAKE_BUCKET', `is "${bucket}", not an S3 bucket name`);
  return { bucket, kmsKeyId: envValue(env, 'LAKE_KMS_KEY_ID') };
}

export function readEtlConfig(env: Env = process.env): EtlConfig {
  const value = (name: string): string | undefined => envValue(env, name);
  const { bucket, kmsKeyId } = readLakeTarget(env);

  const secretArn = value('HMAC_SECRET_ARN');
  const inlineKey = value('HMAC_KEY');
  let hmacKey: HmacKeySource;
  if (secretArn !== undefined && inlineKey !== undefined) {
    throw new EtlConfigError('HMAC_KEY', 'is set together with HMAC_SECRET_ARN: set only one (HMAC_SECRET_ARN in AWS)');
  } else if (secretArn !== undefined) {
    if (!SECRET_ARN.test(secretArn)) throw new EtlConfigError('HMAC_SECRET_ARN', `is "${secretArn}", not a Secrets Manager secret ARN`);
    hmacKey = { kind: 'secret', secretArn };
  } else if (inlineKey !== undefined) {
    if (inlineKey.length < MIN_INLINE_KEY_CHARS) {
      throw new EtlConfigError('HMAC_KEY', `is ${inlineKey.length} characters: use at least ${MIN_INLINE_KEY_CHARS} random characters`);
    }
    hmacKey = { kind: 'inline', key: inlineKey };
  } else {
    throw new EtlConfigError('HMAC_SECRET_ARN', 'is not set (nor HMAC_KEY): set it to the ARN of the pseudonym key secret');
  }
  return Object.freeze({ bucket, kmsKeyId, hmacKey: Object.freeze(hmacKey) });
}
