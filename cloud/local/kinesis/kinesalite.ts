/**
 * kinesalite: the Kinesis API on 127.0.0.1, persisted on disk (leveldown) or in memory.
 * Started in-process by the local stack and by tests; spoken to only through @aws-sdk/client-kinesis.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo, Server } from 'node:net';

const require = createRequire(import.meta.url);

export interface KinesaliteOptions {
  /** Directory for the on-disk store; omit for an in-memory stream (tests). */
  path?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Milliseconds kinesalite waits before a created stream becomes ACTIVE (AWS takes seconds; tests 0). */
  createStreamMs?: number;
}

export interface RunningKinesalite {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

type KinesaliteFactory = (options: Record<string, unknown>) => Server;

/** The on-disk store is open in another process (LevelDB allows one): usually another npm start. */
export class KinesisStoreLockedError extends Error {
  override readonly name = 'KinesisStoreLockedError';
  constructor(readonly path: string, readonly holder: { pid: number; command: string } | undefined, options?: ErrorOptions) {
    super(`the stream store ${path} is in use by ${holder ? `process ${holder.pid} (${holder.command})` : 'another process'}`, options);
  }
}

export async function startKinesalite(options: KinesaliteOptions = {}): Promise<RunningKinesalite> {
  const factory = require('kinesalite') as KinesaliteFactory;
  if (options.path !== undefined) {
    mkdirSync(options.path, { recursive: true });
    // kinesalite opens LevelDB lazily and a failed open is an uncaught 'error' event: try the lock first.
    await probeStoreLock(options.path);
  }
  const server = factory({
    path: options.path,
    createStreamMs: options.createStreamMs ?? 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 100,
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE'
        ? new Error(`kinesalite cannot listen on ${host}:${options.port}: the port is in use. Stop the other process or pick another port.`, { cause: error })
        : error);
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // kinesalite keeps HTTP keep-alive sockets open; without this, close() waits for clients to go.
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}

interface LevelDown {
  open(callback: (error?: Error) => void): void;
  close(callback: (error?: Error) => void): void;
}

async function probeStoreLock(path: string): Promise<void> {
  const store = (require('leveldown') as (location: string) => LevelDown)(path);
  const error = await new Promise<Error | undefined>((done) => store.open(done));
  if (error === undefined) {
    await new Promise<void>((done) => store.close(() => done()));
    return;
  }
  if (/lock/i.test(error.message)) throw new KinesisStoreLockedError(path, lockHolder(join(path, 'LOCK')), { cause: error });
  throw error;
}

/** The process holding a file open, from /proc (Linux); undefined elsewhere or when not found. */
export function lockHolder(file: string): { pid: number; command: string } | undefined {
  const target = resolve(file);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let link: string;
      try { link = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
      if (link === target) {
        let command = '';
        try { command = readableCommand(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)); } catch { /* gone */ }
        return { pid: Number(pid), command };
      }
    }
  }
  return undefined;
}

/** `node --require .../tsx/preflight.cjs --import .../tsx/loader.mjs cloud/local/cli/start.ts` -> `node cloud/local/cli/start.ts`. */
function readableCommand(argv: string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--require' || argv[i] === '-r' || argv[i] === '--import' || argv[i] === '--loader') i++;
    else kept.push(i === 0 ? argv[i]!.replace(/^.*\//, '') : argv[i]!);
  }
  const command = kept.join(' ');
  return command.length > 120 ? `${command.slice(0, 117)}...` : command;
}
