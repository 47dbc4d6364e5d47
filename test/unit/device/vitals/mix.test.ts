import { describe, expect, it } from 'vitest';
import { assignScenario, parseScenarioMix, ScenarioMixError } from '../../../../device/vitals/index.ts';

describe('parseScenarioMix', () => {
  it('parses names with weights, and a bare name as weight 1', () => {
    expect(parseScenarioMix('stable:70, sepsis:10,haemorrhage : 2.5,recovery')).toEqual([
      { scenario: 'stable', weight: 70 },
      { scenario: 'sepsis', weight: 10 },
      { scenario: 'haemorrhage', weight: 2.5 },
      { scenario: 'recovery', weight: 1 },
    ]);
  });

  it.each([
    ['', /empty/],
    ['stable:70,flu:5', /unknown scenario "flu".*stable, sepsis/],
    ['stable:-1', /must be a number >= 0/],
    ['stable:abc', /must be a number >= 0/],
    ['stable:', /must be a number >= 0/],
    ['stable:1,stable:2', /appears twice/],
    ['stable:0,sepsis:0', /every weight in the mix is 0/],
    ['stable:1:2', /not a scenario entry/],
  ])('rejects %j with a ScenarioMixError that says what to fix', (text, message) => {
    expect(() => parseScenarioMix(text)).toThrow(ScenarioMixError);
    expect(() => parseScenarioMix(text)).toThrow(message);
  });
});

describe('assignScenario', () => {
  const mix = parseScenarioMix('stable:70,sepsis:10,respiratory_failure:10,haemorrhage:10');

  it('is deterministic per device index and seed', () => {
    const first = Array.from({ length: 50 }, (_, i) => assignScenario(mix, i, 7));
    const again = Array.from({ length: 50 }, (_, i) => assignScenario(mix, i, 7));
    const otherSeed = Array.from({ length: 50 }, (_, i) => assignScenario(mix, i, 8));
    expect(again).toEqual(first);
    expect(otherSeed).not.toEqual(first);
  });

  it('follows the mix proportions closely, even for a small fleet', () => {
    for (const fleet of [10, 100, 10_000]) {
      const counts = new Map<string, number>();
      for (let i = 0; i < fleet; i++) {
        const scenario = assignScenario(mix, i, 3);
        counts.set(scenario, (counts.get(scenario) ?? 0) + 1);
      }
      expect(Math.abs((counts.get('stable') ?? 0) - 0.7 * fleet)).toBeLessThanOrEqual(Math.max(1, 0.01 * fleet));
      expect(Math.abs((counts.get('sepsis') ?? 0) - 0.1 * fleet)).toBeLessThanOrEqual(Math.max(1, 0.01 * fleet));
    }
  });

  it('never assigns a scenario of weight 0 and rejects a bad index', () => {
    const onlySepsis = parseScenarioMix('stable:0,sepsis:1');
    for (let i = 0; i < 100; i++) expect(assignScenario(onlySepsis, i, 1)).toBe('sepsis');
    expect(() => assignScenario(mix, -1, 1)).toThrow(RangeError);
  });
});
