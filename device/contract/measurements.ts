/**
 * The measurement registry (DESIGN §4): every vital sign the contract carries, defined once. The wire
 * schema and its bounds (vitals-v1.ts), the validator's null check (validate.ts), the curated columns and
 * the hourly rollup (cloud/lake/curated-schema.ts), the compaction's encodings and the dashboard's series
 * are derived from this table. Adding a measurement is one entry here plus its model behaviour.
 */

export type RollupAggregate = 'count' | 'sum' | 'min' | 'max';
/** The NEWS2 parameter a measurement scores (cloud/news2/news2.ts), when it has one. */
export type News2Parameter = 'respiration' | 'spo2' | 'systolic_bp' | 'pulse' | 'temperature';

export interface Measurement {
  /** What the wire contract says about it (JSON Schema description), before the unit. */
  readonly description: string;
  /** Short label for columns, tiles and charts. */
  readonly label: string;
  /** The unit as people write it, and its UCUM code. */
  readonly unit: string;
  readonly ucum: string;
  /** LOINC code of the observation (for a FHIR mapping). */
  readonly loinc: string;
  /**
   * How the FHIR export (cloud/fhir) writes it: the LOINC display name; the panel whose Observation it is a
   * component of, when it is not an Observation of its own (the cuff pressures); and the FHIR R4 vital-signs
   * profile it conforms to with, when that profile asks for another LOINC code as well.
   */
  readonly fhir: {
    readonly display: string;
    readonly panel?: FhirPanelName;
    readonly profile?: { readonly name: string; readonly loinc?: string; readonly display?: string };
  };
  /** 'int': whole units on the wire and INT32 in the lake; 'double': `decimals` places, DOUBLE. */
  readonly type: 'int' | 'double';
  /**
   * Left out of a message by a monitor that does not have it (added to vitals/1 after the first monitors
   * shipped): a reading without it stays valid, and reads as null in the reading, the lake and the rollup.
   */
  readonly optional?: true;
  readonly decimals: number;
  /** Physiological plausibility: outside it a reading is a fault, not a patient (wider than any NEWS2 band). */
  readonly min: number;
  readonly max: number;
  /** Quality flags that explain the value being null (a null value always carries a flag). */
  readonly nulledBy: readonly string[];
  readonly news2: News2Parameter | null;
  /** Aggregates kept per patient-hour in the rollup, in column order. */
  readonly rollup: readonly RollupAggregate[];
  /** Parquet encoding of the compacted hour, when not the default dictionary (rows sorted by device, seq). */
  readonly compactedEncoding?: 'DELTA_BINARY_PACKED';
  /** The bed page's chart it is drawn on (measurements sharing a chart are drawn together), and its colour. */
  readonly chart: { readonly id: string; readonly title: string; readonly series: string; readonly stroke: string };
}

/**
 * A LOINC panel the FHIR export writes as one Observation with its measurements as components: blood
 * pressure as the FHIR vital-signs profile `bp` asks (85354-9, systolic and diastolic components; the mean
 * arterial pressure of the same cuff cycle is one of the panel's optional children).
 */
export const FHIR_PANELS = {
  blood_pressure: { loinc: '85354-9', display: 'Blood pressure panel with all children optional', label: 'Blood pressure', profile: 'bp' },
} as const;
export type FhirPanelName = keyof typeof FHIR_PANELS;

const GENERAL_FLAGS = ['motion_artefact', 'sensor_dropout', 'not_measured'] as const;
const BLOOD_PRESSURE = (series: string, stroke: string) => ({ id: 'blood_pressure', title: 'Blood pressure (mmHg)', series, stroke });

