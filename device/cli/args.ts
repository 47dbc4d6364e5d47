/** Flag parsing shared by the monitor and fleet CLIs (pure): durations, shards, numbers, enums. */
import { FleetArgumentError } from '../fleet/errors.ts';
import { TRANSPORT_KINDS, type TransportKind } from '../transport/index.ts';

/** "30s", "10m", "2h", "500ms", or plain seconds ("45"). */
export function parseDuration(text: string, flag = '--duration'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new FleetArgumentError(`${flag} "${text}": use a number with ms, s, m or h (e.g. 30s, 10m)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = value * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  if (!(ms > 0)) throw new FleetArgumentError(`${flag} must be more than 0`);
  return Math.round(ms);
}

/** "2/4" = the second of four shards (1-based). */
export function parseShard(text: string): { index: number; of: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const of = Number(match?.[2]);
  if (!match || index < 1 || of < 1 || index > of) throw new FleetArgumentError(`--shard "${text}": use i/n with 1 <= i <= n (e.g. 1/4)`);
  return { index, of };
}

export function parseNumber(text: string | undefined, flag: string, { min = 0, integer = false }: { min?: number; integer?: boolean } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new FleetArgumentError(`${flag} "${text}": expected ${integer ? 'an integer' : 'a number'} >= ${min}`);
  }
  return value;
}

export function parseTransport(text: string | undefined): TransportKind {
  const value = text ?? 'mqtt';
  if (!(TRANSPORT_KINDS as readonly string[]).includes(value)) throw new FleetArgumentError(`--transport "${value}": use mqtt, crt or lite`);
  return value as TransportKind;
}

export function parseProtocol(text: string | undefined, transport: TransportKind, target: string): 4 | 5 {
  if (text === undefined) return target === 'aws' && transport === 'crt' ? 5 : 4;
  if (text === '3.1.1' || text === '4') return 4;
  if (text === '5') return 5;
  throw new FleetArgumentError(`--mqtt "${text}": use 3.1.1 or 5`);
}

/** A sampling interval: a duration ("1s", "500ms", "2m") or, as before, a plain number of milliseconds. */
export function parseInterval(text: string | undefined, flag = '--interval', minMs = 100): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\s*\d+\s*$/.test(text) ? Number(text) : parseDuration(text, flag);
  if (!(ms >= minMs)) throw new FleetArgumentError(`${flag} "${text}": use at least ${minMs} ms (e.g. 1s, 500ms, or 1000 for milliseconds)`);
  return ms;
}
