/**
 * The rules of the FHIR R4 vital-signs profiles (https://hl7.org/fhir/R4/observation-vitalsigns.html) that
 * the JSON schema cannot express: the elements the profile makes required, the vital-signs category, the
 * invariants vs-2 and vs-3, UCUM quantities, and each specific profile's LOINC code and units. Checked for
 * every Observation that claims the profile in meta.profile.
 */
const BASE = 'http://hl7.org/fhir/StructureDefinition/';
const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';

/** Specific profile -> its required LOINC code and the UCUM codes its value may use. */
const SPECIFIC: Readonly<Record<string, { loinc: string; units: readonly string[] }>> = {
  heartrate: { loinc: '8867-4', units: ['/min'] },
  resprate: { loinc: '9279-1', units: ['/min'] },
  oxygensat: { loinc: '2708-6', units: ['%'] },
  bodytemp: { loinc: '8310-5', units: ['Cel', '[degF]'] },
  bp: { loinc: '85354-9', units: [] },
};

interface Coding { system?: string; code?: string }
interface Concept { coding?: Coding[] }
interface Quantity { value?: number; unit?: string; system?: string; code?: string }
interface Valued { valueQuantity?: Quantity; dataAbsentReason?: Concept; [key: string]: unknown }
interface Component extends Valued { code?: Concept }
interface VitalSign extends Valued {
  meta?: { profile?: string[] };
  status?: string;
  category?: Concept[];
  code?: Concept;
  subject?: { reference?: string };
  effectiveDateTime?: string;
  component?: Component[];
}

const hasCode = (concept: Concept | undefined, code: string) => concept?.coding?.some((c) => c.system === LOINC && c.code === code) ?? false;
const hasValue = (element: Valued) => Object.keys(element).some((key) => key.startsWith('value'));

function quantityErrors(where: string, quantity: Quantity | undefined, units: readonly string[]): string[] {
  if (quantity === undefined) return [];
  const errors: string[] = [];
  if (typeof quantity.value !== 'number' || quantity.unit === undefined || quantity.code === undefined) errors.push(`${where}: valueQuantity needs value, unit and code`);
  if (quantity.system !== UCUM) errors.push(`${where}: valueQuantity.system must be UCUM`);
  if (units.length > 0 && !units.includes(quantity.code ?? '')) errors.push(`${where}: unit ${quantity.code} is not one of ${units.join(', ')}`);
  return errors;
}

/** The profile errors of an Observation that claims the vital-signs profile; empty when it conforms. */
export function vitalSignsProfileErrors(resource: object): string[] {
  const observation = resource as VitalSign;
  const profiles = observation.meta?.profile ?? [];
  if (!profiles.includes(`${BASE}vitalsigns`)) return ['does not claim the vitalsigns profile'];
  const errors: string[] = [];
  if (observation.status === undefined) errors.push('status is required');
  if (!observation.category?.some((c) => c.coding?.some((coding) => coding.code === 'vital-signs' && coding.system === 'http://terminology.hl7.org/CodeSystem/observation-category'))) {
    errors.push('category must include vital-signs');
  }
  if (!observation.code?.coding?.some((c) => c.system === LOINC)) errors.push('code needs a LOINC coding');
  if (observation.subject?.reference?.startsWith('Patient/') !== true) errors.push('subject must reference a Patient');
  if (observation.effectiveDateTime === undefined) errors.push('effective[x] is required');
  // vs-2: with no component (or hasMember), a value or a data absent reason.
  if ((observation.component ?? []).length === 0 && !hasValue(observation) && observation.dataAbsentReason === undefined) errors.push('vs-2: no value and no dataAbsentReason');
  if (hasValue(observation) && observation.dataAbsentReason !== undefined) errors.push('obs-6: value and dataAbsentReason together');
  for (const [i, component] of (observation.component ?? []).entries()) {
    // vs-3: each component has a value or a data absent reason.
    if (!hasValue(component) && component.dataAbsentReason === undefined) errors.push(`vs-3: component ${i} has neither value nor dataAbsentReason`);
    errors.push(...quantityErrors(`component ${i}`, component.valueQuantity, []));
  }
  const specific = profiles.filter((p) => p !== `${BASE}vitalsigns`).map((p) => p.slice(BASE.length));
  const units = specific.flatMap((name) => SPECIFIC[name]?.units ?? []);
  errors.push(...quantityErrors('value', observation.valueQuantity, units));
  for (const name of specific) {
    const rule = SPECIFIC[name];
    if (rule === undefined) errors.push(`unknown profile ${name}`);
    else if (!hasCode(observation.code, rule.loinc)) errors.push(`${name}: code must include LOINC ${rule.loinc}`);
  }
  if (specific.includes('bp')) {
    for (const loinc of ['8480-6', '8462-4']) {
      const component = observation.component?.find((c) => hasCode(c.code, loinc));
      if (component === undefined) errors.push(`bp: component ${loinc} is required`);
      else errors.push(...quantityErrors(`bp ${loinc}`, component.valueQuantity, ['mm[Hg]']));
    }
  }
  return errors;
}
