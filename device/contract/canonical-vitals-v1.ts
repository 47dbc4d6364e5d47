/**
 * vitals/1 messages in the layout the simulator writes (encodeVitals: compact JSON, the schema's field
 * order, optional fields left out), read straight from their bytes: no JSON.parse, no parsed object to
 * check afterwards. In the ETL, JSON.parse of the payload and the check of its fields were a third of the
 * transform.
 *
 * It answers "valid, here is the message fastParseVitalsV1 would return for JSON.parse of these bytes" or
 * "don't know": any other layout (another key order, whitespace, an escape, a non-ASCII byte, an exponent,
 * more than 15 significant digits) or any value the schema rejects gives undefined, and the caller takes
 * JSON.parse and the validator, which name the reasons. Property-tested against that path:
 * test/unit/device/contract/canonical-vitals-v1.test.ts. Every bound is VitalsV1Schema's (VITALS_V1_RULES).
 */
import { VITALS_V1_RULES as RULES, type NumberRule, type StringRule } from './fast-vitals-v1.ts';
import { MAX_PAYLOAD_BYTES, type VitalsV1 } from './vitals-v1.ts';

/** A literal to match: its bytes, and the same bytes as little-endian 32-bit words (compared four at a time). */
interface Literal { readonly bytes: Uint8Array; readonly words: Int32Array }

function bytesOf(text: string): Literal {
  const bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  return { bytes, words: Int32Array.from({ length: bytes.length >> 2 }, (_, k) => view.getInt32(k * 4, true)) };
}

/** 0: a byte a string may hold as it is (printable ASCII); 1: the closing quote; 2: anything else. */
const STRING_BYTE = Uint8Array.from({ length: 256 }, (_, byte) => (byte === 0x22 ? 1 : byte < 0x20 || byte > 0x7e || byte === 0x5c ? 2 : 0));

const HEAD = bytesOf(`{"schema":${JSON.stringify(RULES.schema)},"device_id":"`);
const PATIENT_ID = bytesOf('","patient_id":"');
const SEQ = bytesOf('","seq":');
const TIMESTAMP = bytesOf(',"timestamp":"');
const HEART_RATE = bytesOf('","heart_rate":');
const SPO2 = bytesOf(',"spo2":');
const RESPIRATORY_RATE = bytesOf(',"respiratory_rate":');
const SYSTOLIC_BP = bytesOf(',"systolic_bp":');
const DIASTOLIC_BP = bytesOf(',"diastolic_bp":');
const TEMPERATURE_C = bytesOf(',"temperature_c":');
const ON_OXYGEN = bytesOf(',"on_oxygen":');
const SPO2_SCALE = bytesOf(',"spo2_scale":');
const WARD = bytesOf(',"ward":"');
const BED = bytesOf('","bed":"');
const CONSCIOUSNESS = bytesOf('","consciousness":');
const QUALITY = bytesOf(',"quality":[');
const BATTERY_PCT = bytesOf(',"battery_pct":');
const NULL = bytesOf('null');
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');

const QUOTE = 0x22;
/** Significant digits that always make an exact double (and M / 10^k then rounds as JSON.parse does). */
const EXACT_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Marks a number the fast path does not read; no JSON number parses to NaN. */
const NOT_READ = Number.NaN;

/**
 * Repeated strings (device, patient, ward, bed: one set per monitor) come back as one string each: the
 * bytes are hashed while they are checked, and a hit costs a byte comparison instead of a new string,
 * and hands every later Map lookup a string whose hash V8 already knows.
 */
const INTERN_SLOTS = 4096;
const INTERN_MAX_BYTES = 64;
const internHashes = new Int32Array(INTERN_SLOTS);
const internLengths = new Int32Array(INTERN_SLOTS).fill(-1);
const internBytes = new Uint8Array(INTERN_SLOTS * INTERN_MAX_BYTES);
const internStrings: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS);

class Reader {
  bytes: Buffer = Buffer.alloc(0);
  /** A view of the whole ArrayBuffer under `bytes` (kept while the buffer stays the same), and where `bytes` starts in it. */
  view: DataView = new DataView(new ArrayBuffer(0));
  base = 0;
  at = 0;
  end = 0;

