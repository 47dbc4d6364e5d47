import { describe, expect, it } from 'vitest';
import { countOutcome } from '../../../certs/cli.ts';

describe('npm run certs -- --count', () => {
  it('says a smaller --count than the registry holds issued nothing and removed nothing', () => {
    const line = countOutcome(100, 100, 0, 200, 'data/certs', 0.1);
    expect(line).toBe('--count 100: nothing to issue: bedside-0001..bedside-0100 already there; '
      + 'the registry holds 200 devices (a smaller --count removes none; --revoke THING retires one) (data/certs/devices)');
    expect(line).not.toMatch(/100 devices ready/);
  });

  it('says how many it issued when the fleet grows', () => {
    expect(countOutcome(60, 60, 10, 60, 'data/certs', 1.25))
      .toBe('--count 60: issued 10 new devices in 1.3 s; bedside-0001..bedside-0060 ready (data/certs/devices)');
  });
});
