import { describe, expect, it } from 'vitest';
import { closest, parseFlags, UsageError } from '../../../../device/cli/flags.ts';

const options = {
  count: { type: 'string' },
  'connect-rate': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const parse = (...args: string[]) => parseFlags({ args, options });
const problem = (...args: string[]) => {
  try {
    parse(...args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('parseFlags', () => {
  it('passes a negative number on as the value, for the command to range-check', () => {
    expect(parse('--count', '-3').values.count).toBe('-3');
    expect(parse('--count', '-0.5', '--json').values).toMatchObject({ count: '-0.5', json: true });
  });

  it('suggests the flag a typo meant', () => {
    expect(problem('--cout', '5')).toBe('unknown option --cout: did you mean --count?');
    expect(problem('--conect-rate', '5')).toBe('unknown option --conect-rate: did you mean --connect-rate?');
    expect(problem('--jsno')).toBe('unknown option --jsno: did you mean --json?');
  });

  it('names an unknown flag without a guess when nothing is close', () => {
    expect(problem('--zebra')).toBe('unknown option --zebra');
  });

  it('says a flag needs a value, and what followed it instead', () => {
    expect(problem('--count')).toBe('--count needs a value');
    expect(problem('--count', '--json')).toBe('--count needs a value (it is followed by --json)');
  });

  it('says a switch takes no value and rejects stray arguments', () => {
    expect(problem('--json=yes')).toBe('--json takes no value');
    expect(problem('stray')).toBe('unexpected argument stray: this command takes only options');
  });

  it('leaves arguments after -- alone', () => {
    const { positionals } = parseFlags({ args: ['--', '--count', '-3'], options, allowPositionals: true });
    expect(positionals).toEqual(['--count', '-3']);
  });
});

describe('closest', () => {
  it('takes the nearest flag within two edits, or the only one a prefix fits', () => {
    expect(closest('cuont', ['count', 'seed'])).toBe('count');
    expect(closest('dur', ['duration', 'data-dir'])).toBe('duration');
    expect(closest('d', ['duration', 'data-dir'])).toBeUndefined();
  });
});
