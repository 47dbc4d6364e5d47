/**
 * The terminology the FHIR export uses beyond the measurement registry: code systems, the vital-signs
 * category and profiles, the NEWS2 code, identifier systems and the quality flag -> dataAbsentReason map.
 */
import type { QualityFlag } from '../../device/contract/vitals-v1.ts';
import type { CodeableConcept, Coding } from './types.ts';

export const SYSTEMS = {
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  snomed: 'http://snomed.info/sct',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  dataAbsentReason: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
  /** Our identifier systems: the monitor's thing name, and the patient's keyed pseudonym (never the id). */
  thingName: 'urn:healthcare-realtime-datalake:thing-name',
  patientKey: 'urn:healthcare-realtime-datalake:patient-key',
} as const;

/** The base vital-signs profile, and a specific one (heartrate, oxygensat, bp, ...) by name. */
export const VITAL_SIGNS_PROFILE = 'http://hl7.org/fhir/StructureDefinition/vitalsigns';
export const profileUrl = (name: string): string => `http://hl7.org/fhir/StructureDefinition/${name}`;

export const VITAL_SIGNS_CATEGORY: CodeableConcept = {
  coding: [{ system: SYSTEMS.observationCategory, code: 'vital-signs', display: 'Vital Signs' }],
  text: 'Vital Signs',
};

/** NEWS2 is an assessment score, not a vital sign: category survey, and no vital-signs profile. */
export const SURVEY_CATEGORY: CodeableConcept = {
  coding: [{ system: SYSTEMS.observationCategory, code: 'survey', display: 'Survey' }],
  text: 'Survey',
};

/**
 * The NEWS2 total: SNOMED CT 1104051000000101 (UK edition), the code NHS England's UK Core FHIR profiles and
 * the NEWS2 record standard use. LOINC has no code for NEWS2 itself, only for other early warning scores.
 */
export const NEWS2_TOTAL_CODING: Coding = {
  system: SYSTEMS.snomed,
  code: '1104051000000101',
  display: 'Royal College of Physicians National Early Warning Score 2 - total score',
};

/** The supplemental-oxygen context of an SpO2 reading: SNOMED CT 57485005 |Oxygen therapy (procedure)|. */
export const OXYGEN_THERAPY_CODING: Coding = { system: SYSTEMS.snomed, code: '57485005', display: 'Oxygen therapy' };

/**
 * Why a measurement is null, from the quality flag that explains it: the probe off or a reading not taken is
 * `not-performed`; a sensor, cuff or perfusion problem is `error` (a measurement was attempted and failed).
 */
export const DATA_ABSENT_BY_FLAG: Readonly<Record<QualityFlag, { code: string; display: string }>> = {
  spo2_probe_off: { code: 'not-performed', display: 'Not Performed' },
  not_measured: { code: 'not-performed', display: 'Not Performed' },
  motion_artefact: { code: 'error', display: 'Error' },
  sensor_dropout: { code: 'error', display: 'Error' },
  bp_cuff_error: { code: 'error', display: 'Error' },
  low_perfusion: { code: 'error', display: 'Error' },
};

/** A null with no flag to explain it (a legacy reading, say). */
export const DATA_ABSENT_UNKNOWN = { code: 'unknown', display: 'Unknown' } as const;
