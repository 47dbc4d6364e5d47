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

/** The outbox on disk was written by a differently laid out fleet. */
export class OutboxLayoutError extends FleetError {}
