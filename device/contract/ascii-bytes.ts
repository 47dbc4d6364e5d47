/**
 * Reading JSON written by our own code (the simulator's messages, the rule's envelope) straight from its
 * bytes: literals compared four bytes at a time, strings of printable ASCII found, checked and turned into
 * one shared string object per distinct value. Byte loops in JavaScript cost about a nanosecond a byte
 * here, so what saves time is touching each byte once and creating as few strings as possible.
 */

/**
 * A literal to match: its bytes, and the same bytes read eight at a time as doubles. Comparing doubles is
 * comparing bits for these: bytes of printable ASCII never make a NaN (that needs a byte of 0xF0 or more
 * below the top one) nor a zero, the only doubles whose equality is not bitwise.
 */
export interface Literal {
  readonly bytes: Uint8Array;
  readonly octets: Float64Array;
}

export function literalOf(text: string): Literal {
  const bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
  if (bytes.some((byte) => byte < 0x20 || byte > 0x7e)) throw new RangeError(`literalOf: ${JSON.stringify(text)} is not printable ASCII`);
  const view = new DataView(bytes.buffer);
  return { bytes, octets: Float64Array.from({ length: bytes.length >> 3 }, (_, k) => view.getFloat64(k * 8, true)) };
}

/** 0: a byte a JSON string may hold as it is and that is printable ASCII; 1: the closing quote; 2: anything else. */
const STRING_BYTE = Uint8Array.from({ length: 256 }, (_, byte) => (byte === 0x22 ? 1 : byte < 0x20 || byte > 0x7e || byte === 0x5c ? 2 : 0));

/**
 * Repeated strings (device, patient, ward, bed: one set per monitor) come back as one string object each:
 * a hit costs a byte comparison instead of a new string, equal strings compare by identity (the thing name
 * of the envelope and the device_id of the payload, say), and every later Map lookup gets a string whose
 * hash V8 already knows. A slot also remembers which checks its string passed (a bit per check), so that a
 * pattern is tested once per distinct value, not once per message. A slot taken by another string is
 * overwritten: the table only ever saves work, it never decides anything.
 */
const SLOTS = 4096;
const MAX_BYTES = 64;

class AsciiInterner {
  private readonly hashes = new Int32Array(SLOTS);
  private readonly lengths = new Int32Array(SLOTS).fill(-1);
  private readonly slotBytes = new Uint8Array(SLOTS * MAX_BYTES);
  private readonly slotView = new DataView(this.slotBytes.buffer);
  private readonly strings: (string | undefined)[] = new Array<string | undefined>(SLOTS);
  private readonly passed = new Int32Array(SLOTS);
  /** The slot of the last string interned, or -1 when it was too long for one. */
  slot = -1;

  /** `view` and `base`: the bytes' ArrayBuffer and where `bytes` starts in it (compared four bytes at a time). */
  intern(bytes: Buffer, view: DataView<ArrayBufferLike>, base: number, start: number, end: number, hash: number): string {
    const length = end - start;
    if (length > MAX_BYTES) {
      this.slot = -1;
      return bytes.toString('latin1', start, end);
    }
    const slot = (hash >>> 0) & (SLOTS - 1);
    this.slot = slot;
    if (this.lengths[slot] === length && this.hashes[slot] === hash) {
      const stored = slot * MAX_BYTES;
      let k = 0;
      while (k + 4 <= length && this.slotView.getInt32(stored + k) === view.getInt32(base + start + k)) k += 4;
      while (k < length && this.slotBytes[stored + k] === bytes[start + k]) k += 1;
      if (k === length) return this.strings[slot]!;
    }
    const text = bytes.toString('latin1', start, end);
    this.hashes[slot] = hash;
    this.lengths[slot] = length;
    this.slotBytes.set(bytes.subarray(start, end), slot * MAX_BYTES);
    this.strings[slot] = text;
    this.passed[slot] = 0;
    return text;
  }

