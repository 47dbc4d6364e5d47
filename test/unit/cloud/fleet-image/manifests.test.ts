/**
 * The Kubernetes Indexed Job and the fleet-credentials command follow the Fargate layout (sizing.ts): one
 * definition of shards and divided quotas, not copies that drift.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main as packMain } from '../../../../cloud/fleet-image/pack-cli.ts';
import { fleetLayout } from '../../../../cloud/fleet-image/sizing.ts';

const manifest = readFileSync(new URL('../../../../cloud/fleet-image/k8s/fleet-job.yaml', import.meta.url), 'utf8');
const envValue = (name: string) => new RegExp(`- name: ${name}\\n\\s+value: "?([^"\\n]+)"?`).exec(manifest)?.[1];

describe('the Kubernetes Indexed Job', () => {
  it('runs one indexed pod per shard with the layout\'s divided quotas', () => {
    const layout = fleetLayout(Number(envValue('FLEET_MONITORS')), envValue('FLEET_TRANSPORT') as 'lite');
    expect(manifest).toMatch(/completionMode: Indexed/);
    expect(Number(/completions: (\d+)/.exec(manifest)?.[1])).toBe(layout.shards);
    expect(Number(/parallelism: (\d+)/.exec(manifest)?.[1])).toBe(layout.shards);
    expect(Number(envValue('SHARD_COUNT'))).toBe(layout.shards);
    expect(Number(envValue('FLEET_CONNECT_RATE'))).toBe(layout.connectRatePerSecond);
    expect(Number(envValue('FLEET_INTERVAL_MS'))).toBe(layout.intervalMs);
    // The shard comes from the Job's completion index, not from a variable set here.
    expect(envValue('SHARD_INDEX')).toBeUndefined();
  });
});

describe('npm run fleet-credentials', () => {
  it('writes one bundle per shard of the layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-pack-'));
    try {
      const awsOut = join(dir, 'aws-out');
      mkdirSync(awsOut);
      writeFileSync(join(awsOut, 'endpoint.json'), '{"endpoint":"x-ats.iot.us-east-1.amazonaws.com"}');
      writeFileSync(join(awsOut, 'AmazonRootCAs.pem'), 'ROOT');
      for (let i = 1; i <= 6; i++) {
        const thing = `bedside-000${i}`;
        mkdirSync(join(awsOut, thing));
        writeFileSync(join(awsOut, thing, 'cert.pem'), 'C');
        writeFileSync(join(awsOut, thing, 'key.pem'), 'K');
      }
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      expect(await packMain(['--count', '6', '--aws-dir', awsOut, '--out', join(dir, 'out')])).toBe(0);
      log.mockRestore();
      expect(readdirSync(join(dir, 'out'))).toEqual(['shard-0001-of-0001.json']);
      const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await packMain(['--count', '7', '--aws-dir', awsOut, '--out', join(dir, 'out2')])).toBe(2);
      expect(String(error.mock.calls[0]?.[0])).toMatch(/bedside-0007.*npm run provision -- --count 7/);
      error.mockRestore();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
