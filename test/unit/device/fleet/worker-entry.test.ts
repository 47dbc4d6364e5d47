import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LITE_WORKER_V8_FLAGS, workerEntry } from '../../../../device/fleet/worker-entry.ts';

describe('workerEntry', () => {
  it('bundles the worker to plain JavaScript that loads no TypeScript loader and none of the heavy modules', () => {
    const entry = workerEntry('mqtt');
    expect(entry.fallbackReason).toBeUndefined();
    expect(entry.modulePath).toMatch(/node_modules\/\.cache\/healthcare-realtime-datalake\/fleet-worker-[0-9a-f]{16}\/fleet-worker\.mjs$/);
    expect(existsSync(entry.modulePath)).toBe(true);
    expect(entry.execArgv).toEqual([]);
    const code = readFileSync(entry.modulePath, 'utf8');
    // The transports stay separate chunks, imported on demand; the X.509 toolkit and zod are not needed.
    for (const heavy of ['"mqtt"', '"aws-iot-device-sdk-v2"', '"@peculiar/x509"', '"zod"', '"mqtt-packet"']) {
      expect(code, heavy).not.toContain(`from ${heavy}`);
    }
  });

  it('gives lite workers the lean heap flags and the others none', () => {
    expect(workerEntry('lite').execArgv).toEqual([...LITE_WORKER_V8_FLAGS]);
    expect(workerEntry('crt').execArgv).toEqual([]);
  });

  it('starts a bundled worker with plain node: it loads and says it is ready', () => {
    const { modulePath } = workerEntry('lite');
    // Forked as the runner does (IPC channel), the worker's first message is {type: 'ready'}.
    const script = `const { fork } = require('node:child_process'); const c = fork(${JSON.stringify(modulePath)}, [], { execArgv: ${JSON.stringify([...LITE_WORKER_V8_FLAGS])} }); c.on('message', (m) => { console.log(JSON.stringify(m)); c.kill(); });`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 }).trim())).toEqual({ type: 'ready' });
  });

  it('falls back to tsx when asked (FLEET_WORKER_LOADER=tsx), and says why', () => {
    const script = `import('./device/fleet/worker-entry.ts').then((m) => console.log(JSON.stringify(m.workerEntry('mqtt'))))`;
    const entry = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, FLEET_WORKER_LOADER: 'tsx' }, timeout: 20_000 }).trim()) as ReturnType<typeof workerEntry>;
    expect(entry.modulePath).toMatch(/device\/fleet\/worker\.ts$/);
    expect(entry.execArgv).toEqual(['--import', 'tsx']);
    expect(entry.fallbackReason).toMatch(/FLEET_WORKER_LOADER=tsx/);
  });
});
