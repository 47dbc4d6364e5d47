/**
 * A patient model's state as a small plain object (JSON-safe, well under 1 KB), so that a restarted monitor
 * carries on with the same patient instead of a fresh one at baseline. What is stored is what cannot be
 * derived again: the RNG's words, the noise, the clocks, the onset, the decaying residual of an earlier
 * scenario and the monitor's artefact episodes and battery. The patient's profile and traits are drawn
 * again from the seed (so the snapshot also carries a fingerprint of them, and a model whose code draws
 * patients differently refuses it). Numbers round-trip exactly through JSON, so a restored model repeats
 * the uninterrupted one bit for bit.
 */
import { ModelSnapshotError } from './errors.ts';
import type { PatientProfile } from './profile.ts';
import type { RngState } from './rng.ts';
import { EFFECT_KEYS, isScenarioName, type ScenarioName } from './scenarios.ts';

/** Bump when the state below, or what the model derives from the seed, changes meaning. */
export const PATIENT_SNAPSHOT_VERSION = 1;

/** The artefact episodes running at the snapshot (ends in simulated ms) and the battery. */
export interface ArtefactSnapshot {
  /** Battery charge, % (not rounded). */
  battery: number;
  charging: boolean;
  /** Set only while an SpO2 probe-off episode runs: its end. */
  probeOffUntil?: number;
  /** Set only while a motion episode runs: its end, and what it adds to heart rate and takes from SpO2. */
  motion?: { until: number; heartRate: number; spo2Drop: number };
  /** Set only while a sensor dropout runs: its end. */
  dropoutUntil?: number;
}

export interface PatientSnapshot {
  version: typeof PATIENT_SNAPSHOT_VERSION;
  seed: number;
  /** The scenario the patient was created with: the profile was drawn for it. */
  assigned: ScenarioName;
  /** The scenario now (setScenario may have changed it). */
  scenario: ScenarioName;
  /** Fingerprint of the patient's profile, checked against the one drawn again from the seed. */
  patient: string;
  /** True once a COPD scenario gave a patient without COPD the COPD baselines. */
  copd: boolean;
  rng: RngState;
  /** Ornstein-Uhlenbeck noise: heart rate, respiration, systolic, diastolic, SpO2, temperature. */
  noise: number[];
  clock: {
    /** Wall-clock ms the model was first started at: simulated time of day is originMs + simulated ms. */
    originMs: number;
    speed: number;
    /** Simulated ms at the clock's anchor, and wall ms from the anchor to the snapshot. */
    anchorSimMs: number;
    anchorAgeMs: number;
    /** Simulated ms the physiology was last advanced to (the last sample). */
    stateSimMs: number;
    /** Simulated ms of the cached circadian factor; null before the first sample. */
    circadianAtSimMs: number | null;
  };
  /** The labelled onset in simulated ms, and wall ms from it to the snapshot (negative: still to come). */
  onset: { simMs: number; ageMs: number } | null;
  /** Drivers of an earlier scenario still decaying (EFFECT_KEYS order); null once decayed. */
  residual: { factor: number; fromSimMs: number; effects: number[] } | null;
  artefacts: ArtefactSnapshot;
}

/** FNV-1a over the profile's JSON: cheap, and enough to notice a patient drawn differently. */
export function profileFingerprint(profile: PatientProfile): string {
  const text = JSON.stringify([profile.age, profile.sex, profile.conditions, profile.spo2Scale, profile.baselines]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const finiteArray = (value: unknown, length: number): boolean =>
  Array.isArray(value) && value.length === length && value.every(isFiniteNumber);

/**
 * Checks that `value` is a snapshot of the patient these options would create (same version, seed and
 * assigned scenario) and well formed; throws ModelSnapshotError saying which, so the caller starts fresh.
 */
export function checkSnapshot(value: unknown, expected: { seed: number; scenario: ScenarioName }): PatientSnapshot {
  const malformed = (what: string): never => {
    throw new ModelSnapshotError('malformed', `the patient snapshot is malformed: ${what}`);
  };
  if (!isObject(value)) return malformed('not an object');
  if (value.version !== PATIENT_SNAPSHOT_VERSION) {
    throw new ModelSnapshotError('version', `the patient snapshot is version ${JSON.stringify(value.version)}; this model reads version ${PATIENT_SNAPSHOT_VERSION} only`);
  }
  if (value.seed !== expected.seed) {
    throw new ModelSnapshotError('seed', `the patient snapshot is of seed ${JSON.stringify(value.seed)}, not ${expected.seed}: another patient`);
  }
  if (value.assigned !== expected.scenario) {
    throw new ModelSnapshotError('scenario', `the patient snapshot was created for scenario ${JSON.stringify(value.assigned)}, not "${expected.scenario}"`);
  }
  if (typeof value.scenario !== 'string' || !isScenarioName(value.scenario)) malformed(`unknown scenario ${JSON.stringify(value.scenario)}`);
  if (typeof value.patient !== 'string' || typeof value.copd !== 'boolean') malformed('patient or copd missing');
  if (!isObject(value.rng) || !finiteArray(value.rng.words, 4) || !(value.rng.spare === undefined || isFiniteNumber(value.rng.spare))) malformed('rng');
  if (!finiteArray(value.noise, 6)) malformed('noise needs six numbers');
  const clock = value.clock;
  if (!isObject(clock) || !isFiniteNumber(clock.originMs) || !isFiniteNumber(clock.anchorSimMs) || !isFiniteNumber(clock.anchorAgeMs)
    || !isFiniteNumber(clock.stateSimMs) || !(clock.circadianAtSimMs === null || isFiniteNumber(clock.circadianAtSimMs))
    || !(isFiniteNumber(clock.speed) && clock.speed > 0)) malformed('clock');
  const onset = value.onset;
  if (!(onset === null || (isObject(onset) && isFiniteNumber(onset.simMs) && isFiniteNumber(onset.ageMs)))) malformed('onset');
  const residual = value.residual;
  if (!(residual === null || (isObject(residual) && isFiniteNumber(residual.factor) && isFiniteNumber(residual.fromSimMs)
    && finiteArray(residual.effects, EFFECT_KEYS.length)))) malformed('residual');
  const artefacts = value.artefacts;
  if (!isObject(artefacts) || !isFiniteNumber(artefacts.battery) || typeof artefacts.charging !== 'boolean'
    || !(artefacts.probeOffUntil === undefined || isFiniteNumber(artefacts.probeOffUntil))
    || !(artefacts.dropoutUntil === undefined || isFiniteNumber(artefacts.dropoutUntil))
    || !(artefacts.motion === undefined || (isObject(artefacts.motion) && isFiniteNumber(artefacts.motion.until)
      && isFiniteNumber(artefacts.motion.heartRate) && isFiniteNumber(artefacts.motion.spo2Drop)))) malformed('artefacts');
  return value as unknown as PatientSnapshot;
}
