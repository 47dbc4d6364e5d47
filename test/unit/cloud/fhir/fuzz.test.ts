import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEASUREMENT_FIELDS, MEASUREMENTS } from '../../../../device/contract/measurements.ts';
import { QUALITY_FLAGS } from '../../../../device/contract/vitals-v1.ts';
import { SCENARIOS, buildVitalsMessage, createPatientModel } from '../../../../device/vitals/index.ts';
import { readingObservations } from '../../../../cloud/fhir/observations.ts';
import { fhirR4Errors } from '../../../support/fhir-r4-schema.ts';
import { vitalSignsProfileErrors } from '../../../support/vital-signs-profile.ts';
import { vitalsRowOf } from './vitals-rows.ts';

const START = Date.UTC(2026, 0, 1, 8);

/** A model reading of any scenario at any point of its course, with any quality flags the monitor may raise. */
const reading = fc.record({
  scenario: fc.constantFrom(...SCENARIOS),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  minutes: fc.integer({ min: 0, max: 12 * 60 }),
  flags: fc.subarray([...QUALITY_FLAGS]),
  nullFlagged: fc.boolean(),
  withoutMap: fc.boolean(),
  seq: fc.integer({ min: 0, max: 2 ** 40 }),
});

type Reading = typeof reading extends fc.Arbitrary<infer T> ? T : never;

function messageOf({ scenario, seed, minutes, flags, nullFlagged, withoutMap, seq }: Reading) {
  // 60x speed: `minutes` of wall clock are hours of the scenario's course.
  const model = createPatientModel({ seed, scenario, startMs: START, speed: 60 });
  const at = START + minutes * 1_000;
  const measured = model.sample(at);
  const quality = [...new Set([...(measured.quality ?? []), ...flags])];
  // A flag either nulls the measurements it explains or flags them as measured (both are in the contract).
  const nulled = nullFlagged ? MEASUREMENT_FIELDS.filter((field) => MEASUREMENTS[field].nulledBy.some((flag) => flags.includes(flag as never))) : [];
  const m = { ...measured, ...Object.fromEntries(nulled.map((field) => [field, null])), quality: quality.length > 0 ? quality : undefined };
  if (withoutMap) delete (m as { map_mmhg?: number | null }).map_mmhg;
  return buildVitalsMessage(m, { device_id: `bedside-${seed % 50}`, patient_id: `MRN-${seed}`, ward: 'ward-1', bed: 'bed-1', seq, timestamp: new Date(at).toISOString() });
}

describe('the FHIR mapping over the vitals model', () => {
  it('gives valid FHIR R4 and vital-signs Observations for every scenario and quality flag', () => {
    const seenFlags = new Set<string>();
    const seenScenarios = new Set<string>();
    fc.assert(fc.property(reading, (input) => {
      const message = messageOf(input);
      const observations = readingObservations(vitalsRowOf(message));
      for (const flag of message.quality ?? []) seenFlags.add(flag);
      seenScenarios.add(input.scenario);
      expect(observations).toHaveLength(6);
      for (const observation of observations) expect(fhirR4Errors(observation)).toEqual([]);
      for (const observation of observations.slice(0, -1)) expect(vitalSignsProfileErrors(observation)).toEqual([]);
      expect(JSON.stringify(observations)).not.toContain(message.patient_id);
    }), { numRuns: 400, seed: 15 });
    expect([...seenScenarios].sort()).toEqual([...SCENARIOS].sort());
    expect([...seenFlags].sort()).toEqual([...QUALITY_FLAGS].sort());
  });

  it('explains every null measurement with a dataAbsentReason naming a flag of the reading', () => {
    fc.assert(fc.property(reading, (input) => {
      const message = messageOf({ ...input, nullFlagged: true });
      const observations = readingObservations(vitalsRowOf(message));
      const absent = observations.flatMap((o) => [o, ...(o.component ?? [])]).flatMap((element) => ('dataAbsentReason' in element ? [element.dataAbsentReason.text] : []));
      // A null optional measurement (mean arterial pressure) is left out, not explained.
      const nulls = MEASUREMENT_FIELDS.filter((field) => !('optional' in MEASUREMENTS[field]) && (message as Record<string, unknown>)[field] === null);
      expect(absent).toHaveLength(nulls.length);
      for (const text of absent) expect(message.quality).toContain(text);
    }), { numRuns: 200, seed: 16 });
  });
});
