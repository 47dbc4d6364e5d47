import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { statSync } from 'node:fs';
import { exitCodeFor, main as fleet } from '../../../../device/cli/fleet.ts';
import { main as monitor } from '../../../../device/cli/monitor.ts';
import { main as certs } from '../../../../certs/cli.ts';
import { main as bench } from '../../../bench/run.ts';
import { JSON_SCHEMA_PATH, main as schema } from '../../../../device/contract/write-json-schema.ts';
import { EndpointUnreachableError, FleetArgumentError } from '../../../../device/fleet/index.ts';
import { parseInterval } from '../../../../device/cli/args.ts';

let stderr: string;
let stdout: string;
beforeEach(() => {
  stderr = '';
  stdout = '';
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { stderr += `${args.join(' ')}\n`; });
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { stdout += `${args.join(' ')}\n`; });
});
afterEach(() => { vi.restoreAllMocks(); });

describe('every CLI on a bad command line', () => {
  it.each([
    ['fleet', fleet, ['--cout', '5'], '--count'],
    ['monitor', monitor, ['--thnig', 'bedside-0001'], '--thing'],
    ['certs', certs, ['--cuont', '5'], '--count'],
    ['bench', bench, ['vitals', '--quik'], '--quick'],
    ['schema', schema, ['--hlep'], '--help'],
  ] as const)('%s suggests the flag a typo meant and exits 2', async (_name, main, argv, meant) => {
    expect(await main([...argv])).toBe(2);
    expect(stderr).toContain(`did you mean ${meant}?`);
    expect(stderr).toMatch(/-- --help for the options/);
  });

  it('range-checks a negative --count instead of calling it ambiguous', async () => {
    expect(await fleet(['--count', '-3'])).toBe(2);
    expect(stderr).toContain('--count "-3": expected an integer >= 1');
    expect(await certs(['--count', '-3'])).toBe(2);
    expect(stderr).toContain('--count must be a non-negative integer, got "-3"');
    expect(stderr).not.toMatch(/ambiguous/);
  });
});

describe('npm run fleet --interval', () => {
  it('takes durations like the other flags, and plain milliseconds as before', () => {
    expect(parseInterval('1s')).toBe(1_000);
    expect(parseInterval('250ms')).toBe(250);
    expect(parseInterval('2m')).toBe(120_000);
    expect(parseInterval('1000')).toBe(1_000);
    expect(parseInterval(undefined)).toBeUndefined();
  });

  it('refuses an interval under its floor with an example', () => {
    expect(() => parseInterval('50ms')).toThrow(FleetArgumentError);
    expect(() => parseInterval('50')).toThrow(/at least 100 ms \(e\.g\. 1s/);
    expect(() => parseInterval('soon')).toThrow(/use a number with ms, s, m or h/);
  });
});

describe('npm run fleet exit codes (device/README.md)', () => {
  it('exits 1 for an endpoint nobody answers on and 2 for bad usage', () => {
    expect(exitCodeFor(new EndpointUnreachableError('no monitor could connect'))).toBe(1);
    expect(exitCodeFor(new FleetArgumentError('--count "x"'))).toBe(2);
    expect(exitCodeFor(new Error('a bug'))).toBe(1);
  });
});

describe('npm run schema', () => {
  it('prints its help and writes nothing', async () => {
    const before = statSync(JSON_SCHEMA_PATH).mtimeMs;
    expect(await schema(['--help'])).toBe(0);
    expect(stdout).toContain('Usage: npm run schema');
    expect(stdout).not.toContain('wrote');
    expect(statSync(JSON_SCHEMA_PATH).mtimeMs).toBe(before);
  });

  it('prints the schema with --stdout', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await schema(['--stdout'])).toBe(0);
    expect(String(write.mock.calls[0]?.[0])).toContain('"vitals/1"');
  });
});
