/**
 * NEWS2, the Royal College of Physicians' National Early Warning Score 2 (RCP, December 2017, chart 1 and
 * chart 2). Pure: a reading in, sub-scores, total and clinical-risk band out. Used by the ETL (curated
 * columns) and the dashboard.
 *
 * Values between chart integers. The chart is written on the resolution a monitor shows (integers;
 * temperature to 0.1 °C). A value in between is scored as the chart value it rounds to, half up: each
 * boundary sits at the midpoint between two chart values. So respiration 8.4 scores as 8 and 8.5 as 9;
 * temperature 38.04 scores as 38.0 (0) and 38.05 as 38.1 (1); SpO2 91.5 scores as 92. The comparison is
 * made on the value itself (no multiply-and-round), so a decimal such as 38.05 is never moved across a
 * boundary by binary floating-point error.
 *
 * Missing values (probe off, not measured) are never scored as 0: the sub-score is null, the parameter is
 * listed in `missing`, `complete` is false, and the total and band are over the parameters present.
 */

export type News2Band = 'low' | 'low-medium' | 'medium' | 'high';

export type News2Parameter =
  | 'respiration'
  | 'spo2'
  | 'air_or_oxygen'
  | 'systolic_bp'
  | 'pulse'
  | 'consciousness'
  | 'temperature';

/** Chart order (RCP NEWS2 chart 1, top to bottom). */
export const NEWS2_PARAMETERS: readonly News2Parameter[] = [
  'respiration', 'spo2', 'air_or_oxygen', 'systolic_bp', 'pulse', 'consciousness', 'temperature',
];

export interface News2Input {
  respiratory_rate: number | null;
  spo2: number | null;
  spo2_scale: 1 | 2;
  on_oxygen: boolean | null;
  systolic_bp: number | null;
  heart_rate: number | null;
  consciousness: 'A' | 'C' | 'V' | 'P' | 'U' | null;
  temperature_c: number | null;
}

export interface News2Score {
  subscores: Record<News2Parameter, number | null>;
  /** Sum of the sub-scores present, 0-20. */
  total: number;
  band: News2Band;
  /** True when all seven parameters were scored. */
  complete: boolean;
  /** Parameters that could not be scored, in chart order. */
  missing: News2Parameter[];
}

/** Numbers that are neither null nor NaN/Infinity (a non-finite value cannot be scored). */
const present = (value: number | null): value is number => value !== null && Number.isFinite(value);

/** Respiration rate (/min): <=8: 3, 9-11: 1, 12-20: 0, 21-24: 2, >=25: 3. */
export function respirationScore(rate: number): number {
  if (rate < 8.5) return 3;
  if (rate < 11.5) return 1;
  if (rate < 20.5) return 0;
  if (rate < 24.5) return 2;
  return 3;
}

/** SpO2 scale 1 (%): <=91: 3, 92-93: 2, 94-95: 1, >=96: 0. */
export function spo2Scale1Score(spo2: number): number {
  if (spo2 < 91.5) return 3;
  if (spo2 < 93.5) return 2;
  if (spo2 < 95.5) return 1;
  return 0;
}

/**
 * SpO2 scale 2 (%), for patients with a prescribed 88-92 % target (hypercapnic respiratory failure):
 * <=83: 3, 84-85: 2, 86-87: 1, 88-92 or >=93 on air: 0, 93-94 on oxygen: 1, 95-96 on oxygen: 2,
 * >=97 on oxygen: 3. Returns null when SpO2 >= 93 and whether oxygen is given is unknown: the score then
 * depends on a missing value, and a guess would be a made-up number.
 */
export function spo2Scale2Score(spo2: number, onOxygen: boolean | null): number | null {
  if (spo2 < 83.5) return 3;
  if (spo2 < 85.5) return 2;
  if (spo2 < 87.5) return 1;
  if (spo2 < 92.5) return 0;
  if (onOxygen === null) return null;
  if (!onOxygen) return 0;
  if (spo2 < 94.5) return 1;
  if (spo2 < 96.5) return 2;
  return 3;
}

/** Air or oxygen: any supplemental oxygen: 2, air: 0. */
export function airOrOxygenScore(onOxygen: boolean): number {
  return onOxygen ? 2 : 0;
}

/** Systolic BP (mmHg): <=90: 3, 91-100: 2, 101-110: 1, 111-219: 0, >=220: 3. */
export function systolicScore(systolic: number): number {
  if (systolic < 90.5) return 3;
  if (systolic < 100.5) return 2;
  if (systolic < 110.5) return 1;
  if (systolic < 219.5) return 0;
  return 3;
}

/** Pulse (/min): <=40: 3, 41-50: 1, 51-90: 0, 91-110: 1, 111-130: 2, >=131: 3. */
export function pulseScore(pulse: number): number {
  if (pulse < 40.5) return 3;
  if (pulse < 50.5) return 1;
  if (pulse < 90.5) return 0;
  if (pulse < 110.5) return 1;
  if (pulse < 130.5) return 2;
  return 3;
}