  passedBefore(bit: number): boolean {
    return this.slot >= 0 && (this.passed[this.slot]! & bit) !== 0;
  }

  recordPassed(bit: number): void {
    if (this.slot >= 0) this.passed[this.slot]! |= bit;
  }
}

/** One table for every reader: the envelope's thing name and the payload's device_id are then one string. */
const sharedInterner = new AsciiInterner();

/** A cursor over bytes of JSON; not re-entrant (each reader is used by one synchronous function). */
export class AsciiReader {
  bytes: Buffer = Buffer.alloc(0);
  /** A view of the whole ArrayBuffer under `bytes` (kept while the buffer stays the same), and where `bytes` starts in it. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private base = 0;
  at = 0;
  end = 0;
  /** Hash of the last string found by stringEnd(). */
  private hash = 0;

  constructor(private readonly interner: AsciiInterner = sharedInterner) {}

  /** Reads `bytes[start, end)` from its start (positions stay those of `bytes`). */
  reset(bytes: Buffer, start: number, end: number): void {
    if (this.view.buffer !== bytes.buffer) this.view = new DataView(bytes.buffer);
    this.bytes = bytes;
    this.base = bytes.byteOffset;
    this.at = start;
    this.end = end;
  }

  /** Consumes `expected` if the bytes at the cursor are it. */
  literal(expected: Literal): boolean {
    const { at } = this;
    const length = expected.bytes.length;
    if (at + length > this.end) return false;
    const { octets } = expected;
    const base = this.base + at;
    for (let k = 0; k < octets.length; k += 1) if (this.view.getFloat64(base + k * 8, true) !== octets[k]) return false;
    for (let k = octets.length * 8; k < length; k += 1) if (this.bytes[at + k] !== expected.bytes[k]) return false;
    this.at = at + length;
    return true;
  }

  /**
   * From the cursor to the next quote: printable ASCII without escapes. Returns the quote's position (the
   * cursor stays), or -1 when another byte comes first.
   */
  stringEnd(): number {
    const { bytes, end } = this;
    let hash = 0x811c9dc5;
    for (let i = this.at; i < end; i += 1) {
      const byte = bytes[i]!;
      const kind = STRING_BYTE[byte]!;
      if (kind === 0) {
        hash = Math.imul(hash ^ byte, 0x01000193);
      } else {
        if (kind === 2) return -1;
        this.hash = hash;
        return i;
      }
    }
    return -1;
  }

  /** The string from the cursor to `end` (as found by stringEnd), shared with every equal one; the cursor moves to `end`. */
  intern(end: number): string {
    const text = this.interner.intern(this.bytes, this.view, this.base, this.at, end, this.hash);
    this.at = end;
    return text;
  }

  /** A new string from the cursor to `end` (for values that rarely repeat); the cursor moves to `end`. */
  text(end: number): string {
    const text = this.bytes.toString('latin1', this.at, end);
    this.at = end;
    return text;
  }

  /** Whether the last interned string already passed check `bit` (one bit per kind of check). */
  passedBefore(bit: number): boolean {
    return this.interner.passedBefore(bit);
  }

  /** Records that the last interned string passed check `bit`. */
  recordPassed(bit: number): void {
    this.interner.recordPassed(bit);
  }

  /** A JSON integer (-?(0|[1-9][0-9]*)) of at most 15 digits at the cursor, consumed; NaN when there is none. */
  integer(): number {
    const { bytes, end } = this;
    let i = this.at;
    const negative = bytes[i] === 0x2d;
    if (negative) i += 1;
    const first = i;
    let value = 0;
    while (i < end && bytes[i]! >= 0x30 && bytes[i]! <= 0x39 && i - first < 16) value = value * 10 + (bytes[i++]! - 0x30);
    const digits = i - first;
    if (digits === 0 || digits > 15 || (digits > 1 && bytes[first] === 0x30)) return Number.NaN;
    this.at = i;
    return negative ? -value : value;
  }
}
