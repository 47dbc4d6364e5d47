/**
 * One reading of `vitals` as FHIR R4 Observations (pure): one per measurement, conforming to the
 * vital-signs profile, with the cuff pressures as one blood pressure panel, and the NEWS2 total as an
 * Observation of its own derived from them. Codes, units and displays come from the measurement registry.
 */
import { FHIR_PANELS, MEASUREMENT_FIELDS, MEASUREMENTS, type FhirPanelName, type Measurement, type MeasurementField } from '../../device/contract/measurements.ts';
import { QUALITY_FLAGS, type QualityFlag } from '../../device/contract/vitals-v1.ts';
import {
  DATA_ABSENT_BY_FLAG, DATA_ABSENT_UNKNOWN, NEWS2_TOTAL_CODING, OXYGEN_THERAPY_CODING, SURVEY_CATEGORY, SYSTEMS,
  VITAL_SIGNS_CATEGORY, VITAL_SIGNS_PROFILE, profileUrl,
} from './codes.ts';
import { deviceId, observationId, patientId } from './ids.ts';
import type { CodeableConcept, Coding, Observation, ObservationComponent, ObservationValue, Reference } from './types.ts';
import type { VitalsRow } from './vitals-row.ts';

/** What the Observations of one reading share. */
interface ReadingContext {
  readonly row: VitalsRow;
  readonly flags: readonly QualityFlag[];
  readonly subject: Reference;
  readonly device: Reference;
}

/** An Observation of the reading: a vital sign (the measurement's own or a panel) or the NEWS2 total. */
export type ObservationKey = MeasurementField | FhirPanelName | 'news2_total';

/** The measurements written as Observations of their own, and the panels, in registry order. */
/** A measurement's registry entry, widened from its literal type. */
const entry = (field: MeasurementField): Measurement => MEASUREMENTS[field];

export const OBSERVATION_KEYS: readonly ObservationKey[] = [
  ...new Set(MEASUREMENT_FIELDS.map((field) => entry(field).fhir.panel ?? field)),
  'news2_total',
];

export function parseFlags(text: string | null): QualityFlag[] {
  if (text === null || text === '') return [];
  return text.split(',').filter((flag): flag is QualityFlag => (QUALITY_FLAGS as readonly string[]).includes(flag));
}

function fieldCode(field: MeasurementField): CodeableConcept {
  const { loinc, label, fhir } = entry(field);
  const profile = fhir.profile;
  const codings: Coding[] = [{ system: SYSTEMS.loinc, code: loinc, display: fhir.display }];
  // The profile's own code (oxygensat asks for 2708-6) beside the more specific one the registry names.
  if (profile?.loinc !== undefined) codings.unshift({ system: SYSTEMS.loinc, code: profile.loinc, display: profile.display ?? fhir.display });
  return { coding: codings, text: label };
}

/** The value of a measurement, why it is missing, or undefined when the monitor does not measure it. */
function measuredValue(field: MeasurementField, { row, flags }: ReadingContext): ObservationValue | undefined {
  const value = row[field];
  const { ucum, unit, nulledBy, optional } = entry(field);
  if (value !== null) return { valueQuantity: { value, unit, system: SYSTEMS.ucum, code: ucum } };
  // A null optional measurement is left out: the lake cannot tell a monitor that does not have it (the
  // field not sent) from one whose reading failed, and a dataAbsentReason would claim a measurement.
  if (optional) return undefined;
  const flag = flags.find((f) => nulledBy.includes(f));
  const reason = flag === undefined ? DATA_ABSENT_UNKNOWN : DATA_ABSENT_BY_FLAG[flag];
  return { dataAbsentReason: { coding: [{ system: SYSTEMS.dataAbsentReason, ...reason }], text: flag ?? 'no value and no quality flag' } };
}

/** A note naming the flags that concern a value kept as measured (a motion artefact, say). */
function flagNote(fields: readonly MeasurementField[], { row, flags }: ReadingContext): { note?: { text: string }[] } {
  const concerning = flags.filter((flag) => fields.some((field) => row[field] !== null && entry(field).nulledBy.includes(flag)));
  return concerning.length === 0 ? {} : { note: [{ text: `Quality flags from the monitor: ${concerning.join(', ')}` }] };
}

