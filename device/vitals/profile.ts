/**
 * Per-patient baselines, drawn from adult reference ranges and shaped by age, sex and condition.
 *
 * References (resting adults):
 * - Heart rate 60-100 bpm (AHA); women ~3 bpm faster; falls slightly with age.
 * - Respiration rate 12-20 /min (RCP NEWS2 zero-score band); a little higher in old age and in COPD.
 * - Systolic pressure rises ~0.5 mmHg a year of age (Framingham); men ~5 mmHg higher; hypertension +12.
 *   Diastolic follows systolic and falls after 50 (widening pulse pressure).
 * - SpO2 95-99 % on air (BTS 2017 oxygen guideline: normal range 94-98 %, slightly lower with age);
 *   88-92 % in COPD with hypercapnic risk (BTS target range, NEWS2 SpO2 scale 2).
 * - Temperature 36.5-37.2 °C (core, resting); NEWS2 scores 0 from 36.1 to 38.0 °C.
 * Baselines are clamped inside the NEWS2 zero-score bands (except SpO2 in COPD) so that a stable patient
 * sits at 0 and noise alone rarely scores.
 */
import type { Rng } from './rng.ts';
import type { ScenarioName, ScenarioTraits } from './scenarios.ts';

export interface Baselines {
  heart_rate: number;
  respiratory_rate: number;
  systolic_bp: number;
  diastolic_bp: number;
  spo2: number;
  temperature_c: number;
}

export interface PatientProfile {
  age: number;
  sex: 'F' | 'M';
  /** e.g. 'hypertension', 'copd', 'post-operative'. */
  conditions: string[];
  /** NEWS2 SpO2 scale: 2 for a prescribed 88-92 % target (COPD with hypercapnic risk). */
  spo2Scale: 1 | 2;
  baselines: Baselines;
}

const clamp = (value: number, min: number, max: number): number => (value < min ? min : value > max ? max : value);

/** Conditions a scenario implies (the story needs them), on top of the ones drawn from age. */
const SCENARIO_CONDITIONS: Partial<Record<ScenarioName, string[]>> = {
  respiratory_failure_copd: ['copd'],
  haemorrhage: ['post-operative'],
  postop_fever: ['post-operative'],
  tachyarrhythmia: ['ischaemic heart disease'],
  recovery: ['sepsis (treated)'],
};

export function drawProfile(rng: Rng, scenario: ScenarioName): PatientProfile {
  // Adult inpatients, 20-94 years, skewed older as wards are (median ~64).
  const age = 20 + Math.floor(75 * Math.sqrt(rng.next()));
  const sex: 'F' | 'M' = rng.next() < 0.5 ? 'F' : 'M';
  const conditions: string[] = [];
  if (rng.next() < 0.1 + 0.006 * (age - 20)) conditions.push('hypertension');
  if (rng.next() < 0.15) conditions.push('diabetes');
  conditions.push(...(SCENARIO_CONDITIONS[scenario] ?? []));
  return withBaselines(rng, age, sex, conditions);
}

/** Draws baselines for a patient of this age, sex and conditions (also used when COPD is added later). */
export function withBaselines(rng: Rng, age: number, sex: 'F' | 'M', conditions: string[]): PatientProfile {
  const copd = conditions.includes('copd');
  const hypertension = conditions.includes('hypertension');
  const heartRate = clamp(74 + (sex === 'F' ? 3 : 0) - 0.05 * (age - 50) + 6 * rng.normal(), 60, 84);
  const respiration = clamp(15 + 0.02 * (age - 50) + (copd ? 3 : 0) + 1.0 * rng.normal(), 14, copd ? 19 : 17);
  const systolic = clamp(
    110 + 0.45 * (age - 20) + (sex === 'M' ? 5 : 0) + (hypertension ? 12 : 0) + 8 * rng.normal(), 120, 165);
  const diastolic = clamp(0.45 * systolic + 18 + (age < 50 ? 3 : -0.1 * (age - 50)) + 4 * rng.normal(), 60, 92);
  const spo2 = copd
    ? clamp(90 + 1.0 * rng.normal(), 89, 91)
    : clamp(97.8 - 0.015 * (age - 20) + 0.7 * rng.normal(), 97, 99);
  const temperature = clamp(36.8 + 0.15 * rng.normal(), 36.5, 37.1);
  return {
    age, sex, conditions, spo2Scale: copd ? 2 : 1,
    baselines: {
      heart_rate: heartRate,
      respiratory_rate: respiration,
      systolic_bp: systolic,
      diastolic_bp: Math.min(diastolic, systolic - 35),
      spo2,
      temperature_c: temperature,
    },
  };
}

export function drawTraits(rng: Rng, profile: PatientProfile): ScenarioTraits {
  return {
    pace: 0.9 + 0.2 * rng.next(),
    afRate: 140 + 20 * rng.next(),
    bradyRate: 34 + 5 * rng.next(),
    baselineHeartRate: profile.baselines.heart_rate,
  };
}
