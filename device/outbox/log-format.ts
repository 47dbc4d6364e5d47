/**
 * The outbox log format (pure): one record per line, appended, never edited in place.
 *
 *   M <thing> <seq> <payload>   a message, written before it is sent
 *   A <thing> <seq>             acknowledged (PUBACK): done
 *   D <thing> <seq>             dropped because the device's queue was full (counted)
 *   S <thing> <lastSeq>         snapshot of the last seq handed out (written by compaction)
 *   P <thing> <savedAtMs> <json> the monitor's patient state (physiology, scenario progress); the latest wins
 *
 * Thing names never contain spaces and JSON payloads never contain a raw newline, so a line needs no
 * escaping. A crash can only tear the last line: a line without its newline is ignored on replay.
 */
export type LogRecord =
  | { kind: 'M' | 'P'; thing: string; seq: number; payload: string }
  | { kind: 'A' | 'D' | 'S'; thing: string; seq: number };

export function messageLine(thing: string, seq: number, payload: string): string {
  return `${messagePrefix(thing, seq)}${payload}\n`;
}

/** A message line up to its payload: writers that copy the payload on their own append prefix, payload, "\n". */
export function messagePrefix(thing: string, seq: number): string {
  return `M ${thing} ${seq} `;
}

/** A patient-state line: `seq` holds the wall-clock ms it was saved at. */
export function patientLine(thing: string, savedAtMs: number, state: string): string {
  return `P ${thing} ${savedAtMs} ${state}\n`;
}

export function markLine(kind: 'A' | 'D' | 'S', thing: string, seq: number): string {
  return `${kind} ${thing} ${seq}\n`;
}

/** Parses one line (without its newline); undefined for anything malformed. */
export function parseLine(line: string): LogRecord | undefined {
  const kind = line[0];
  if (line[1] !== ' ' || (kind !== 'M' && kind !== 'P' && kind !== 'A' && kind !== 'D' && kind !== 'S')) return undefined;
  const thingEnd = line.indexOf(' ', 2);
  if (thingEnd < 0) return undefined;
  const thing = line.slice(2, thingEnd);
  const withPayload = kind === 'M' || kind === 'P';
  const seqEnd = withPayload ? line.indexOf(' ', thingEnd + 1) : line.length;
  if (seqEnd < 0) return undefined;
  const seqText = line.slice(thingEnd + 1, seqEnd);
  if (!/^\d{1,16}$/.test(seqText) || thing.length === 0) return undefined;
  const seq = Number(seqText);
  if (withPayload) return { kind, thing, seq, payload: line.slice(seqEnd + 1) };
  return { kind, thing, seq };
}

/**
 * Splits a log's text into complete records. Returns how many bytes were complete lines: anything after
 * (a torn last write) should be truncated before appending again.
 */
export function parseLog(text: string): { records: LogRecord[]; completeBytes: number; malformed: number } {
  const records: LogRecord[] = [];
  let malformed = 0;
  let start = 0;
  let completeChars = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end < 0) break;
    const record = parseLine(text.slice(start, end));
    if (record) records.push(record);
    else malformed++;
    start = end + 1;
    completeChars = start;
  }
  return { records, completeBytes: Buffer.byteLength(text.slice(0, completeChars)), malformed };
}
