import { describe, expect, it } from 'vitest';
import { parseDesired, reportedDocument } from '../../../../device/shadow/index.ts';

describe('shadow documents', () => {
  it('reports firmware, battery, interval, scenario and simulated speed under state.reported', () => {
    const doc = JSON.parse(reportedDocument({ firmware: '1.4.2', battery_pct: 87, interval_ms: 1_000, scenario: 'stable', speed: 60 })) as unknown;
    expect(doc).toEqual({ state: { reported: { firmware: '1.4.2', battery_pct: 87, interval_ms: 1_000, scenario: 'stable', speed: 60 } } });
  });

  it('accepts a valid interval and scenario from a delta', () => {
    const delta = JSON.stringify({ version: 4, timestamp: 1, state: { interval_ms: 500, scenario: 'sepsis' } });
    expect(parseDesired(delta, 'delta')).toEqual({ changes: { interval_ms: 500, scenario: 'sepsis' }, rejected: [] });
  });

  it('reads desired settings from a get/accepted document, ignoring reported ones', () => {
    const doc = JSON.stringify({ state: { desired: { interval_ms: 2_000 }, reported: { interval_ms: 1_000 } } });
    expect(parseDesired(Buffer.from(doc), 'get').changes).toEqual({ interval_ms: 2_000 });
  });

  it('rejects out-of-range intervals, unknown scenarios and non-JSON with a reason', () => {
    const { changes, rejected } = parseDesired(JSON.stringify({ state: { interval_ms: 5, scenario: 'zombie' } }), 'delta');
    expect(changes).toEqual({});
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toMatch(/interval_ms/);
    expect(rejected[1]).toMatch(/scenario must be one of/);
    expect(parseDesired('{nope', 'delta').rejected).toEqual(['shadow document is not JSON']);
  });
});
