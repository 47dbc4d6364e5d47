/** Errors of AWS IoT provisioning: one base class, named subclasses, the original kept as `cause`. */
export class ProvisioningError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The manifest on disk cannot be read back, or belongs to another region or prefix. */
export class ManifestError extends ProvisioningError {}

/** An AWS IoT call failed for good (not throttling, or throttled past the retry budget). */
export class IotCallError extends ProvisioningError {}

/** Bad command-line input. */
export class UsageError extends ProvisioningError {}

/** The CDK stack's shared IoT resources are missing in the region (not deployed, or another region or prefix). */
export class StackMissingError extends ProvisioningError {}
