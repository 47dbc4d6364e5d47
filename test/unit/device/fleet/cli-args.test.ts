import { describe, expect, it } from 'vitest';
import { parseDuration, parseNumber, parseProtocol, parseShard, parseTransport } from '../../../../device/cli/args.ts';
import { FleetArgumentError } from '../../../../device/fleet/index.ts';

describe('fleet and monitor flags', () => {
  it('parses durations with units, plain numbers as seconds', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('45')).toBe(45_000);
    expect(() => parseDuration('5y')).toThrow(FleetArgumentError);
    expect(() => parseDuration('0s')).toThrow(/more than 0/);
  });

  it('parses 1-based shards and refuses impossible ones', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, of: 4 });
    for (const bad of ['0/4', '5/4', '1-4', 'a/b']) expect(() => parseShard(bad)).toThrow(/use i\/n/);
  });

  it('validates numbers, transports and protocol versions with the flag name in the message', () => {
    expect(parseNumber('12', '--count', { min: 1, integer: true })).toBe(12);
    expect(parseNumber(undefined, '--count')).toBeUndefined();
    expect(() => parseNumber('1.5', '--count', { integer: true })).toThrow(/--count "1.5"/);
    expect(parseTransport(undefined)).toBe('mqtt');
    expect(() => parseTransport('http')).toThrow(/use mqtt, crt or lite/);
    expect(parseProtocol(undefined, 'crt', 'aws')).toBe(5);
    expect(parseProtocol(undefined, 'mqtt', 'local')).toBe(4);
    expect(parseProtocol('3.1.1', 'crt', 'aws')).toBe(4);
    expect(() => parseProtocol('6', 'mqtt', 'local')).toThrow(/3.1.1 or 5/);
  });
});