export const MEASUREMENTS = {
  heart_rate: {
    description: 'Pulse rate', label: 'Pulse rate', unit: 'bpm', ucum: '/min', loinc: '8867-4',
    type: 'int', decimals: 0, min: 0, max: 300, nulledBy: [...GENERAL_FLAGS, 'low_perfusion'],
    news2: 'pulse', rollup: ['count', 'sum', 'min', 'max'], compactedEncoding: 'DELTA_BINARY_PACKED',
    fhir: { display: 'Heart rate', profile: { name: 'heartrate' } },
    chart: { id: 'heart_rate', title: 'Heart rate (bpm)', series: 'Heart rate', stroke: '#d5281b' },
  },
  spo2: {
    description: 'Peripheral oxygen saturation', label: 'SpO2', unit: '%', ucum: '%', loinc: '59408-5',
    type: 'int', decimals: 0, min: 50, max: 100, nulledBy: [...GENERAL_FLAGS, 'spo2_probe_off', 'low_perfusion'],
    news2: 'spo2', rollup: ['count', 'sum', 'min'],
    fhir: { display: 'Oxygen saturation in Arterial blood by Pulse oximetry', profile: { name: 'oxygensat', loinc: '2708-6', display: 'Oxygen saturation in Arterial blood' } },
    chart: { id: 'spo2', title: 'SpO₂ (%)', series: 'SpO₂', stroke: '#005eb8' },
  },
  respiratory_rate: {
    description: 'Respiration rate', label: 'Respiration rate', unit: '/min', ucum: '/min', loinc: '9279-1',
    type: 'int', decimals: 0, min: 0, max: 80, nulledBy: GENERAL_FLAGS,
    news2: 'respiration', rollup: ['count', 'sum'], compactedEncoding: 'DELTA_BINARY_PACKED',
    fhir: { display: 'Respiratory rate', profile: { name: 'resprate' } },
    chart: { id: 'respiratory_rate', title: 'Respiration rate (/min)', series: 'Resp. rate', stroke: '#007f3b' },
  },
  systolic_bp: {
    description: 'Systolic blood pressure', label: 'Systolic blood pressure', unit: 'mmHg', ucum: 'mm[Hg]', loinc: '8480-6',
    type: 'int', decimals: 0, min: 30, max: 300, nulledBy: [...GENERAL_FLAGS, 'bp_cuff_error'],
    news2: 'systolic_bp', rollup: ['count', 'sum'], compactedEncoding: 'DELTA_BINARY_PACKED',
    fhir: { display: 'Systolic blood pressure', panel: 'blood_pressure' },
    chart: BLOOD_PRESSURE('Systolic', '#330072'),
  },
  diastolic_bp: {
    description: 'Diastolic blood pressure', label: 'Diastolic blood pressure', unit: 'mmHg', ucum: 'mm[Hg]', loinc: '8462-4',
    type: 'int', decimals: 0, min: 10, max: 200, nulledBy: [...GENERAL_FLAGS, 'bp_cuff_error'],
    news2: null, rollup: ['count', 'sum'], compactedEncoding: 'DELTA_BINARY_PACKED',
    fhir: { display: 'Diastolic blood pressure', panel: 'blood_pressure' },
    chart: BLOOD_PRESSURE('Diastolic', '#ae2573'),
  },
  temperature_c: {
    description: 'Core temperature', label: 'Temperature', unit: '°C', ucum: 'Cel', loinc: '8310-5',
    type: 'double', decimals: 1, min: 25, max: 45, nulledBy: GENERAL_FLAGS,
    news2: 'temperature', rollup: ['count', 'sum', 'max'],
    fhir: { display: 'Body temperature', profile: { name: 'bodytemp' } },
    chart: { id: 'temperature_c', title: 'Temperature (°C)', series: 'Temperature', stroke: '#ed8b00' },
  },
  map_mmhg: {
    description: 'Mean arterial pressure, from the cuff', label: 'Mean arterial pressure', unit: 'mmHg', ucum: 'mm[Hg]', loinc: '8478-0',
    type: 'int', decimals: 0, min: 20, max: 250, nulledBy: [...GENERAL_FLAGS, 'bp_cuff_error'],
    news2: null, rollup: ['count', 'sum', 'min'], optional: true, compactedEncoding: 'DELTA_BINARY_PACKED',
    fhir: { display: 'Mean blood pressure', panel: 'blood_pressure' },
    chart: BLOOD_PRESSURE('Mean arterial', '#768692'),
  },
} as const satisfies Record<string, Measurement>;

export type MeasurementField = keyof typeof MEASUREMENTS;

/** The measurement fields in contract order. */
export const MEASUREMENT_FIELDS = Object.keys(MEASUREMENTS) as MeasurementField[];

/** Every measurement as a nullable number, keyed by field: the shape readings and rows share. */
export type MeasurementValues = { [K in MeasurementField]: number | null };

/** `<field>_<aggregate>` for each rollup aggregate of each measurement. */
export type RollupFields = {
  [K in MeasurementField as `${K}_${(typeof MEASUREMENTS)[K]['rollup'][number]}`]:
  `${K}_${(typeof MEASUREMENTS)[K]['rollup'][number]}` extends `${string}_count` ? number : number | null;
};

/** Every measurement's value, read by `valueOf` (undefined: not there, null). */
export function measurementValues(valueOf: (name: MeasurementField) => number | null | undefined): MeasurementValues {
  const values = {} as MeasurementValues;
  for (const name of MEASUREMENT_FIELDS) values[name] = valueOf(name) ?? null;
  return values;
}
