/** Errors of the ETL runtime. Bad records are not errors (they are quarantined with reason codes). */
export class EtlError extends Error {
  override name = 'EtlError';
}

/** The Lambda's environment is missing or malformed: names the variable and what to set. */
export class EtlConfigError extends EtlError {
  override name = 'EtlConfigError';
  constructor(readonly variable: string, problem: string, options?: ErrorOptions) {
    super(`${variable} ${problem}`, options);
  }
}
