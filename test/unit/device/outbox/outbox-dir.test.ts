/**
 * Seq, pending messages and patient state belong to the thing, not to the log or fleet layout that
 * wrote them; and one claimant at a time owns a thing. Real files in a temp directory.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { withDirLock } from '../../../../device/outbox/dir-lock.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimThings, foldHistories, newClaimGroup, openOutboxForThings, parseLog, ThingsClaimedError } from '../../../../device/outbox/index.ts';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'outbox-dir-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const logs = () => readdirSync(dir).filter((name) => name.endsWith('.log'));
const write = (name: string, lines: string[]) => writeFileSync(join(dir, name), lines.map((line) => `${line}\n`).join(''));

describe('openOutboxForThings', () => {
  it('continues each thing\'s seq and resends its pending messages whatever log of another layout held them', () => {
    write('things-1-2.log', ['M t1 1 {"a":1}', 'A t1 1', 'M t1 2 {"a":2}', 'M t2 1 {"b":1}', 'A t2 1', 'M t2 2 {"b":2}']);
    const first = openOutboxForThings({ dir, label: 'things-1-1', things: ['t1'] });
    expect(first.outbox.nextSeq('t1')).toBe(3);
    expect([...first.outbox.queue('t1').pending()].map((entry) => entry.seq)).toEqual([2]);
    expect(first.resumed).toBe(1);
    first.outbox.close();
    // The old log keeps only t2's history; opening t2 elsewhere empties and removes it.
    const rest = parseLog(readFileSync(join(dir, 'things-1-2.log'), 'utf8')).records;
    expect(new Set(rest.map((record) => record.thing))).toEqual(new Set(['t2']));
    const second = openOutboxForThings({ dir, label: 'things-2-2', things: ['t2'] });
    expect(second.outbox.nextSeq('t2')).toBe(3);
    second.outbox.close();
    expect(existsSync(join(dir, 'things-1-2.log'))).toBe(false);
    expect(logs()).toHaveLength(2);
  });

  it('hands out a fresh seq to a thing with no history, and one above every seq after growing and shrinking', () => {
    const a = openOutboxForThings({ dir, label: 'a', things: ['t1', 't2'] });
    for (let seq = 1; seq <= 5; seq++) a.outbox.append('t1', seq, `{"s":${seq}}`);
    a.outbox.append('t2', 1, '{"s":1}');
    a.outbox.flush();
    a.outbox.close();
    const b = openOutboxForThings({ dir, label: 'b', things: ['t1'] });
    expect(b.outbox.nextSeq('t1')).toBe(6);
    b.outbox.append('t1', 6, '{"s":6}');
    b.outbox.close();
    const c = openOutboxForThings({ dir, label: 'c', things: ['t1', 't2', 't3'] });
    expect([c.outbox.nextSeq('t1'), c.outbox.nextSeq('t2'), c.outbox.nextSeq('t3')]).toEqual([7, 2, 1]);
    expect([...c.outbox.queue('t1').pending()].map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    c.outbox.close();
    expect(logs()).toHaveLength(1);
  });

  it('folds a move a crash interrupted (a thing in two logs): acknowledged anywhere is done, seq stays above both', () => {
    write('old.log', ['M t1 5 {"five":1}', 'M t1 6 {"six":1}']);
    write('new.log', ['S t1 6', 'M t1 5 {"five":1}', 'M t1 6 {"six":1}', 'A t1 5', 'M t1 7 {"seven":1}']);
    const opened = openOutboxForThings({ dir, label: 'next', things: ['t1'] });
    expect([...opened.outbox.queue('t1').pending()].map((entry) => entry.seq)).toEqual([6, 7]);
    expect(opened.outbox.nextSeq('t1')).toBe(8);
    opened.outbox.close();
  });

  it('keeps the latest patient state of a thing through moves and compaction', () => {
    const a = openOutboxForThings({ dir, label: 'a', things: ['t1'], now: () => 1_000 });
    a.outbox.savePatient('t1', '{"v":1}');
    a.outbox.flush();
    a.outbox.compact();
    a.outbox.close();
    write('stale.log', ['P t1 500 {"v":0}']);
    const b = openOutboxForThings({ dir, label: 'b', things: ['t1'] });
    expect(b.outbox.patient('t1')).toBe('{"v":1}');
    b.outbox.close();
  });

  it('adopts the logs of an older directory (outboxes named per target string)', () => {
    const older = join(dir, 'old-layout');
    mkdirSync(older);
    writeFileSync(join(older, 'things-1-1.log'), 'M t1 1 {"x":1}\nA t1 1\nM t1 2 {"x":2}\n');
    const home = join(dir, 'home');
    const opened = openOutboxForThings({ dir: home, label: 'x', things: ['t1'], adoptFrom: [older] });
    expect(opened.outbox.nextSeq('t1')).toBe(3);
    opened.outbox.close();
    expect(readdirSync(older).filter((name) => name.endsWith('.log'))).toEqual([]);
  });
});

describe('withDirLock', () => {
  it('takes over a lock whose owner died, and one left without an owner for seconds', () => {
    mkdirSync(join(dir, '.lock'));
    writeFileSync(join(dir, '.lock', 'owner'), '999999 1');
    expect(withDirLock(dir, () => 'ran')).toBe('ran');
    mkdirSync(join(dir, '.lock'));
    const old = new Date(Date.now() - 10_000);
    utimesSync(join(dir, '.lock'), old, old);
    expect(withDirLock(dir, () => 'ran again')).toBe('ran again');
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });
});

describe('foldHistories', () => {
  it('treats a dropped message as done and never lowers the seq', () => {
    const { records } = parseLog('S t1 9\nM t1 3 {}\nD t1 3\n');
    const history = foldHistories([records]).get('t1')!;
    expect(history.lastSeq).toBe(9);
    expect(history.pending.size).toBe(0);
  });
});

describe('claimThings', () => {
  it('refuses a second claimant of the same things, naming the owner\'s pid, command and the overlap', () => {
    const owner = claimThings(dir, ['t1', 't2', 't3'], { command: 'npm start' });
    try {
      const error = (() => { try { claimThings(dir, ['t3', 't4']); return undefined; } catch (e) { return e; } })();
      expect(error).toBeInstanceOf(ThingsClaimedError);
      expect((error as ThingsClaimedError).overlap).toEqual(['t3']);
      expect((error as Error).message).toContain(`process ${process.pid} (npm start`);
      // Other things are free; the same group (a fleet's workers) may claim its own things again.
      claimThings(dir, ['t4']).release();
      claimThings(dir, ['t1'], { group: owner.group }).release();
    } finally {
      owner.release();
    }
    claimThings(dir, ['t3']).release();
  });

  it('removes the claim of a process that died and takes the things', () => {
    mkdirSync(join(dir, 'claims'), { recursive: true });
    writeFileSync(join(dir, 'claims', '999999-1.json'), JSON.stringify({ pid: 999_999, group: 'g', groupPid: 999_999, command: 'gone', startedAt: '', things: ['t1'] }));
    const claim = claimThings(dir, ['t1']);
    expect(existsSync(join(dir, 'claims', '999999-1.json'))).toBe(false);
    claim.release();
  });

  it('waits for an orphan worker (its runner is gone), then says which process to stop', () => {
    mkdirSync(join(dir, 'claims'), { recursive: true });
    // A live process (this one) in a group whose leader has died.
    writeFileSync(join(dir, 'claims', 'orphan.json'), JSON.stringify({ pid: process.pid, group: 'dead', groupPid: 999_999, command: 'fleet', startedAt: '', things: ['t1'] }));
    const started = Date.now();
    expect(() => claimThings(dir, ['t1'], { waitForOrphansMs: 300, group: newClaimGroup() })).toThrow(/whose runner is gone.*kill/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