function vitalSign(key: string, code: CodeableConcept, profiles: readonly string[], context: ReadingContext): Omit<Observation, 'valueQuantity' | 'dataAbsentReason' | 'component'> {
  const { row, subject, device } = context;
  return {
    resourceType: 'Observation',
    id: observationId(row.device_id, row.seq, key),
    meta: { profile: [VITAL_SIGNS_PROFILE, ...profiles] },
    status: 'final',
    category: [VITAL_SIGNS_CATEGORY],
    code,
    subject,
    effectiveDateTime: row.measured_at,
    issued: row.ingested_at,
    device,
  };
}

function measurementObservation(field: MeasurementField, context: ReadingContext): Observation | undefined {
  const value = measuredValue(field, context);
  if (value === undefined) return undefined;
  const { loinc, fhir: { profile } } = entry(field);
  const components = field === 'spo2' ? oxygenComponent(context) : {};
  return { ...vitalSign(loinc, fieldCode(field), profile ? [profileUrl(profile.name)] : [], context), ...flagNote([field], context), ...value, ...components } as Observation;
}

/** Whether the patient was on supplemental oxygen when the SpO2 was taken (NEWS2 scores SpO2 by it). */
function oxygenComponent({ row }: ReadingContext): { component?: ObservationComponent[] } {
  if (row.on_oxygen === null) return {};
  return { component: [{ code: { coding: [OXYGEN_THERAPY_CODING], text: 'Supplemental oxygen' }, valueBoolean: row.on_oxygen }] };
}

function panelObservation(panel: FhirPanelName, context: ReadingContext): Observation {
  const { loinc, display, label, profile } = FHIR_PANELS[panel];
  const fields = MEASUREMENT_FIELDS.filter((field) => entry(field).fhir.panel === panel);
  const component = fields.flatMap((field): ObservationComponent[] => {
    const value = measuredValue(field, context);
    return value === undefined ? [] : [{ code: fieldCode(field), ...value }];
  });
  const code = { coding: [{ system: SYSTEMS.loinc, code: loinc, display }], text: label };
  return { ...vitalSign(loinc, code, [profileUrl(profile)], context), ...flagNote(fields, context), component } as Observation;
}

function news2Observation(vitals: readonly Observation[], { row, subject, device }: ReadingContext): Observation {
  const missing = row.news2_complete || row.news2_missing === null ? [] : [{ text: `Scored without: ${row.news2_missing.replaceAll(',', ', ')}` }];
  return {
    resourceType: 'Observation',
    id: observationId(row.device_id, row.seq, NEWS2_TOTAL_CODING.code),
    status: 'final',
    category: [SURVEY_CATEGORY],
    code: { coding: [NEWS2_TOTAL_CODING], text: 'NEWS2 total' },
    subject,
    effectiveDateTime: row.measured_at,
    issued: row.ingested_at,
    device,
    valueInteger: row.news2_total,
    interpretation: [{ text: `NEWS2 clinical risk: ${row.news2_band}` }],
    ...(missing.length > 0 ? { note: missing } : {}),
    derivedFrom: vitals.map((observation) => ({ reference: `Observation/${observation.id}` })),
  };
}

/** The Observations of one reading, in OBSERVATION_KEYS order. */
export function readingObservations(row: VitalsRow): Observation[] {
  const context: ReadingContext = {
    row,
    flags: parseFlags(row.quality_flags),
    subject: { reference: `Patient/${patientId(row.patient_key)}` },
    device: { reference: `Device/${deviceId(row.device_id)}`, display: row.device_id },
  };
  const vitals = OBSERVATION_KEYS.flatMap((key): Observation[] => {
    if (key === 'news2_total') return [];
    const observation = key in FHIR_PANELS ? panelObservation(key as FhirPanelName, context) : measurementObservation(key as MeasurementField, context);
    return observation === undefined ? [] : [observation];
  });
  return [...vitals, news2Observation(vitals, context)];
}
