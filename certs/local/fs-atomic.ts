/**
 * Crash- and race-safe file writes for the certs directory. Several processes may call `ensure*` on the
 * same directory at once (parallel test workers, `npm start` next to `npm run certs`): whole files and
 * whole directories appear atomically via rename, and the registry is updated under a lock.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RegistryLockTimeoutError } from './errors.ts';

export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

/**
 * Fills a fresh directory with `files` and renames it to `target`. Returns false (and cleans up) when
 * another writer got there first: the caller then reads the winner's files, so everyone agrees.
 */
export function publishDirectory(target: string, files: Record<string, { data: string; mode: number }>): boolean {
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), '.staging-'));
  try {
    for (const [name, { data, mode }] of Object.entries(files)) writeFileSync(join(staging, name), data, { mode });
    // mkdtemp makes 0700; the certificates are public (a broker under another user reads them), keys are 0600.
    chmodSync(staging, 0o755);
    renameSync(staging, target);
    return true;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
}

const LOCK_POLL_MS = 20;
/** A lock untouched this long belongs to a crashed process; a live holder touches it every few seconds. */
const STALE_LOCK_MS = 60_000;
const HEARTBEAT_MS = 5_000;

/** Runs `fn` holding a directory lock (mkdir is atomic); waits at most `timeoutMs` for it. */
export async function withDirectoryLock<T>(lockDir: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(lockDir)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new RegistryLockTimeoutError(
          `${lockDir} has been held by another process for over ${timeoutMs} ms; if no other "certs" command ` +
            'is running, delete that directory and retry',
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  // Long runs (10,000 devices take minutes on a busy machine) keep the lock fresh so no one breaks it.
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lockDir, now, now);
    } catch {
      // the lock vanished: the holder finishes anyway and the finally below is a no-op
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function isStale(lockDir: string): boolean {
  try {
    return Date.now() - statSync(lockDir).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false;
  }
}
