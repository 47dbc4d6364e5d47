/**
 * Device shadow reported state as the dashboard needs it: AWS merge semantics (nested objects merge, a
 * null deletes the key) and the few fields the pages show, whichever spelling the monitor reports.
 */
import type { ShadowReported, ShadowValue } from './feed-types.ts';

function isObject(value: unknown): value is Record<string, ShadowValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges a reported update into the current state as AWS IoT does: objects merge, null deletes. */
export function mergeReported(current: ShadowReported, update: Readonly<Record<string, unknown>>): ShadowReported {
  const next: Record<string, ShadowValue> = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) {
      delete next[key];
    } else if (isObject(value) && isObject(next[key])) {
      next[key] = mergeReported(next[key] as ShadowReported, value) as Record<string, ShadowValue>;
    } else if (isShadowValue(value)) {
      next[key] = value;
    }
  }
  return next;
}

function isShadowValue(value: unknown): value is ShadowValue {
  if (value === null) return true;
  switch (typeof value) {
    case 'string': case 'boolean': return true;
    case 'number': return Number.isFinite(value);
    case 'object': return Array.isArray(value) ? value.every(isShadowValue) : Object.values(value).every(isShadowValue);
    default: return false;
  }
}

function pick(reported: ShadowReported, names: readonly string[]): ShadowValue | undefined {
  for (const name of names) if (reported[name] !== undefined) return reported[name];
  return undefined;
}

export function reportedFirmware(reported: ShadowReported): string | null {
  const value = pick(reported, ['firmware', 'firmware_version', 'firmwareVersion']);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/** Simulated time per wall-clock time the monitor runs at (1 = real time); null when it does not say. */
export function reportedSpeed(reported: ShadowReported): number | null {
  const value = reported.speed;
  return typeof value === 'number' && value > 0 ? value : null;
}

export function reportedBattery(reported: ShadowReported): number | null {
  const value = pick(reported, ['battery_pct', 'battery', 'batteryPct']);
  return typeof value === 'number' ? value : null;
}

/** The scenario label (ground truth): a string, or an object with a name/kind/id. */
export function reportedScenario(reported: ShadowReported): string | null {
  const value = pick(reported, ['scenario']);
  if (typeof value === 'string') return value;
  if (isObject(value)) {
    const label = pick(value, ['name', 'kind', 'id', 'type']);
    if (typeof label === 'string') return label;
    return JSON.stringify(value);
  }
  return null;
}

/** Reads the `state.reported` object out of a shadow response document, if there is one. */
export function reportedOf(document: unknown): Record<string, unknown> | undefined {
  if (!isObject(document)) return undefined;
  const state = document.state;
  if (!isObject(state)) return undefined;
  return isObject(state.reported) ? state.reported : undefined;
}
