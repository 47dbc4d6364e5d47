/**
 * A short-lived lock on an outbox directory, across processes of this machine: `mkdir` is atomic, and a
 * lock left by a process that died (kill -9 mid-move) is taken over once its pid is gone. Held only for
 * the milliseconds a claim or a move of histories takes, so waiting for it blocks the thread briefly.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processIsAlive, processStartTicks } from './process-identity.ts';
import { OutboxError } from './outbox.ts';

const LOCK_DIR = '.lock';

/** Blocks the thread for `ms` (only while waiting for a lock or for another process to exit). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function withDirLock<T>(dir: string, run: () => T, timeoutMs = 15_000): T {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, LOCK_DIR);
  const owner = join(lock, 'owner');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, `${process.pid} ${processStartTicks(process.pid) ?? ''}`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pid, ticks] = readOwner(owner);
      // A lock without its owner file is being taken right now, unless it has been so for seconds (the
      // taker died between the two steps).
      if (pid !== undefined ? !processIsAlive(pid, ticks) : ageMs(lock) > 5_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new OutboxError(`the outbox directory ${dir} stays locked by process ${pid ?? '?'}: if no fleet or monitor is starting, remove ${lock}`);
      }
      sleepSync(10);
    }
  }
  try {
    return run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function readOwner(path: string): [number | undefined, number | undefined] {
  try {
    const [pid, ticks] = readFileSync(path, 'utf8').split(' ');
    return [Number(pid) || undefined, ticks ? Number(ticks) : undefined];
  } catch {
    return [undefined, undefined];
  }
}
