import { describe, expect, it } from 'vitest';
import { MEASUREMENTS } from '../../../../device/contract/measurements.ts';
import { OBSERVATION_KEYS, readingObservations } from '../../../../cloud/fhir/observations.ts';
import type { Observation } from '../../../../cloud/fhir/types.ts';
import { monitorDevice, pseudonymousPatient } from '../../../../cloud/fhir/resources.ts';
import { fhirR4Errors } from '../../../support/fhir-r4-schema.ts';
import { vitalSignsProfileErrors } from '../../../support/vital-signs-profile.ts';
import { vitalsRowOf } from './vitals-rows.ts';

const MESSAGE = {
  schema: 'vitals/1', device_id: 'bedside-007', patient_id: 'MRN-000123', seq: 42, timestamp: '2026-01-01T08:00:05.000Z',
  heart_rate: 88, spo2: 95, respiratory_rate: 18, systolic_bp: 118, diastolic_bp: 76, temperature_c: 37.4, map_mmhg: 90,
  on_oxygen: true, spo2_scale: 1, ward: 'ward-3', bed: 'bed-2', consciousness: 'A', battery_pct: 80,
};

const codeOf = (observation: Observation) => observation.code.coding?.map((c) => c.code) ?? [];
const byLoinc = (observations: Observation[], loinc: string) => observations.find((o) => codeOf(o).includes(loinc))!;

describe('readingObservations', () => {
  const observations = readingObservations(vitalsRowOf(MESSAGE));

  it('writes one Observation per measurement, the cuff pressures as one panel, and the NEWS2 total', () => {
    expect(observations.map((o) => codeOf(o).at(-1))).toEqual(['8867-4', '59408-5', '9279-1', '85354-9', '8310-5', '1104051000000101']);
    expect(OBSERVATION_KEYS).toEqual(['heart_rate', 'spo2', 'respiratory_rate', 'blood_pressure', 'temperature_c', 'news2_total']);
  });

  it('codes each vital sign with the registry LOINC and UCUM unit, category vital-signs, status final', () => {
    const heartRate = byLoinc(observations, MEASUREMENTS.heart_rate.loinc);
    expect(heartRate).toMatchObject({
      status: 'final',
      category: [{ coding: [{ code: 'vital-signs' }] }],
      effectiveDateTime: '2026-01-01T08:00:05.000Z',
      valueQuantity: { value: 88, unit: 'bpm', system: 'http://unitsofmeasure.org', code: '/min' },
    });
    expect(byLoinc(observations, '8310-5')).toMatchObject({ valueQuantity: { value: 37.4, code: 'Cel' } });
  });

  it('writes blood pressure as one Observation, 85354-9, with systolic, diastolic and mean components', () => {
    const bp = byLoinc(observations, '85354-9');
    expect(bp.component?.map((c) => [c.code.coding?.[0]?.code, 'valueQuantity' in c ? c.valueQuantity.value : null])).toEqual([
      ['8480-6', 118], ['8462-4', 76], ['8478-0', 90],
    ]);
    expect('valueQuantity' in bp).toBe(false);
  });

  it('codes SpO2 as 59408-5 beside the oxygensat profile code 2708-6, with the supplemental oxygen as a component', () => {
    const spo2 = byLoinc(observations, '59408-5');
    expect(codeOf(spo2)).toEqual(['2708-6', '59408-5']);
    expect(spo2.component).toEqual([expect.objectContaining({ valueBoolean: true, code: expect.objectContaining({ text: 'Supplemental oxygen' }) })]);
  });

  it('writes the NEWS2 total as an integer derived from the vital signs of the reading', () => {
    const news2 = observations.at(-1)!;
    expect(news2).toMatchObject({ code: { coding: [{ system: 'http://snomed.info/sct', code: '1104051000000101' }] }, category: [{ coding: [{ code: 'survey' }] }] });
    expect('valueInteger' in news2 && news2.valueInteger).toBe(vitalsRowOf(MESSAGE).news2_total);
    expect(news2.derivedFrom).toEqual(observations.slice(0, -1).map((o) => ({ reference: `Observation/${o.id}` })));
  });

  it('refers to the patient by pseudonym and to the monitor, and gives ids derived from device, seq and code', () => {
    const row = vitalsRowOf(MESSAGE);
    for (const observation of observations) {
      expect(observation.subject.reference).toBe(`Patient/${pseudonymousPatient(row.patient_key).id}`);
      expect(observation.device.reference).toBe(`Device/${monitorDevice('bedside-007').id}`);
    }
    expect(readingObservations(vitalsRowOf(MESSAGE)).map((o) => o.id)).toEqual(observations.map((o) => o.id));
    expect(new Set(observations.map((o) => o.id)).size).toBe(observations.length);
    expect(readingObservations(vitalsRowOf({ ...MESSAGE, seq: 43 }))[0]!.id).not.toBe(observations[0]!.id);
    expect(JSON.stringify(observations)).not.toContain('MRN-000123');
  });

  it('validates against the FHIR R4 schema and the vital-signs profiles', () => {
    for (const observation of observations) expect(fhirR4Errors(observation)).toEqual([]);
    for (const observation of observations.slice(0, -1)) expect(vitalSignsProfileErrors(observation)).toEqual([]);
  });
});

