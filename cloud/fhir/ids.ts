/**
 * Deterministic resource ids: the same reading exported twice gives the same ids, so a re-export (or a
 * HealthLake import of it) overwrites instead of duplicating. FHIR ids are [A-Za-z0-9.-]{1,64}, which a
 * thing name ([a-zA-Z0-9:_-]{1,128}) need not be, hence a hash.
 */
import { createHash } from 'node:crypto';

function hashId(kind: string, ...parts: readonly (string | number)[]): string {
  return createHash('sha256').update([kind, ...parts].join('\n')).digest('hex').slice(0, 40);
}

/** One Observation per reading (device_id, seq) and code. */
export const observationId = (deviceId: string, seq: number, code: string): string => hashId('Observation', deviceId, seq, code);

export const deviceId = (thingName: string): string => hashId('Device', thingName);

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** The ETL's patient_key (64 hex digits) is itself a valid FHIR id; any other pseudonym is hashed. */
export const patientId = (patientKey: string): string => (FHIR_ID.test(patientKey) ? patientKey : hashId('Patient', patientKey));
