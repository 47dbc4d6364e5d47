import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisStoreLockedError, startKinesalite, type RunningKinesalite } from '../../../cloud/local/kinesis/kinesalite.ts';

const running: RunningKinesalite[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const k of running.splice(0)) await k.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('kinesalite on a store another instance holds', () => {
  it('refuses with a typed error instead of an uncaught LevelDB lock error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinesalite-lock-'));
    dirs.push(dir);
    running.push(await startKinesalite({ path: dir }));
    const second = startKinesalite({ path: dir });
    await expect(second).rejects.toBeInstanceOf(KinesisStoreLockedError);
    await expect(second).rejects.toThrow(`the stream store ${dir} is in use by`);
  });
});
