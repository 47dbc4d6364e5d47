/** Timestamps of the contract: the fast reading of toISOString's own form. */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number in text[from, to) when it is all ASCII digits, else -1. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Epoch ms of a timestamp that is exactly what `toISOString` would print for it (YYYY-MM-DDTHH:MM:SS.mmmZ,
 * a real date, year 1000-9999), so that Date.parse and toISOString can be skipped; undefined for anything
 * else (other fraction lengths, 24:00, 29 February of a common year...), which takes the Date.parse path.
 */
export function canonicalUtcMillis(text: string): number | undefined {
  if (text.length !== 24 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':'
    || text[16] !== ':' || text[19] !== '.' || text[23] !== 'Z') return undefined;
  return utcMillis(digitsAt(text, 0, 4), digitsAt(text, 5, 7), digitsAt(text, 8, 10), digitsAt(text, 11, 13),
    digitsAt(text, 14, 16), digitsAt(text, 17, 19), digitsAt(text, 20, 23));
}

/** canonicalUtcMillis of the 24 ASCII bytes at `bytes[at]` (the byte reader's path: no string needed). */
export function canonicalUtcMillisOfBytes(bytes: Uint8Array, at: number, end: number): number | undefined {
  if (end - at !== 24 || bytes[at + 4] !== 0x2d || bytes[at + 7] !== 0x2d || bytes[at + 10] !== 0x54 || bytes[at + 13] !== 0x3a
    || bytes[at + 16] !== 0x3a || bytes[at + 19] !== 0x2e || bytes[at + 23] !== 0x5a) return undefined;
  return utcMillis(byteDigitsAt(bytes, at, 4), byteDigitsAt(bytes, at + 5, 2), byteDigitsAt(bytes, at + 8, 2), byteDigitsAt(bytes, at + 11, 2),
    byteDigitsAt(bytes, at + 14, 2), byteDigitsAt(bytes, at + 17, 2), byteDigitsAt(bytes, at + 20, 3));
}

/** The number in the `count` ASCII digits at `bytes[from]`, else -1. */
function byteDigitsAt(bytes: Uint8Array, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i += 1) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The instant, when the fields make a real date and time (a digit field that was not digits is -1). */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number | undefined {
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
    || second < 0 || second > 59 || millis < 0) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}