  literal(expected: Literal): boolean {
    const { bytes, at, view } = this;
    const length = expected.bytes.length;
    if (at + length > this.end) return false;
    const { words } = expected;
    const base = this.base + at;
    for (let k = 0; k < words.length; k += 1) if (view.getInt32(base + k * 4, true) !== words[k]) return false;
    for (let k = words.length * 4; k < length; k += 1) if (bytes[at + k] !== expected.bytes[k]) return false;
    this.at = at + length;
    return true;
  }

  /**
   * Printable ASCII up to the next quote (not consumed), as a string (interned: the same string object
   * for the same bytes), within `rule`; undefined for anything else.
   */
  string(rule: StringRule | null, intern = true): string | undefined {
    const { bytes, end } = this;
    const start = this.at;
    let hash = 0x811c9dc5;
    let i = start;
    for (; i < end; i += 1) {
      const byte = bytes[i]!;
      const kind = STRING_BYTE[byte]!;
      if (kind !== 0) {
        if (kind === 1) break;
        return undefined;
      }
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    if (i === end) return undefined;
    this.at = i;
    const text = intern ? this.intern(start, i, hash) : this.bytes.toString('latin1', start, i);
    if (rule !== null && (text.length < rule.min || text.length > rule.max || (rule.pattern !== null && !rule.pattern.test(text)))) return undefined;
    return text;
  }

  /** A JSON number in plain notation within `rule`, null where allowed, else NaN. */
  number(rule: NumberRule, nullable: boolean): number | null {
    if (nullable && this.bytes[this.at] === 0x6e) return this.literal(NULL) ? null : NOT_READ;
    const { bytes, end } = this;
    let i = this.at;
    const negative = bytes[i] === 0x2d;
    if (negative) i += 1;
    const first = i;
    let value = 0;
    while (i < end && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) value = value * 10 + (bytes[i++]! - 0x30);
    let digits = i - first;
    if (digits === 0 || (digits > 1 && bytes[first] === 0x30)) return NOT_READ;
    let fraction = 0;
    if (i < end && bytes[i] === 0x2e) {
      i += 1;
      const fractionStart = i;
      while (i < end && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) value = value * 10 + (bytes[i++]! - 0x30);
      fraction = i - fractionStart;
      if (fraction === 0) return NOT_READ;
      digits += fraction;
    }
    if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) return NOT_READ;
    // Up to 15 digits every step is exact; a 16-digit integer is exact when it stays a safe integer.
    if (digits > EXACT_DIGITS && (fraction > 0 || value > Number.MAX_SAFE_INTEGER)) return NOT_READ;
    if (fraction > 0) value /= POWERS_OF_TEN[fraction]!;
    if (negative) value = -value;
    if (!(value >= rule.min && value <= rule.max) || (rule.integer && !Number.isSafeInteger(value))) return NOT_READ;
    this.at = i;
    return value;
  }

  /** 1 for true, 0 for false, -1 for anything else. */
  boolean(): number {
    if (this.literal(TRUE)) return 1;
    return this.literal(FALSE) ? 0 : -1;
  }

  private intern(start: number, end: number, hash: number): string {
    const length = end - start;
    if (length > INTERN_MAX_BYTES) return this.bytes.toString('latin1', start, end);
    const slot = (hash >>> 0) & (INTERN_SLOTS - 1);
    if (internLengths[slot] === length && internHashes[slot] === hash) {
      const base = slot * INTERN_MAX_BYTES;
      let same = true;
      for (let k = 0; k < length; k += 1) {
        if (internBytes[base + k] !== this.bytes[start + k]) {
          same = false;
          break;
        }
      }
      if (same) return internStrings[slot]!;
    }
    const text = this.bytes.toString('latin1', start, end);
    internHashes[slot] = hash;
    internLengths[slot] = length;
    internBytes.set(this.bytes.subarray(start, end), slot * INTERN_MAX_BYTES);
    internStrings[slot] = text;
    return text;
  }
}

const reader = new Reader();

