import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleKey, CredentialsBundleError, fetchBundle, packAll, packShard, shardThings, unpackBundle } from '../../../../cloud/fleet-image/credentials.ts';
import { resolveTarget } from '../../../../device/fleet/index.ts';

let dir: string;
const awsOut = () => join(dir, 'aws-out');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-credentials-'));
  mkdirSync(awsOut());
  writeFileSync(join(awsOut(), 'endpoint.json'), JSON.stringify({ endpoint: 'abc-ats.iot.us-east-1.amazonaws.com', port: 8883 }));
  writeFileSync(join(awsOut(), 'AmazonRootCAs.pem'), 'ROOT');
  for (let i = 1; i <= 5; i++) {
    const thing = `bedside-000${i}`;
    mkdirSync(join(awsOut(), thing));
    writeFileSync(join(awsOut(), thing, 'cert.pem'), `CERT ${thing}`);
    writeFileSync(join(awsOut(), thing, 'key.pem'), `KEY ${thing}`);
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('fleet credentials bundles', () => {
  it('slices things as the fleet runner slices shards', () => {
    expect(shardThings(5, { index: 1, of: 2 })).toEqual(['bedside-0001', 'bedside-0002']);
    expect(shardThings(5, { index: 2, of: 2 })).toEqual(['bedside-0003', 'bedside-0004', 'bedside-0005']);
    expect(bundleKey('fleet/', { index: 3, of: 20 })).toBe('fleet/shard-0003-of-0020.json');
  });

  it('packs one bundle per shard and unpacks a shard into a directory the aws target runs from', () => {
    const files = packAll(awsOut(), 5, 2, join(dir, 'bundles'));
    expect(files.map((f) => f.slice(dir.length))).toEqual(['/bundles/shard-0001-of-0002.json', '/bundles/shard-0002-of-0002.json']);
    const bundle = JSON.parse(readFileSync(files[1]!, 'utf8')) as ReturnType<typeof packShard>;
    const taskDir = join(dir, 'task');
    unpackBundle(bundle, taskDir);
    expect(statSync(join(taskDir, 'bedside-0004', 'key.pem')).mode & 0o777).toBe(0o600);
    // The task holds only its own things; the runner's slice 2..5 of the fleet is exactly them.
    const target = resolveTarget({ target: 'aws', awsOutDir: taskDir });
    expect(target.slice!(2, 5).map((t) => t.thing)).toEqual(['bedside-0003', 'bedside-0004', 'bedside-0005']);
    expect(target.credentials('bedside-0003')).toMatchObject({ cert: 'CERT bedside-0003', key: 'KEY bedside-0003', ca: 'ROOT' });
  });

  it('fetches the shard object from S3 and refuses a bundle of another shard', async () => {
    const s3 = mockClient(S3Client);
    const body = (shard: { index: number; of: number }) => ({ transformToString: async () => JSON.stringify(packShard(awsOut(), 5, shard)) }) as never;
    s3.on(GetObjectCommand, { Bucket: 'creds', Key: 'fleet/shard-0001-of-0002.json' }).callsFake(() => ({ Body: body({ index: 1, of: 2 }) }));
    s3.on(GetObjectCommand, { Bucket: 'creds', Key: 'fleet/shard-0002-of-0002.json' }).callsFake(() => ({ Body: body({ index: 1, of: 2 }) }));
    const client = new S3Client({ region: 'us-east-1' });
    const bundle = await fetchBundle('s3://creds/fleet/', { index: 1, of: 2 }, client);
    expect(bundle.things.map((t) => t.thing)).toEqual(['bedside-0001', 'bedside-0002']);
    await expect(fetchBundle('s3://creds/fleet/', { index: 2, of: 2 }, client)).rejects.toThrow(/bundle is for shard 1\/2, this task runs 2\/2/);
    s3.restore();
  });

  it('says what to do when the object cannot be read', async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).rejects(new Error('AccessDenied'));
    await expect(fetchBundle('s3://creds/fleet/', { index: 1, of: 1 }, new S3Client({ region: 'us-east-1' }))).rejects.toThrow(CredentialsBundleError);
    s3.restore();
  });
});
