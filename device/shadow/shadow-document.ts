/**
 * The classic device shadow of a bedside monitor (pure): what it reports, and which desired changes it
 * accepts. Only two settings are writable from the cloud: the sampling interval and the scenario.
 */
import { SCENARIOS, isScenarioName, type ScenarioName } from '../vitals/index.ts';

export interface ReportedState {
  firmware: string;
  battery_pct: number;
  interval_ms: number;
  scenario: ScenarioName;
  /**
   * Simulated time per wall-clock time (1 = real time). At 60, a wall-clock minute is an hour of the
   * patient's physiology while timestamps stay wall-clock: dashboards say so wherever they show time.
   */
  speed: number;
}

export interface DesiredChanges {
  interval_ms?: number;
  scenario?: ScenarioName;
}

/** Sampling interval bounds: 10 Hz at most (a bedside monitor), one sample an hour at least. */
export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 3_600_000;

export function reportedDocument(state: ReportedState): string {
  return JSON.stringify({ state: { reported: state } });
}

/**
 * Reads the desired settings out of a delta (`{state: {...}}`) or get/accepted (`{state: {desired}}`)
 * document. Invalid values are listed in `rejected` (with why) and left out of `changes`.
 */
export function parseDesired(payload: Buffer | string, kind: 'delta' | 'get'): { changes: DesiredChanges; rejected: string[] } {
  const rejected: string[] = [];
  const changes: DesiredChanges = {};
  let document: unknown;
  try {
    document = JSON.parse(payload.toString());
  } catch {
    return { changes, rejected: ['shadow document is not JSON'] };
  }
  const state = (document as { state?: unknown } | null)?.state;
  const source = kind === 'delta' ? state : (state as { desired?: unknown } | undefined)?.desired;
  if (typeof source !== 'object' || source === null) return { changes, rejected };
  const desired = source as Record<string, unknown>;
  if ('interval_ms' in desired) {
    const value = desired.interval_ms;
    if (typeof value === 'number' && Number.isInteger(value) && value >= MIN_INTERVAL_MS && value <= MAX_INTERVAL_MS) changes.interval_ms = value;
    else rejected.push(`interval_ms must be an integer from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS} (got ${JSON.stringify(value)})`);
  }
  if ('scenario' in desired) {
    const value = desired.scenario;
    if (typeof value === 'string' && isScenarioName(value)) changes.scenario = value;
    else rejected.push(`scenario must be one of ${SCENARIOS.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return { changes, rejected };
}
