/**
 * Fetches the pseudonym key from Secrets Manager, once per Lambda container. The secret holds the key
 * as a plain string, or a JSON object with an `hmac_key` field (what a CDK-generated secret with a
 * template gives).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EtlConfigError } from './errors.ts';

const MIN_KEY_CHARS = 16;

export async function fetchHmacKey(client: SecretsManagerClient, secretArn: string): Promise<string> {
  let secret: string | undefined;
  try {
    secret = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    throw new EtlConfigError('HMAC_SECRET_ARN', `could not be read from Secrets Manager (${secretArn}): check the secret exists and the role may read it`, { cause: error });
  }
  const key = keyFromSecretString(secret);
  if (key === undefined || key.length < MIN_KEY_CHARS) {
    throw new EtlConfigError('HMAC_SECRET_ARN', `names a secret without a usable key: store at least ${MIN_KEY_CHARS} random characters, plain or as {"hmac_key": "..."}`);
  }
  return key;
}

function keyFromSecretString(secret: string | undefined): string | undefined {
  if (secret === undefined) return undefined;
  if (!secret.trimStart().startsWith('{')) return secret;
  try {
    const parsed = JSON.parse(secret) as unknown;
    const field = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).hmac_key : undefined;
    return typeof field === 'string' ? field : undefined;
  } catch {
    return secret;
  }
}
