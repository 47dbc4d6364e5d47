/**
 * The IoT rule's envelope read without JSON.parse, for the shape the rules engine writes: one flat object
 * of strings without escapes and integers, no whitespace. JSON.parse cost as much as the rest of the
 * unwrap, most of it scanning and copying the 400-character base64 payload; here the payload is located
 * with indexOf, and the caller decodes it from the envelope text.
 *
 * Anything outside that shape (an escape, whitespace, a nested value, a fraction, a control character in
 * a key or name) gives undefined and the caller parses the text with JSON.parse, so the outcome is always
 * JSON.parse's (property-tested: test/unit/cloud/etl/envelope-scan.test.ts).
 */

export interface ScannedEnvelope {
  /** The payload's base64 text. */
  payload: string;
  /** How many bytes that base64 holds when every character of it is in the alphabet. */
  payloadBytes: number;
  thing_name: string;
  /** Undefined when absent. */
  client_id: string | undefined;
  /** Undefined when absent. */
  received_at: number | undefined;
}

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const CLOSE = 0x7d;
/** 15 digits always fit a double exactly. */
const MAX_DIGITS = 15;

export function scanEnvelope(text: string): ScannedEnvelope | undefined {
  // One backslash anywhere means an escape somewhere: JSON.parse decodes escapes.
  if (text.charCodeAt(0) !== 0x7b || text.indexOf('\\') !== -1) return undefined;
  let payloadStart = -1;
  let payloadEnd = -1;
  let thingName: string | undefined;
  let clientId: string | undefined;
  let receivedAt: number | undefined;
  let at = 1;
  for (;;) {
    if (text.charCodeAt(at) !== QUOTE) return undefined;
    const keyEnd = text.indexOf('"', at + 1);
    if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== COLON) return undefined;
    // Only the rule's four keys (an unknown one goes to JSON.parse): a known key has no control character.
    const key = text.slice(at + 1, keyEnd);
    const valueAt = keyEnd + 2;
    let next: number;
    if (key === 'received_at') {
      next = integerEnd(text, valueAt);
      if (next < 0) return undefined;
      receivedAt = integerValue(text, valueAt, next);
    } else {
      if (text.charCodeAt(valueAt) !== QUOTE) return undefined;
      const end = text.indexOf('"', valueAt + 1);
      if (end < 0) return undefined;
      next = end + 1;
      if (key === 'payload') {
        // A second payload: JSON.parse decides (only the last one's characters would be checked here,
        // and a raw control character in an earlier one makes JSON.parse reject the whole text).
        if (payloadStart >= 0) return undefined;
        payloadStart = valueAt + 1;
        payloadEnd = end;
      } else if (key === 'thing_name') {
        thingName = checkedName(text.slice(valueAt + 1, end));
        if (thingName === undefined) return undefined;
      } else if (key === 'client_id') {
        clientId = checkedName(text.slice(valueAt + 1, end));
        if (clientId === undefined) return undefined;
      } else {
        return undefined;
      }
    }
    // A repeated name or received_at is checked each time and the last one counts, as in JSON.parse.
    const separator = text.charCodeAt(next);
    if (separator === COMMA) {
      at = next + 1;
      continue;
    }
    if (separator !== CLOSE || next + 1 !== text.length) return undefined;
    break;
  }
  if (payloadStart < 0 || thingName === undefined) return undefined;
  const payloadBytes = base64Bytes(text, payloadStart, payloadEnd);
  if (payloadBytes < 0) return undefined;
  return { payload: text.slice(payloadStart, payloadEnd), payloadBytes, thing_name: thingName, client_id: clientId, received_at: receivedAt };
}

/** A name as JSON.parse would give it: JSON strings cannot hold raw control characters. */
function checkedName(name: string): string | undefined {
  for (let i = 0; i < name.length; i += 1) if (name.charCodeAt(i) < 0x20) return undefined;
  return name;
}

/** The value of the digits text[start, end) (an optional minus first): exact, at most 15 digits. */
function integerValue(text: string, start: number, end: number): number {
  const negative = text.charCodeAt(start) === 0x2d;
  let value = 0;
  for (let i = negative ? start + 1 : start; i < end; i += 1) value = value * 10 + (text.charCodeAt(i) - 0x30);
  return negative ? -value : value;
}

/** End of a JSON integer (-?(0|[1-9][0-9]*), at most 15 digits) starting at `at`, or -1. */
function integerEnd(text: string, at: number): number {
  let i = at;
  if (text.charCodeAt(i) === 0x2d) i += 1;
  const first = i;
  while (i - first <= MAX_DIGITS) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) break;
    i += 1;
  }
  const digits = i - first;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && text.charCodeAt(first) === 0x30)) return -1;
  return i;
}

/**
 * The bytes base64 text[start, end) decodes to if it is plain padded base64, else -1. Node's decoder skips
 * characters outside the alphabet, so the caller checks the decoded length against this: short means such
 * a character (a control character, say, which JSON.parse would have rejected) was there.
 */
export function base64Bytes(text: string, start: number, end: number): number {
  const length = end - start;
  if (length % 4 !== 0) return -1;
  let padding = 0;
  if (length > 0 && text.charCodeAt(end - 1) === 0x3d) padding = text.charCodeAt(end - 2) === 0x3d ? 2 : 1;
  return (length / 4) * 3 - padding;
}
