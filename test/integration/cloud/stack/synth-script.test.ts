/**
 * `npm run synth -- -c profile=trial` must hand its arguments to cdk, not to the closing echo (npm appends
 * them to the end of the script line). `--version` is the cheapest argument cdk shows it received.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run synth', () => {
  it('passes its arguments on to cdk synth', () => {
    const result = spawnSync('npm', ['run', '--silent', 'synth', '--', '--version'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^cdk synth: /);
    expect(lines[1]).toMatch(/^\d+\.\d+\.\d+/);
    expect(lines.at(-1)).toMatch(/^cdk-nag: .*passed/);
  });
});
