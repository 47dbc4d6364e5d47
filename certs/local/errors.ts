/** Errors of the local identity tooling: one base class, named subclasses, the original kept as `cause`. */
export class CertsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A thing name that is not in the local registry (e.g. `--revoke` of a device never issued). */
export class UnknownThingError extends CertsError {}

/** Files on disk that cannot be read back (hand-edited, truncated, or from an incompatible version). */
export class CorruptCertsDirError extends CertsError {}

/** Another process holds the registry lock for longer than we are willing to wait. */
export class RegistryLockTimeoutError extends CertsError {}