/** The message in `bytes`, when they are a valid vitals/1 message in the simulator's layout; else undefined. */
export function readCanonicalVitalsV1(bytes: Uint8Array): VitalsV1 | undefined {
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) return undefined;
  const r = reader;
  r.bytes = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (r.view.buffer !== bytes.buffer) r.view = new DataView(bytes.buffer);
  r.base = bytes.byteOffset;
  r.at = 0;
  r.end = bytes.byteLength;
  if (!r.literal(HEAD)) return undefined;
  const device_id = r.string(RULES.device_id);
  if (device_id === undefined || !r.literal(PATIENT_ID)) return undefined;
  const patient_id = r.string(RULES.patient_id);
  if (patient_id === undefined || !r.literal(SEQ)) return undefined;
  const seq = r.number(RULES.seq, false) as number;
  if (Number.isNaN(seq) || !r.literal(TIMESTAMP)) return undefined;
  // Timestamps differ from message to message: not worth a slot of the intern table.
  const timestamp = r.string(RULES.timestamp, false);
  if (timestamp === undefined || !r.literal(HEART_RATE)) return undefined;
  const heart_rate = r.number(RULES.heart_rate, true);
  if (Number.isNaN(heart_rate) || !r.literal(SPO2)) return undefined;
  const spo2 = r.number(RULES.spo2, true);
  if (Number.isNaN(spo2) || !r.literal(RESPIRATORY_RATE)) return undefined;
  const respiratory_rate = r.number(RULES.respiratory_rate, true);
  if (Number.isNaN(respiratory_rate) || !r.literal(SYSTOLIC_BP)) return undefined;
  const systolic_bp = r.number(RULES.systolic_bp, true);
  if (Number.isNaN(systolic_bp) || !r.literal(DIASTOLIC_BP)) return undefined;
  const diastolic_bp = r.number(RULES.diastolic_bp, true);
  if (Number.isNaN(diastolic_bp) || !r.literal(TEMPERATURE_C)) return undefined;
  const temperature_c = r.number(RULES.temperature_c, true);
  if (Number.isNaN(temperature_c) || !r.literal(ON_OXYGEN)) return undefined;
  const oxygen = r.boolean();
  if (oxygen < 0) return undefined;
  let spo2_scale: number | undefined;
  if (r.literal(SPO2_SCALE)) {
    spo2_scale = r.number(SPO2_SCALE_RULE, false) as number;
    if (!RULES.spo2_scales.has(spo2_scale)) return undefined;
  }
  if (!r.literal(WARD)) return undefined;
  const ward = r.string(RULES.ward);
  if (ward === undefined || !r.literal(BED)) return undefined;
  const bed = r.string(RULES.bed);
  if (bed === undefined || !r.literal(CONSCIOUSNESS)) return undefined;
  let consciousness: string | null = null;
  if (!r.literal(NULL)) {
    if (!r.literal(QUOTE_BYTE)) return undefined;
    const level = r.string(null);
    if (level === undefined || !RULES.consciousness.has(level)) return undefined;
    consciousness = level;
    r.at += 1;
  }
  let quality: string[] | undefined;
  if (r.literal(QUALITY)) {
    quality = readQuality(r);
    if (quality === undefined) return undefined;
  }
  if (!r.literal(BATTERY_PCT)) return undefined;
  const battery_pct = r.number(RULES.battery_pct, false) as number;
  if (Number.isNaN(battery_pct) || r.bytes[r.at] !== 0x7d || r.at + 1 !== r.end) return undefined;
  const message: VitalsV1 = {
    schema: RULES.schema, device_id, patient_id, seq, timestamp, heart_rate, spo2, respiratory_rate, systolic_bp, diastolic_bp,
    temperature_c, on_oxygen: oxygen === 1, ward, bed, consciousness: consciousness as VitalsV1['consciousness'], battery_pct,
  };
  if (spo2_scale !== undefined) message.spo2_scale = spo2_scale as 1 | 2;
  if (quality !== undefined) message.quality = quality as VitalsV1['quality'];
  return message;
}

/** Any number: the scale is checked against the schema's options. */
const SPO2_SCALE_RULE: NumberRule = { min: -Infinity, max: Infinity, integer: false };
const QUOTE_BYTE = bytesOf('"');
const LIST_END = 0x5d;
const COMMA = 0x2c;

/** `"flag","flag"]` (after the opening bracket), each flag one of the schema's, at most as many as it allows. */
function readQuality(r: Reader): string[] | undefined {
  const flags: string[] = [];
  if (r.bytes[r.at] === LIST_END) {
    r.at += 1;
    return flags;
  }
  for (;;) {
    if (!r.literal(QUOTE_BYTE)) return undefined;
    const flag = r.string(null);
    if (flag === undefined || !RULES.quality_flags.has(flag)) return undefined;
    flags.push(flag);
    r.at += 1;
    const next = r.bytes[r.at];
    r.at += 1;
    if (next === LIST_END) return flags.length <= RULES.quality_max ? flags : undefined;
    if (next !== COMMA) return undefined;
  }
}
