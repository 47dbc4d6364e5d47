/**
 * Clinical scenarios: what each one does to the patient as its severity grows from 0 (onset) to 1 (full
 * picture). A scenario only sets disease drivers (fever, hypoxaemia, blood loss, direct rate and pressure
 * changes, oxygen, confusion); the physiology in model.ts couples them into the vitals (fever raises heart
 * and respiration rate, hypoxaemia raises both, blood loss raises heart rate and lowers pressure).
 *
 * Times are simulated time; `speed` compresses them (speed 60: an hour of deterioration in a minute).
 * Trajectories are compressed against real wards (sepsis usually evolves over hours) so that a demo shows
 * a whole course; the thresholds each one crosses, and when, are stated here and tested.
 */

export const SCENARIOS = [
  'stable', 'sepsis', 'respiratory_failure', 'respiratory_failure_copd', 'tachyarrhythmia',
  'bradycardia', 'haemorrhage', 'postop_fever', 'recovery',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

/** Disease drivers at one instant. Plain numbers, updated in place (no allocation per sample). */
export interface Effects {
  /** °C above the patient's baseline temperature. */
  fever: number;
  /** SpO2 percentage points lost to lung disease, before any oxygen therapy. */
  hypoxia: number;
  /** Fraction of blood volume lost (0.15-0.30 ATLS class II, 0.30-0.40 class III). */
  bloodLoss: number;
  /** Heart rate change not explained by the couplings (bpm): arrhythmia, conduction block, sepsis. */
  heartRate: number;
  /** Systolic pressure change not explained by blood loss (mmHg): vasodilation, low output. */
  systolic: number;
  /** Respiration rate change not explained by fever or hypoxaemia (/min). */
  respiration: number;
  /** Supplemental oxygen given: on when >= 0.5 (continuous so that recovery can wean it). */
  oxygen: number;
  /** New confusion: ACVPU 'C' when >= 0.5. */
  confusion: number;
  /** Beat-to-beat irregularity of the heart rate (0 = sinus rhythm; 1 = atrial fibrillation). */
  irregularity: number;
}

export const EFFECT_KEYS = [
  'fever', 'hypoxia', 'bloodLoss', 'heartRate', 'systolic', 'respiration', 'oxygen', 'confusion', 'irregularity',
] as const satisfies readonly (keyof Effects)[];

export function noEffects(): Effects {
  return { fever: 0, hypoxia: 0, bloodLoss: 0, heartRate: 0, systolic: 0, respiration: 0, oxygen: 0, confusion: 0, irregularity: 0 };
}

/** Per-patient scenario traits, drawn once from the patient's seed. */
export interface ScenarioTraits {
  /** Multiplies the ramp time: some patients deteriorate faster than others (0.9-1.1). */
  pace: number;
  /** Ventricular rate in AF with rapid ventricular response (bpm). */
  afRate: number;
  /** Heart rate reached in the bradycardia scenario (bpm). */
  bradyRate: number;
  /** Baseline heart rate, for scenarios that aim at an absolute rate. */
  baselineHeartRate: number;
}

export interface ScenarioDefinition {
  name: ScenarioName;
  /** What the scenario shows, for the README and the CLI's --help. */
  summary: string;
  /** Simulated ms after the model's start when the labelled onset is, unless the caller says otherwise. */
  defaultOnsetMs: number | null;
  /** Simulated ms from onset to full severity (before the patient's pace). */
  rampMs: number;
  /** Writes the drivers at a severity in [0, 1] into `out` (every field). */
  apply(severity: number, traits: ScenarioTraits, out: Effects): void;
}

const MINUTE = 60_000;
const DEFAULT_ONSET = 10 * MINUTE;

const step = (severity: number, at: number): number => (severity >= at ? 1 : 0);

function clear(out: Effects): void {
  out.fever = 0; out.hypoxia = 0; out.bloodLoss = 0; out.heartRate = 0; out.systolic = 0;
  out.respiration = 0; out.oxygen = 0; out.confusion = 0; out.irregularity = 0;
}

/** Sepsis drivers, shared by the recovery scenario (which starts from a severe sepsis picture). */
function applySepsis(s: number, out: Effects): void {
  clear(out);
  out.fever = 2.3 * s;
  out.heartRate = 22 * s;
  out.systolic = -40 * s;
  out.respiration = 7 * s;
  out.hypoxia = 4 * s;
  out.oxygen = step(s, 0.6);
  out.confusion = step(s, 0.85);
}

export const SCENARIO_DEFINITIONS: Readonly<Record<ScenarioName, ScenarioDefinition>> = {
  stable: {
    name: 'stable',
    summary: 'No deterioration: baseline, circadian rhythm, noise and artefacts only.',
    defaultOnsetMs: null, rampMs: 0,
    apply: (_s, _t, out) => clear(out),
  },
  sepsis: {
    name: 'sepsis',
    summary: 'Fever, tachycardia, tachypnoea, falling pressure (vasodilation), mild hypoxaemia; oxygen from 60 % severity, new confusion from 85 %. NEWS2 >= 5 within 60 min of onset, >= 7 within 80 min.',
    defaultOnsetMs: DEFAULT_ONSET, rampMs: 75 * MINUTE,
    apply: (s, _t, out) => applySepsis(s, out),
  },
  respiratory_failure: {
    name: 'respiratory_failure',
    summary: 'Type 1 respiratory failure (e.g. pneumonia): SpO2 falls by up to 15 points, respiration rate climbs; oxygen from 40 % severity only partly corrects it. NEWS2 >= 5 within 45 min of onset, SpO2 <= 91 % (red score) within 60 min.',
    defaultOnsetMs: DEFAULT_ONSET, rampMs: 60 * MINUTE,
    apply: (s, _t, out) => {
      clear(out);
      out.hypoxia = 15 * s;
      out.respiration = 9 * s;
      out.heartRate = 8 * s;
      out.oxygen = step(s, 0.4);
      out.confusion = step(s, 0.95);
    },
  },
  respiratory_failure_copd: {
    name: 'respiratory_failure_copd',
    summary: 'Exacerbation of COPD with hypercapnic respiratory failure, scored on SpO2 scale 2 (target 88-92 %): SpO2 falls from ~90 % to ~82 %, respiration rate climbs, controlled oxygen from 35 % severity, confusion (CO2 narcosis) from 80 %. NEWS2 >= 5 within 60 min of onset.',
    defaultOnsetMs: DEFAULT_ONSET, rampMs: 60 * MINUTE,
    apply: (s, _t, out) => {
      clear(out);
      out.hypoxia = 8 * s;
      out.respiration = 10 * s;
      out.heartRate = 12 * s;
      out.oxygen = step(s, 0.35);
      out.confusion = step(s, 0.8);
    },
  },
  tachyarrhythmia: {
    name: 'tachyarrhythmia',
    summary: 'Atrial fibrillation with rapid ventricular response: abrupt onset (3 min), irregular rate of 140-160 bpm, pressure down ~12 mmHg. Pulse >= 131 (NEWS2 red score) within 5 min of onset.',
    defaultOnsetMs: DEFAULT_ONSET, rampMs: 3 * MINUTE,
    apply: (s, t, out) => {
      clear(out);
      out.heartRate = (t.afRate - t.baselineHeartRate) * s;
      out.irregularity = s > 0 ? 1 : 0;
      out.systolic = -12 * s;
      out.respiration = 4 * s;
    },
  },
  bradycardia: {
    name: 'bradycardia',
    summary: 'Progressive bradycardia (e.g. high-grade AV block, beta-blocker excess): heart rate falls to 34-39 bpm over 20 min, pressure down ~20 mmHg. Pulse <= 40 (NEWS2 red score) within 25 min of onset.',
    defaultOnsetMs: DEFAULT_ONSET, rampMs: 20 * MINUTE,
    apply: (s, t, out) => {
      clear(out);
      out.heartRate = (t.bradyRate - t.baselineHeartRate) * s;
      out.systolic = -20 * s;
    },
  },
  haemorrhage: {
    name: 'haemorrhage',
    summary: 'Internal bleeding after surgery: 35 % of blood volume lost over 60 min (ATLS class III): tachycardia first, pressure falls after ~15 % loss, confusion from 30 %. NEWS2 >= 5 within 60 min of onset.',
    defaultOnsetMs: DEFAULT_ONSET, rampMs: 60 * MINUTE,
    apply: (s, _t, out) => {
      clear(out);
      out.bloodLoss = 0.35 * s;
      out.oxygen = step(s, 0.7);
      out.confusion = step(s, 0.86);
    },
  },
  postop_fever: {
    name: 'postop_fever',
    summary: 'Benign post-operative fever: temperature up 1.8 °C over 90 min with the coupled heart and respiration rise. Temperature >= 38.1 °C (NEWS2 temperature 1) within 90 min of onset; NEWS2 stays below 7.',
    defaultOnsetMs: DEFAULT_ONSET, rampMs: 90 * MINUTE,
    apply: (s, _t, out) => {
      clear(out);
      out.fever = 1.8 * s;
      out.respiration = 1 * s;
    },
  },
  recovery: {
    name: 'recovery',
    summary: 'Recovery from severe sepsis on oxygen: every driver decays (time constant 25 min), oxygen weaned and confusion resolved after ~20 min. NEWS2 < 5 from 60 min after onset; labelled stable once 90 % recovered.',
    defaultOnsetMs: 0, rampMs: 0,
    // The scenario's own drivers are zero: the model starts it with a residual of severe sepsis that decays.
    apply: (_s, _t, out) => clear(out),
  },
};

/** The drivers a recovery starts from when a model is created in the recovery scenario. */
export function recoveryStartEffects(): Effects {
  const out = noEffects();
  applySepsis(0.85, out);
  return out;
}

/** Time constant of the decay of a previous scenario's drivers (recovery, or any scenario change). */
export const RECOVERY_TIME_CONSTANT_MS = 25 * MINUTE;
