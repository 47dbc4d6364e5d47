/**
 * Scenario mixes for a fleet: "stable:70,sepsis:10,haemorrhage:5" (relative weights), and a deterministic
 * assignment of a scenario to each device index.
 */
import { ScenarioMixError } from './errors.ts';
import { deriveSeed } from './rng.ts';
import { isScenarioName, SCENARIOS, type ScenarioName } from './scenarios.ts';

export interface ScenarioShare {
  scenario: ScenarioName;
  weight: number;
}

/** Parses "name:weight,name:weight"; a name alone counts as weight 1. Throws ScenarioMixError saying what to fix. */
export function parseScenarioMix(text: string): ScenarioShare[] {
  const hint = `use "name:weight,..." with names from ${SCENARIOS.join(', ')} (e.g. "stable:70,sepsis:10")`;
  if (text.trim() === '') throw new ScenarioMixError(`the scenario mix is empty: ${hint}`);
  const mix: ScenarioShare[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    const match = /^([a-z_0-9]+)(?:\s*:\s*([^:]*))?$/.exec(item);
    if (!match) throw new ScenarioMixError(`"${item}" is not a scenario entry: ${hint}`);
    const name = match[1]!;
    if (!isScenarioName(name)) throw new ScenarioMixError(`unknown scenario "${name}": ${hint}`);
    if (mix.some((entry) => entry.scenario === name)) throw new ScenarioMixError(`scenario "${name}" appears twice in the mix`);
    const weightText = match[2]?.trim();
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (weightText === '' || !Number.isFinite(weight) || weight < 0) {
      throw new ScenarioMixError(`weight of "${name}" must be a number >= 0 (got "${weightText ?? ''}")`);
    }
    mix.push({ scenario: name, weight });
  }
  if (mix.every((entry) => entry.weight === 0)) throw new ScenarioMixError(`every weight in the mix is 0: ${hint}`);
  return mix;
}

/** 1/golden ratio: consecutive indexes spread evenly over [0, 1) (a low-discrepancy sequence). */
const INVERSE_GOLDEN = 0.6180339887498949;

/**
 * The scenario of device `index`: deterministic for (mix, index, seed), and close to the mix's
 * proportions even for a small fleet (a golden-ratio sequence, not independent draws, so 10 monitors
 * at "stable:70,sepsis:30" give 7 and 3, not whatever the dice say).
 */
export function assignScenario(mix: readonly ScenarioShare[], index: number, seed: number): ScenarioName {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`device index must be an integer >= 0 (got ${index})`);
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  if (!(total > 0)) throw new ScenarioMixError('the scenario mix has no positive weight');
  const offset = deriveSeed(seed, 0x5ce7a) / 4294967296;
  const position = ((offset + index * INVERSE_GOLDEN) % 1) * total;
  let cumulative = 0;
  for (const entry of mix) {
    cumulative += entry.weight;
    if (position < cumulative) return entry.scenario;
  }
  return mix.findLast((entry) => entry.weight > 0)!.scenario;
}
