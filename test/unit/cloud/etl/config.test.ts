import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readEtlConfig } from '../../../../cloud/etl/config.ts';
import { EtlConfigError } from '../../../../cloud/etl/errors.ts';
import { fetchHmacKey } from '../../../../cloud/etl/hmac-secret.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:etl-hmac-AbCdEf';

describe('readEtlConfig', () => {
  it('reads bucket, KMS key and secret ARN into a frozen object', () => {
    const config = readEtlConfig({ LAKE_BUCKET: 'vitals-lake-1', LAKE_KMS_KEY_ID: 'alias/lake', HMAC_SECRET_ARN: ARN });
    expect(config).toEqual({ bucket: 'vitals-lake-1', kmsKeyId: 'alias/lake', hmacKey: { kind: 'secret', secretArn: ARN } });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts an inline HMAC_KEY for local runs', () => {
    expect(readEtlConfig({ LAKE_BUCKET: 'lake', HMAC_KEY: 'local-key-0123456789' }).hmacKey).toEqual({ kind: 'inline', key: 'local-key-0123456789' });
  });

  it.each([
    [{ HMAC_KEY: 'local-key-0123456789' }, 'LAKE_BUCKET', /not set/],
    [{ LAKE_BUCKET: 'Not_A_Bucket', HMAC_KEY: 'local-key-0123456789' }, 'LAKE_BUCKET', /not an S3 bucket name/],
    [{ LAKE_BUCKET: 'lake' }, 'HMAC_SECRET_ARN', /not set/],
    [{ LAKE_BUCKET: 'lake', HMAC_SECRET_ARN: 'my-secret' }, 'HMAC_SECRET_ARN', /not a Secrets Manager secret ARN/],
    [{ LAKE_BUCKET: 'lake', HMAC_KEY: 'short' }, 'HMAC_KEY', /at least 16/],
    [{ LAKE_BUCKET: 'lake', HMAC_KEY: 'local-key-0123456789', HMAC_SECRET_ARN: ARN }, 'HMAC_KEY', /only one/],
  ])('names the variable when the environment is wrong (%o)', (env, variable, message) => {
    const error = (() => { try { readEtlConfig(env); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(EtlConfigError);
    expect((error as EtlConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(variable);
  });
});

describe('fetchHmacKey (mocked Secrets Manager)', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it('returns a plain secret string as the key', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'plain-key-0123456789abc' });
    expect(await fetchHmacKey(new SecretsManagerClient({ region: 'eu-west-2' }), ARN)).toBe('plain-key-0123456789abc');
  });

  it('reads the hmac_key field of a JSON secret', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ hmac_key: 'json-key-0123456789abc' }) });
    expect(await fetchHmacKey(new SecretsManagerClient({ region: 'eu-west-2' }), ARN)).toBe('json-key-0123456789abc');
  });

  it('names HMAC_SECRET_ARN and keeps the cause when the secret cannot be read', async () => {
    const denied = new Error('AccessDeniedException');
    secrets.on(GetSecretValueCommand).rejects(denied);
    const error = await fetchHmacKey(new SecretsManagerClient({ region: 'eu-west-2' }), ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtlConfigError);
    expect((error as EtlConfigError).variable).toBe('HMAC_SECRET_ARN');
    expect((error as Error).cause).toBe(denied);
  });

  it('refuses a secret too short to be a key', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"hmac_key":"x"}' });
    await expect(fetchHmacKey(new SecretsManagerClient({ region: 'eu-west-2' }), ARN)).rejects.toThrow(/at least 16/);
  });
});
