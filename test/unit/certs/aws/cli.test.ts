import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliDeps, main } from '../../../../certs/aws/cli.ts';
import { awsOutPaths } from '../../../../certs/aws/layout.ts';
import { ENDPOINT, fakeIot, REGION } from './fake-iot.ts';

let outDir: string;
let out: string[];
let err: string[];
let deps: CliDeps;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'aws-cli-'));
  out = [];
  err = [];
  const { client } = fakeIot({ sharedExist: true });
  deps = { makeClient: () => client, out: (l) => out.push(l), err: (l) => err.push(l) };
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run provision / deprovision (mocked IoT)', () => {
  it('provisions, prints the endpoint and the next command, then deprovisions everything', async () => {
    expect(await main(['provision', '--count', '2', '--region', REGION, '--out', outDir, '--quiet'], deps)).toBe(0);
    expect(out.join('\n')).toContain(ENDPOINT);
    expect(out.join('\n')).toContain('npm run fleet -- --target aws --count 2');
    expect(existsSync(awsOutPaths(outDir).manifest)).toBe(true);

    expect(await main(['deprovision', '--region', REGION, '--out', outDir, '--quiet'], deps)).toBe(0);
    expect(existsSync(awsOutPaths(outDir).manifest)).toBe(false);
  });

  it('explains a missing --count and an unknown command with exit code 2', async () => {
    expect(await main(['provision', '--out', outDir], deps)).toBe(2);
    expect(err[0]).toMatch(/--count N/);
    expect(await main(['destroy-everything'], deps)).toBe(2);
    expect(err.join('\n')).toMatch(/unknown command/);
  });

  it('says there is nothing to deprovision in an empty out dir', async () => {
    expect(await main(['deprovision', '--out', outDir], deps)).toBe(1);
    expect(err[0]).toMatch(/no manifest/);
  });

  it('refuses to provision where the stack is not deployed, and says to deploy first', async () => {
    const { client } = fakeIot();
    const noStack: CliDeps = { ...deps, makeClient: () => client };
    expect(await main(['provision', '--count', '1', '--region', REGION, '--out', outDir, '--quiet'], noStack)).toBe(1);
    expect(err.join('\n')).toMatch(/not deployed there[\s\S]*npm run deploy first/);
    expect(await main(['provision', '--count', '1', '--region', REGION, '--out', outDir, '--quiet', '--without-stack'], noStack)).toBe(0);
  });

  it('provisions for a prefixed stack copy with its thing names', async () => {
    expect(await main(['provision', '--count', '1', '--region', REGION, '--out', outDir, '--quiet', '--stack-prefix', 'ward7'], deps)).toBe(0);
    expect(existsSync(join(outDir, 'ward7-bedside-0001', 'cert.pem'))).toBe(true);
    expect(await main(['provision', '--count', '1', '--out', outDir, '--stack-prefix', 'Ward-7'], deps)).toBe(2);
  });

  it('deletes the shadows through the data-plane client at the provisioned endpoint', async () => {
    const endpoints: string[] = [];
    const sent: string[] = [];
    const withShadows: CliDeps = { ...deps, makeShadowClient: (region, endpoint) => (endpoints.push(`${region} ${endpoint}`), { send: async (c: { input: { thingName: string } }) => (sent.push(c.input.thingName), {}) } as never) };
    expect(await main(['provision', '--count', '2', '--region', REGION, '--out', outDir, '--quiet'], withShadows)).toBe(0);
    expect(await main(['deprovision', '--region', REGION, '--out', outDir, '--quiet'], withShadows)).toBe(0);
    expect(endpoints).toEqual([`${REGION} ${ENDPOINT}`]);
    expect(sent.sort()).toEqual(['bedside-0001', 'bedside-0002']);
  });
});
