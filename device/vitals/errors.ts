/** Errors of the vitals model: one base class, named subclasses, the original kept as `cause`. */

export class VitalsModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A `--scenario-mix` text (e.g. "stable:70,sepsis:10") that cannot be used. */
export class ScenarioMixError extends VitalsModelError {}

/** An option of createPatientModel that is out of range (seed, speed, start time, scenario). */
export class ModelOptionError extends VitalsModelError {}

export type SnapshotRefusal = 'version' | 'seed' | 'scenario' | 'patient' | 'thing' | 'malformed';

/**
 * A snapshot that cannot resume this patient: another format version, another seed or assigned scenario,
 * a patient the model now draws differently, another monitor, or a damaged document. The caller starts
 * the patient fresh instead (and may log `reason`).
 */
export class ModelSnapshotError extends VitalsModelError {
  constructor(readonly reason: SnapshotRefusal, message: string, options?: ErrorOptions) {
    super(`${message}; start the patient fresh instead`, options);
  }
}
