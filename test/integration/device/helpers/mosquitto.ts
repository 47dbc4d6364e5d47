/**
 * An external mosquitto for tests and the fleet benchmark: 127.0.0.1 on a free port, plain or mutual TLS,
 * no persistence, unlimited connections. Stoppable (SIGTERM) and killable (SIGKILL), and restartable on the
 * same port, so outage tests can cut the broker away from under running monitors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from '../../../support/net.ts';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

export interface MosquittoTls {
  caPath: string;
  certPath: string;
  keyPath: string;
}

export interface RunningMosquitto {
  host: string;
  port: number;
  url: string;
  pid(): number | undefined;
  /** Stops the broker (SIGKILL when `hard`); the port stays reserved for restart(). */
  stop(hard?: boolean): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export { freePort } from '../../../support/net.ts';

async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startMosquitto(options: { tls?: MosquittoTls; port?: number } = {}): Promise<RunningMosquitto> {
  const host = '127.0.0.1';
  const port = options.port ?? await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  const lines = [
    `listener ${port} ${host}`,
    'allow_anonymous true',
    'max_connections -1',
    'persistence false',
    'log_dest none',
    // Run as whoever runs the tests: as root, mosquitto would switch to "mosquitto" and lose the 0600 keys.
    `user ${userInfo().username}`,
    // Monitors replay their outbox after an outage: let a burst through without queueing limits.
    'max_queued_messages 10000',
  ];
  if (options.tls) {
    lines.push(`cafile ${options.tls.caPath}`, `certfile ${options.tls.certPath}`, `keyfile ${options.tls.keyPath}`,
      'require_certificate true', 'use_identity_as_username true');
  }
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, `${lines.join('\n')}\n`);
  let child: ChildProcess | undefined;

  const launch = async () => {
    // A high open-files limit: thousands of monitors are thousands of sockets.
    child = spawn('/bin/sh', ['-c', `ulimit -n 200000 2>/dev/null || ulimit -n 65536 2>/dev/null; exec ${MOSQUITTO_BIN} -c ${config}`], { stdio: 'ignore' });
    await waitForPort(host, port, 10_000);
  };
  const stop = async (hard = false) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(hard ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    host, port,
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${host}:${port}`,
    pid: () => child?.pid,
    stop,
    restart: async () => { await stop(); await launch(); },
    close: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}
