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
import { AsciiReader, literalOf } from './ascii-bytes.ts';
import { VITALS_V1_RULES as RULES, type NumberRule, type StringRule } from './fast-vitals-v1.ts';
import { canonicalUtcMillisOfBytes } from './timestamps.ts';
import { MAX_PAYLOAD_BYTES, type VitalsV1 } from './vitals-v1.ts';

const HEAD = literalOf(`{"schema":${JSON.stringify(RULES.schema)},"device_id":"`);
const PATIENT_ID = literalOf('","patient_id":"');
const SEQ = literalOf('","seq":');
const TIMESTAMP = literalOf(',"timestamp":"');
const HEART_RATE = literalOf('","heart_rate":');
const SPO2 = literalOf(',"spo2":');
const RESPIRATORY_RATE = literalOf(',"respiratory_rate":');
const SYSTOLIC_BP = literalOf(',"systolic_bp":');
const DIASTOLIC_BP = literalOf(',"diastolic_bp":');
const TEMPERATURE_C = literalOf(',"temperature_c":');
const ON_OXYGEN = literalOf(',"on_oxygen":');
const SPO2_SCALE = literalOf(',"spo2_scale":');
const WARD = literalOf(',"ward":"');
const BED = literalOf('","bed":"');
const CONSCIOUSNESS = literalOf('","consciousness":');
const QUALITY = literalOf(',"quality":[');
const BATTERY_PCT = literalOf(',"battery_pct":');
const NULL = literalOf('null');
const TRUE = literalOf('true');
const FALSE = literalOf('false');
const QUOTE = literalOf('"');

/** Which check an interned string passed (AsciiReader keeps a bit per check per distinct string). */
const CHECKED = { device_id: 1, patient_id: 2, ward: 4, bed: 8, consciousness: 16, quality: 32 } as const;

/** Significant digits that always make an exact double (and M / 10^k then rounds as JSON.parse does). */
const EXACT_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Marks a number the fast path does not read; no JSON number parses to NaN. */
const NOT_READ = Number.NaN;
/** Any number: the scale is checked against the schema's options. */
const ANY_NUMBER: NumberRule = { min: -Infinity, max: Infinity, integer: false };

class VitalsReader extends AsciiReader {
  /** A string field within `rule`, interned; the rule is checked once per distinct value. */
  checkedString(rule: StringRule, bit: number): string | undefined {
    const end = this.stringEnd();
    if (end < 0) return undefined;
    const text = this.intern(end);
    if (!this.passedBefore(bit)) {
      if (text.length < rule.min || text.length > rule.max || (rule.pattern !== null && !rule.pattern.test(text))) return undefined;
      this.recordPassed(bit);
    }
    return text;
  }

  /** A quoted string that must be one of `options` (ACVPU, quality flags), interned. */
  option(options: ReadonlySet<unknown>, bit: number): string | undefined {
    if (!this.literal(QUOTE)) return undefined;
    const end = this.stringEnd();
    if (end < 0) return undefined;
    const text = this.intern(end);
    if (!this.passedBefore(bit)) {
      if (!options.has(text)) return undefined;
      this.recordPassed(bit);
    }
    this.at += 1;
    return text;
  }

  /** A JSON number in plain notation within `rule`, null where allowed, else NaN. */
  number(rule: NumberRule, nullable: boolean): number | null {
    const { bytes, end } = this;
    if (nullable && bytes[this.at] === 0x6e) return this.literal(NULL) ? null : NOT_READ;
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

  /** `"flag","flag"]` (after the opening bracket), each a schema flag, at most as many as the schema allows. */
  quality(): string[] | undefined {
    const flags: string[] = [];
    if (this.bytes[this.at] === 0x5d) {
      this.at += 1;
      return flags;
    }
    for (;;) {
      const flag = this.option(RULES.quality_flags, CHECKED.quality);
      if (flag === undefined) return undefined;
      flags.push(flag);
      const next = this.bytes[this.at];
      this.at += 1;
      if (next === 0x5d) return flags.length <= RULES.quality_max ? flags : undefined;
      if (next !== 0x2c) return undefined;
    }
  }
}

const reader = new VitalsReader();

/** Where readCanonicalVitalsV1 leaves the measurement time it read with the timestamp (NaN: not canonical). */
export interface CanonicalExtras {
  measuredAt: number;
}

/** The message in `bytes`, when they are a valid vitals/1 message in the simulator's layout; else undefined. */
export function readCanonicalVitalsV1(bytes: Uint8Array, extras?: CanonicalExtras): VitalsV1 | undefined {
  const buffer = bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readCanonicalVitalsV1At(buffer, 0, buffer.byteLength, extras);
}

/** readCanonicalVitalsV1 of `buffer[start, end)`, without a view of its own (the ETL reads payloads in its arena). */
export function readCanonicalVitalsV1At(buffer: Buffer, start: number, end: number, extras?: CanonicalExtras): VitalsV1 | undefined {
  // (An early exit: no valid message of this layout comes near the limit.)
  if (end - start > MAX_PAYLOAD_BYTES) return undefined;
  const r = reader;
  r.reset(buffer, start, end);
  if (!r.literal(HEAD)) return undefined;
  const device_id = r.checkedString(RULES.device_id, CHECKED.device_id);
  if (device_id === undefined || !r.literal(PATIENT_ID)) return undefined;
  const patient_id = r.checkedString(RULES.patient_id, CHECKED.patient_id);
  if (patient_id === undefined || !r.literal(SEQ)) return undefined;
  const seq = r.number(RULES.seq, false) as number;
  if (Number.isNaN(seq) || !r.literal(TIMESTAMP)) return undefined;
  const timestamp = readTimestamp(r, extras);
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
    spo2_scale = r.number(ANY_NUMBER, false) as number;
    if (!RULES.spo2_scales.has(spo2_scale)) return undefined;
  }
  if (!r.literal(WARD)) return undefined;
  const ward = r.checkedString(RULES.ward, CHECKED.ward);
  if (ward === undefined || !r.literal(BED)) return undefined;
  const bed = r.checkedString(RULES.bed, CHECKED.bed);
  if (bed === undefined || !r.literal(CONSCIOUSNESS)) return undefined;
  let consciousness: string | null = null;
  if (!r.literal(NULL)) {
    const level = r.option(RULES.consciousness, CHECKED.consciousness);
    if (level === undefined) return undefined;
    consciousness = level;
  }
  let quality: string[] | undefined;
  if (r.literal(QUALITY)) {
    quality = r.quality();
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

/**
 * The timestamp: in toISOString's own form (nearly always) it also matches the schema's pattern, so the
 * pattern is tested only for the other forms; its epoch ms goes to `extras` for the validator.
 */
function readTimestamp(r: VitalsReader, extras: CanonicalExtras | undefined): string | undefined {
  const end = r.stringEnd();
  if (end < 0) return undefined;
  const measuredAt = canonicalUtcMillisOfBytes(r.bytes, r.at, end);
  // Timestamps differ from message to message: not worth a slot of the intern table.
  const text = r.text(end);
  if (extras !== undefined) extras.measuredAt = measuredAt ?? Number.NaN;
  if (measuredAt !== undefined) return text;
  const rule = RULES.timestamp;
  return text.length >= rule.min && text.length <= rule.max && (rule.pattern === null || rule.pattern.test(text)) ? text : undefined;
}

