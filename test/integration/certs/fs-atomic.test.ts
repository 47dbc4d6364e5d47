import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryLockTimeoutError } from '../../../certs/local/errors.ts';
import { publishDirectory, withDirectoryLock, writeFileAtomic } from '../../../certs/local/fs-atomic.ts';

const root = mkdtempSync(join(tmpdir(), 'fs-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('atomic files and the directory lock', () => {
  it('publishes a directory once; a second writer loses and leaves no staging behind', () => {
    const target = join(root, 'device');
    expect(publishDirectory(target, { 'a.txt': { data: 'first', mode: 0o644 } })).toBe(true);
    expect(publishDirectory(target, { 'a.txt': { data: 'second', mode: 0o644 } })).toBe(false);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('first');
    expect(readdirSync(root).filter((name) => name.startsWith('.staging-'))).toEqual([]);
  });

  it('replaces a file in one step, leaving no temporary file', () => {
    const path = join(root, 'nested', 'file.json');
    writeFileAtomic(path, '1');
    writeFileAtomic(path, '2');
    expect(readFileSync(path, 'utf8')).toBe('2');
    expect(readdirSync(join(root, 'nested'))).toEqual(['file.json']);
  });

  it('runs lock holders one after the other', async () => {
    const lock = join(root, 'serial.lock');
    const order: string[] = [];
    const hold = (name: string) =>
      withDirectoryLock(lock, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(lock)).toBe(false);
  });

  it('gives up on a live lock after the timeout with a message saying what to do', async () => {
    const lock = join(root, 'held.lock');
    mkdirSync(lock);
    await expect(withDirectoryLock(lock, async () => 1, 100)).rejects.toThrow(RegistryLockTimeoutError);
    await expect(withDirectoryLock(lock, async () => 1, 100)).rejects.toThrow(/delete that directory and retry/);
  });

  it('breaks a lock left behind by a crashed process', async () => {
    const lock = join(root, 'stale.lock');
    mkdirSync(lock);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(lock, longAgo, longAgo);
    await expect(withDirectoryLock(lock, async () => 'ran', 1_000)).resolves.toBe('ran');
  });
});
