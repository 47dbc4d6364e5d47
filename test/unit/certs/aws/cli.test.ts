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
});