/** Consciousness (ACVPU): Alert: 0; new Confusion, Voice, Pain, Unresponsive: 3. */
export function consciousnessScore(level: 'A' | 'C' | 'V' | 'P' | 'U'): number {
  return level === 'A' ? 0 : 3;
}

/** Temperature (°C): <=35.0: 3, 35.1-36.0: 1, 36.1-38.0: 0, 38.1-39.0: 1, >=39.1: 2. */
export function temperatureScore(celsius: number): number {
  if (celsius < 35.05) return 3;
  if (celsius < 36.05) return 1;
  if (celsius < 38.05) return 0;
  if (celsius < 39.05) return 1;
  return 2;
}

/**
 * Clinical risk band (RCP NEWS2 chart 2): high for an aggregate of 7 or more, medium for 5-6,
 * low-medium when a single parameter scores 3 (red score) and the aggregate is below 5, else low.
 */
export function news2Band(total: number, anySingleThree: boolean): News2Band {
  if (total >= 7) return 'high';
  if (total >= 5) return 'medium';
  if (anySingleThree) return 'low-medium';
  return 'low';
}

/**
 * The score without an object per call (the ETL scores every reading): sub-scores in chart order, total,
 * band, and the parameters missing as a bit mask (bit i: NEWS2_PARAMETERS[i]). news2() gives the same as
 * an object.
 */
export interface News2Scratch {
  respiration: number | null;
  spo2: number | null;
  air_or_oxygen: number | null;
  systolic_bp: number | null;
  pulse: number | null;
  consciousness: number | null;
  temperature: number | null;
  total: number;
  band: News2Band;
  missingMask: number;
}

export function newNews2Scratch(): News2Scratch {
  return { respiration: null, spo2: null, air_or_oxygen: null, systolic_bp: null, pulse: null, consciousness: null, temperature: null, total: 0, band: 'low', missingMask: 0 };
}

/** Scores `input` into `out` (and returns it). */
export function scoreNews2(input: News2Input, out: News2Scratch): News2Scratch {
  out.respiration = present(input.respiratory_rate) ? respirationScore(input.respiratory_rate) : null;
  out.spo2 = present(input.spo2)
    ? (input.spo2_scale === 2 ? spo2Scale2Score(input.spo2, input.on_oxygen) : spo2Scale1Score(input.spo2))
    : null;
  out.air_or_oxygen = input.on_oxygen === null ? null : airOrOxygenScore(input.on_oxygen);
  out.systolic_bp = present(input.systolic_bp) ? systolicScore(input.systolic_bp) : null;
  out.pulse = present(input.heart_rate) ? pulseScore(input.heart_rate) : null;
  out.consciousness = input.consciousness === null ? null : consciousnessScore(input.consciousness);
  out.temperature = present(input.temperature_c) ? temperatureScore(input.temperature_c) : null;
  // Written out in chart order (a loop over an array of the seven would allocate the array per call).
  const mask = (out.respiration === null ? 1 : 0) | (out.spo2 === null ? 2 : 0) | (out.air_or_oxygen === null ? 4 : 0)
    | (out.systolic_bp === null ? 8 : 0) | (out.pulse === null ? 16 : 0) | (out.consciousness === null ? 32 : 0) | (out.temperature === null ? 64 : 0);
  out.total = (out.respiration ?? 0) + (out.spo2 ?? 0) + (out.air_or_oxygen ?? 0) + (out.systolic_bp ?? 0) + (out.pulse ?? 0)
    + (out.consciousness ?? 0) + (out.temperature ?? 0);
  const anySingleThree = out.respiration === 3 || out.spo2 === 3 || out.air_or_oxygen === 3 || out.systolic_bp === 3
    || out.pulse === 3 || out.consciousness === 3 || out.temperature === 3;
  out.band = news2Band(out.total, anySingleThree);
  out.missingMask = mask;
  return out;
}

/** The parameters of a missing mask, in chart order. */
export function missingParameters(mask: number): News2Parameter[] {
  return NEWS2_PARAMETERS.filter((_, i) => (mask & (1 << i)) !== 0);
}

const MISSING_TEXT: readonly (string | null)[] = Array.from({ length: 1 << NEWS2_PARAMETERS.length }, (_, mask) => (mask === 0 ? null : missingParameters(mask).join(',')));

/** The missing parameters comma-joined in chart order (one shared string per mask), null when none. */
export function missingText(mask: number): string | null {
  return MISSING_TEXT[mask]!;
}

export function news2(input: News2Input): News2Score {
  const s = scoreNews2(input, newNews2Scratch());
  const missing = missingParameters(s.missingMask);
  return {
    subscores: {
      respiration: s.respiration, spo2: s.spo2, air_or_oxygen: s.air_or_oxygen, systolic_bp: s.systolic_bp,
      pulse: s.pulse, consciousness: s.consciousness, temperature: s.temperature,
    },
    total: s.total,
    band: s.band,
    complete: missing.length === 0,
    missing,
  };
}
