/**
 * kinesalite: the Kinesis API on 127.0.0.1, persisted on disk (leveldown) or in memory.
 * Started in-process by the local stack and by tests; spoken to only through @aws-sdk/client-kinesis.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
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

export async function startKinesalite(options: KinesaliteOptions = {}): Promise<RunningKinesalite> {
  const factory = require('kinesalite') as KinesaliteFactory;
  if (options.path !== undefined) mkdirSync(options.path, { recursive: true });
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
