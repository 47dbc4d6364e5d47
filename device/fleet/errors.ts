/** Errors of the fleet runner and the monitor CLI: what is wrong and the command that fixes it. */
export class FleetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A flag is missing, malformed or out of range. */
export class FleetArgumentError extends FleetError {}

/** Certificates or the endpoint file are missing. */
export class MissingCredentialsError extends FleetError {}

/** The thing asked for is not in the registry. */
export class UnknownThingError extends FleetError {}

/** No monitor could connect within the bounded wait. */
export class EndpointUnreachableError extends FleetError {}

/** Another process on this machine runs (some of) the same things. */
export class ThingsInUseError extends FleetError {}

/** A worker process kept dying and was not restarted again. */
export class WorkerCrashLoopError extends FleetError {}
