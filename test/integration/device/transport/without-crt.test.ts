/**
 * aws-iot-device-sdk-v2 is an optional dependency (aws-crt has no 32-bit ARM binary; npm skips it there).
 * With it unresolvable, the mqtt and lite transports still connect and publish, and `--transport crt`
 * fails with a message that says how to get it and what to use instead.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./without-crt-script.ts', import.meta.url));
const HIDE = fileURLToPath(new URL('../../../support/hide-module.mjs', import.meta.url));

describe('without aws-iot-device-sdk-v2 (optional dependency not installed)', () => {
  it('lists it as an optional dependency, not a dependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(pkg.dependencies?.['aws-iot-device-sdk-v2']).toBeUndefined();
    expect(pkg.optionalDependencies?.['aws-iot-device-sdk-v2']).toBeDefined();
  });

  it('publishes over the mqtt and lite transports, and --transport crt says how to get it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'without-crt-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', HIDE, SCRIPT], {
        cwd: ROOT,
        env: { ...process.env, HIDE_MODULES: 'aws-iot-device-sdk-v2,aws-crt', DATA_DIR: dataDir },
        timeout: 25_000,
      });
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { published: Record<string, boolean>; received: string[]; crtExit: number; crtStderr: string };
      expect(result.published).toEqual({ mqtt: true, lite: true });
      expect(result.received).toEqual(['bedside-mqtt:dt/bedside/bedside-mqtt/vitals', 'bedside-lite:dt/bedside/bedside-lite/vitals']);
      expect(result.crtExit).not.toBe(0);
      expect(result.crtStderr).toMatch(/aws-iot-device-sdk-v2 is not installed/);
      expect(result.crtStderr).toMatch(/npm install aws-iot-device-sdk-v2/);
      expect(result.crtStderr).toMatch(/--transport mqtt or --transport lite/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
