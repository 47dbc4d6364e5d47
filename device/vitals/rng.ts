/**
 * Seeded pseudo-random numbers for the vitals model: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state, passes PractRand), seeded through splitmix32 so that nearby seeds (device 1,
 * device 2, ...) give unrelated streams. Never Math.random: a seed must replay the same ward.
 */

export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Standard normal (mean 0, sd 1), Marsaglia's polar method with the spare value cached. */
  normal(): number;
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
  let a = splitmix32(s0);
  let b = splitmix32(a);
  let c = splitmix32(b);
  let d = 1;
  let spare = 0;
  let hasSpare = false;

  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / TWO_TO_32;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to mix after seeding.
  for (let i = 0; i < 12; i++) next();

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

  return { next, normal };
}
