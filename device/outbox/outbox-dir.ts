/**
 * Opens the outbox of a set of things inside an outbox directory, whatever logs hold their histories.
 * Under the directory lock it reads every log of the directory (and of older directories still to be
 * adopted), writes this process's things' histories into a new log of its own (write, fsync, rename),
 * then rewrites each source log without them, removing logs left empty. A crash between the two steps
 * leaves a thing's lines in two logs, which the next open folds together again (thing-history.ts).
 *
 * The caller must hold the claim on the things (claims.ts): then no live process writes any log that
 * holds them, and moving lines out of a log cannot race with its writer.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { withDirLock } from './dir-lock.ts';
import { parseLog, type LogRecord } from './log-format.ts';
import { Outbox, type OutboxLimits } from './outbox.ts';
import { foldHistories, historyText } from './thing-history.ts';

export interface OpenForThingsOptions {
  dir: string;
  /** Start of the new log's name (e.g. `things-1-25`, `monitor-bedside-0001`); a unique suffix follows. */
  label: string;
  things: readonly string[];
  /** Directories of an older layout whose logs are adopted too (read and emptied of these things). */
  adoptFrom?: readonly string[];
  limits?: Partial<OutboxLimits>;
  now?: () => number;
}

export interface OpenedOutbox {
  outbox: Outbox;
  /** Logs these things' histories were moved out of. */
  movedFrom: number;
  /** Things that had a history (seq, pending messages or patient state) before this open. */
  resumed: number;
}

export const OUTBOX_LOG_SUFFIX = '.log';

function logsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith(OUTBOX_LOG_SUFFIX)).map((name) => join(dir, name));
}

export function writeFileAtomic(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

export function openOutboxForThings(options: OpenForThingsOptions): OpenedOutbox {
  const mine = new Set(options.things);
  const isMine = (thing: string) => mine.has(thing);
  return withDirLock(options.dir, () => {
    const sources: { path: string; others: LogRecord[] }[] = [];
    const found: LogRecord[][] = [];
    for (const path of [...logsIn(options.dir), ...(options.adoptFrom ?? []).flatMap(logsIn)]) {
      const { records } = parseLog(readFileSync(path, 'utf8'));
      const own = records.filter((record) => isMine(record.thing));
      if (own.length === 0) continue;
      found.push(own);
      sources.push({ path, others: records.filter((record) => !isMine(record.thing)) });
    }
    const histories = foldHistories(found);
    const target = join(options.dir, `${options.label}-${randomBytes(4).toString('hex')}${OUTBOX_LOG_SUFFIX}`);
    writeFileAtomic(target, historyText(histories));
    for (const source of sources) {
      if (source.others.length === 0) rmSync(source.path, { force: true });
      else writeFileAtomic(source.path, historyText(foldHistories([source.others])));
    }
    return { outbox: Outbox.open(target, options.limits, options.now), movedFrom: sources.length, resumed: histories.size };
  });
}
