/**
 * Seeded pseudo-random numbers for the vitals model: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state, passes PractRand), seeded through splitmix32 so that nearby seeds (device 1,
 * device 2, ...) give unrelated streams. Never Math.random: a seed must replay the same ward.
 */

export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform 32-bit unsigned integer (the generator's raw output). */
  uint32(): number;
  /** Standard normal (mean 0, sd 1), Marsaglia's polar method with the spare value cached. */
  normal(): number;
  /** The generator's whole state, plain numbers: `restoreRng(state)` continues the stream exactly. */
  state(): RngState;
}

/** sfc32's four 32-bit words, plus the polar method's cached spare normal when there is one. */
export interface RngState {
  words: [number, number, number, number];
  spare?: number;
}

const TWO_TO_32 = 4294967296;

/** splitmix32 step: a well-mixed 32-bit value from any 32-bit state. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Mixes a seed and an index (e.g. a fleet seed and a device number) into one 32-bit seed, so each device
 * gets its own reproducible stream.
 */
export function deriveSeed(seed: number, index: number): number {
  return splitmix32((splitmix32(toUint32(seed)) ^ Math.imul(toUint32(index), 0x27d4eb2d)) >>> 0);
}

/** Any finite number to 32 bits: the low word xor a mix of the high word, so large seeds still differ. */
function toUint32(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`seed must be a finite number (got ${value})`);
  const integer = Math.trunc(value);
  const high = Math.floor(integer / TWO_TO_32);
  return ((integer >>> 0) ^ splitmix32(high >>> 0)) >>> 0;
}

export function createRng(seed: number): Rng {
  const s0 = toUint32(seed);
  const a = splitmix32(s0);
  const b = splitmix32(a);
  const c = splitmix32(b);
  const rng = rngFrom(a, b, c, 1, undefined);
  // Discard the first outputs: sfc32's state needs a few rounds to mix after seeding.
  for (let i = 0; i < 12; i++) rng.next();
  return rng;
}

/** A generator that continues exactly where the one whose `state()` this is stood. */
export function restoreRng(state: RngState): Rng {
  const words = state.words;
  if (!Array.isArray(words) || words.length !== 4 || !words.every((word) => Number.isInteger(word) && word >= -0x80000000 && word <= 0xffffffff)) {
    throw new RangeError(`an rng state needs four 32-bit integer words (got ${JSON.stringify(words)})`);
  }
  if (state.spare !== undefined && !Number.isFinite(state.spare)) throw new RangeError(`an rng spare normal must be finite (got ${state.spare})`);
  return rngFrom(words[0] | 0, words[1] | 0, words[2] | 0, words[3] | 0, state.spare);
}

function rngFrom(a: number, b: number, c: number, d: number, spareNormal: number | undefined): Rng {
  let spare = spareNormal ?? 0;
  let hasSpare = spareNormal !== undefined;

  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  const next = (): number => uint32() / TWO_TO_32;

  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * next() - 1;
      v = 2 * next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * factor;
    hasSpare = true;
    return u * factor;
  };

  const state = (): RngState => (hasSpare ? { words: [a, b, c, d], spare } : { words: [a, b, c, d] });

  return { next, uint32, normal, state };
}

/**
 * Table-driven normals for the model's noise, two per 32-bit draw: the inverse normal CDF at 4,096
 * equally likely points (sd 0.9995, tails cut at ±3.5). About 5x cheaper than the polar method, and
 * indistinguishable once a vital is rounded to what a monitor shows. Built once, on first use.
 */
export const NORMAL_TABLE_BITS = 12;
let normalTable: Float64Array | undefined;

export function normalTable4096(): Float64Array {
  if (normalTable === undefined) {
    const size = 1 << NORMAL_TABLE_BITS;
    normalTable = new Float64Array(size);
    for (let i = 0; i < size; i++) normalTable[i] = inverseNormalCdf((i + 0.5) / size);
  }
  return normalTable;
}

/** Acklam's rational approximation of the inverse standard normal CDF (relative error < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1) (got ${p})`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q
    / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