describe('a measurement without a value', () => {
  it('becomes a dataAbsentReason from the quality flag that explains it', () => {
    const observations = readingObservations(vitalsRowOf({ ...MESSAGE, spo2: null, quality: ['spo2_probe_off'] }));
    const spo2 = byLoinc(observations, '59408-5');
    expect(spo2).toMatchObject({ dataAbsentReason: { coding: [{ code: 'not-performed' }], text: 'spo2_probe_off' } });
    expect('valueQuantity' in spo2).toBe(false);
    expect(vitalSignsProfileErrors(spo2)).toEqual([]);
  });

  it('becomes a component with a dataAbsentReason in the blood pressure panel after a cuff error', () => {
    const observations = readingObservations(vitalsRowOf({ ...MESSAGE, systolic_bp: null, diastolic_bp: null, map_mmhg: null, quality: ['bp_cuff_error'] }));
    const bp = byLoinc(observations, '85354-9');
    // The mean arterial pressure is optional: null, it is left out (a monitor without it looks the same).
    expect(bp.component?.map((c) => 'dataAbsentReason' in c && c.dataAbsentReason.coding?.[0]?.code)).toEqual(['error', 'error']);
    expect(fhirR4Errors(bp)).toEqual([]);
    expect(vitalSignsProfileErrors(bp)).toEqual([]);
  });

  it('leaves out the mean arterial pressure of a monitor that does not send it', () => {
    const { map_mmhg: _, ...withoutMap } = MESSAGE;
    const bp = byLoinc(readingObservations(vitalsRowOf(withoutMap)), '85354-9');
    expect(bp.component?.map((c) => c.code.coding?.[0]?.code)).toEqual(['8480-6', '8462-4']);
  });

  it('notes a flag on a value kept as measured, and the NEWS2 parameters missing from the score', () => {
    const observations = readingObservations(vitalsRowOf({ ...MESSAGE, heart_rate: 131, respiratory_rate: null, quality: ['motion_artefact'] }));
    expect(byLoinc(observations, '8867-4').note).toEqual([{ text: 'Quality flags from the monitor: motion_artefact' }]);
    expect(observations.at(-1)!.note?.[0]?.text).toMatch(/^Scored without: .*respiration/);
  });
});

describe('the validators the tests use', () => {
  it('reject an Observation with a misspelt element, no value and a unit outside UCUM', () => {
    const [heartRate] = readingObservations(vitalsRowOf(MESSAGE));
    const { valueQuantity: _, ...noValue } = heartRate as Observation & { valueQuantity: unknown };
    expect(fhirR4Errors({ ...heartRate, effectiveTime: '08:00' })).toEqual([expect.stringContaining('additional properties')]);
    expect(vitalSignsProfileErrors(noValue)).toEqual(['vs-2: no value and no dataAbsentReason']);
    expect(vitalSignsProfileErrors({ ...heartRate, valueQuantity: { value: 88, unit: 'bpm', system: 'http://unitsofmeasure.org', code: 'bpm' } })).toEqual(['value: unit bpm is not one of /min']);
  });
});

describe('Device and Patient', () => {
  it('identifies a monitor by its thing name and a patient by the pseudonym only', () => {
    const row = vitalsRowOf(MESSAGE);
    expect(monitorDevice('bedside-007')).toMatchObject({ identifier: [{ value: 'bedside-007' }] });
    expect(pseudonymousPatient(row.patient_key)).toEqual({
      resourceType: 'Patient', id: row.patient_key, identifier: [{ system: 'urn:healthcare-realtime-datalake:patient-key', value: row.patient_key }],
    });
    expect(fhirR4Errors(monitorDevice('bedside:007_a'))).toEqual([]);
    expect(fhirR4Errors(pseudonymousPatient(row.patient_key))).toEqual([]);
  });
});
