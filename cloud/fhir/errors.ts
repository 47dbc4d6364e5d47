/** Errors of the FHIR export, each saying what to do next. */
export class FhirExportError extends Error {
  override name = 'FhirExportError';
}

/** The window (and ward) holds no reading: nothing to export. */
export class NoReadingsError extends FhirExportError {
  override name = 'NoReadingsError';
  constructor(readonly window: string) {
    super(`no readings in vitals for ${window}. Check --from/--to (UTC) and --ward against the lake, e.g. npm run query -- "SELECT ward, min(measured_at), max(measured_at) FROM vitals GROUP BY ward"`);
  }
}
