/** The bedside vitals model: pure, seeded, scenario-driven. See README.md for the scenarios. */
export { SCENARIOS, SCENARIO_DEFINITIONS, isScenarioName, type ScenarioName } from './scenarios.ts';
export type { PatientProfile, Baselines } from './profile.ts';
export {
  createPatientModel, type PatientModel, type PatientModelOptions, type Measurement, type GroundTruth,
} from './model.ts';
export { PATIENT_SNAPSHOT_VERSION, type PatientSnapshot, type ArtefactSnapshot } from './snapshot.ts';
export { parseScenarioMix, assignScenario, type ScenarioShare } from './mix.ts';
export { createRng, deriveSeed, restoreRng, type Rng, type RngState } from './rng.ts';
export { buildVitalsMessage, type MessageIdentity } from './message.ts';
export { VitalsModelError, ScenarioMixError, ModelOptionError, ModelSnapshotError, type SnapshotRefusal } from './errors.ts';
