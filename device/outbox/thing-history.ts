/**
 * A thing's outbox history, folded from log records wherever they were written (pure). The seq, the
 * pending messages and the patient state belong to the thing, not to the file or the fleet layout that
 * wrote them: a fleet that restarts with another --count, worker count or shard gathers each of its
 * things' histories from every log of the directory (outbox-dir.ts) and carries on from them.
 */
import { markLine, messageLine, patientLine, type LogRecord } from './log-format.ts';

export interface ThingHistory {
  /** The highest seq ever handed out: the next one is above it, whatever else happens. */
  lastSeq: number;
  /** Messages written and neither acknowledged nor dropped, by seq. */
  pending: Map<number, string>;
  patient: { savedAtMs: number; state: string } | undefined;
}

/**
 * Folds the records of several logs into histories, for the things `keep` accepts. A seq acknowledged
 * or dropped in any log is done, whichever log holds its message line (a move interrupted by a crash
 * leaves a thing's lines in two logs; folding them again is harmless).
 */
export function foldHistories(logs: readonly (readonly LogRecord[])[], keep: (thing: string) => boolean = () => true): Map<string, ThingHistory> {
  const histories = new Map<string, ThingHistory>();
  const done = new Map<string, Set<number>>();
  const history = (thing: string): ThingHistory => {
    let found = histories.get(thing);
    if (!found) {
      found = { lastSeq: 0, pending: new Map(), patient: undefined };
      histories.set(thing, found);
    }
    return found;
  };
  for (const records of logs) {
    for (const record of records) {
      if (!keep(record.thing)) continue;
      const h = history(record.thing);
      switch (record.kind) {
        case 'M':
          if (!h.pending.has(record.seq)) h.pending.set(record.seq, record.payload);
          if (record.seq > h.lastSeq) h.lastSeq = record.seq;
          break;
        case 'S':
          if (record.seq > h.lastSeq) h.lastSeq = record.seq;
          break;
        case 'P':
          if (!h.patient || record.seq >= h.patient.savedAtMs) h.patient = { savedAtMs: record.seq, state: record.payload };
          break;
        default: {
          let set = done.get(record.thing);
          if (!set) done.set(record.thing, (set = new Set()));
          set.add(record.seq);
        }
      }
    }
  }
  for (const [thing, set] of done) {
    const h = histories.get(thing)!;
    for (const seq of set) h.pending.delete(seq);
  }
  return histories;
}

/** The shortest log that replays to these histories: a seq snapshot, the patient state, pending messages in order. */
export function historyText(histories: ReadonlyMap<string, ThingHistory>): string {
  const lines: string[] = [];
  for (const [thing, h] of histories) {
    lines.push(markLine('S', thing, h.lastSeq));
    if (h.patient) lines.push(patientLine(thing, h.patient.savedAtMs, h.patient.state));
    for (const seq of [...h.pending.keys()].sort((a, b) => a - b)) lines.push(messageLine(thing, seq, h.pending.get(seq)!));
  }
  return lines.join('');
}
