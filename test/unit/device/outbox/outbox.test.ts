import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, parseLog } from '../../../../device/outbox/index.ts';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  path = join(dir, 'worker-0.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pendingSeqs = (outbox: Outbox, thing: string) => [...outbox.queue(thing).pending()].map((entry) => entry.seq);

function appendN(outbox: Outbox, thing: string, n: number): number[] {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) {
    const seq = outbox.nextSeq(thing);
    outbox.append(thing, seq, JSON.stringify({ device_id: thing, seq }));
    seqs.push(seq);
  }
  return seqs;
}

describe('Outbox', () => {
  it('replays unacknowledged messages in order after a restart', () => {
    const outbox = Outbox.open(path);
    const seqs = appendN(outbox, 'bedside-0001', 5);
    outbox.flush();
    outbox.ack('bedside-0001', seqs[1]!);
    outbox.ack('bedside-0001', seqs[0]!);
    outbox.close();

    const reopened = Outbox.open(path);
    expect(pendingSeqs(reopened, 'bedside-0001')).toEqual([3, 4, 5]);
    expect(reopened.stats.recovered).toBe(3);
    expect(reopened.queue('bedside-0001').nextToSend()?.payload).toBe('{"device_id":"bedside-0001","seq":3}');
    reopened.close();
  });

  it('continues each device seq after the highest ever written, even when everything was acknowledged', () => {
    const outbox = Outbox.open(path);
    const seqs = appendN(outbox, 'bedside-0001', 3);
    for (const seq of seqs) outbox.ack('bedside-0001', seq);
    outbox.close();
    const reopened = Outbox.open(path);
    expect(reopened.nextSeq('bedside-0001')).toBe(4);
    expect(reopened.nextSeq('bedside-0002')).toBe(1);
    reopened.close();
  });

  it('refuses a seq that is not above the last one written', () => {
    const outbox = Outbox.open(path);
    appendN(outbox, 'bedside-0001', 2);
    expect(() => outbox.append('bedside-0001', 2, '{}')).toThrow(/never repeats/);
    outbox.close();
  });

  it('writes all records of a flush in one write', () => {
    const outbox = Outbox.open(path);
    for (let d = 1; d <= 100; d++) appendN(outbox, `bedside-${d}`, 3);
    outbox.flush();
    expect(outbox.stats.writes).toBe(1);
    expect(parseLog(readFileSync(path, 'utf8')).records).toHaveLength(300);
    outbox.close();
  });

  it('drops the oldest messages only when a device is full, counting every drop, also after a restart', () => {
    const outbox = Outbox.open(path, { maxMessagesPerDevice: 4 });
    appendN(outbox, 'bedside-0001', 10);
    expect(pendingSeqs(outbox, 'bedside-0001')).toEqual([7, 8, 9, 10]);
    expect(outbox.stats.dropped).toBe(6);
    outbox.close();
    const reopened = Outbox.open(path, { maxMessagesPerDevice: 4 });
    expect(pendingSeqs(reopened, 'bedside-0001')).toEqual([7, 8, 9, 10]);
    expect(reopened.queue('bedside-0001').dropped).toBe(6);
    reopened.close();
  });

  it('bounds a device by bytes as well as by count', () => {
    const outbox = Outbox.open(path, { maxBytesPerDevice: 100 });
    for (let i = 0; i < 5; i++) outbox.append('bedside-0001', outbox.nextSeq('bedside-0001'), 'y'.repeat(40));
    expect(outbox.queue('bedside-0001').length).toBe(2);
    expect(outbox.stats.dropped).toBe(3);
    outbox.close();
  });

  it('compacts the log to pending messages and seq snapshots once it passes the threshold', () => {
    const outbox = Outbox.open(path, { compactAtBytes: 20_000 });
    for (let round = 0; round < 50; round++) {
      const seqs = appendN(outbox, 'bedside-0001', 10);
      for (const seq of seqs.slice(0, 9)) outbox.ack('bedside-0001', seq);
      outbox.flush();
    }
    expect(outbox.stats.compactions).toBeGreaterThan(0);
    expect(statSync(path).size).toBeLessThan(20_000);
    outbox.close();
    const reopened = Outbox.open(path);
    expect(pendingSeqs(reopened, 'bedside-0001')).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 10));
    expect(reopened.nextSeq('bedside-0001')).toBe(501);
    reopened.close();
  });

  it('ignores a torn last line and appends cleanly after it', () => {
    const outbox = Outbox.open(path);
    appendN(outbox, 'bedside-0001', 2);
    outbox.close();
    appendFileSync(path, 'M bedside-0001 3 {"device_id":"bedside-0001","se');
    const reopened = Outbox.open(path);
    expect(pendingSeqs(reopened, 'bedside-0001')).toEqual([1, 2]);
    appendN(reopened, 'bedside-0001', 1);
    reopened.close();
    const again = Outbox.open(path);
    expect(pendingSeqs(again, 'bedside-0001')).toEqual([1, 2, 3]);
    expect(again.stats.malformed).toBe(0);
    again.close();
  });

  it('survives kill -9 mid-write: nothing flushed is lost and no seq is handed out twice', async () => {
    const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const flushed: Record<string, number>[] = [];
    let text = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('crash writer made no progress in 20 s')); }, 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const lines = text.split('\n');
        text = lines.pop()!;
        for (const line of lines) flushed.push(JSON.parse(line) as Record<string, number>);
        // Kill it while it is busy writing, after a compaction or two.
        if (flushed.length >= 400 && !child.killed) child.kill('SIGKILL');
      });
      child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
    const lastReported = flushed.at(-1)!;
    const outbox = Outbox.open(path);
    for (const thing of ['bedside-0001', 'bedside-0002', 'bedside-0003']) {
      const pending = pendingSeqs(outbox, thing);
      // Every odd seq up to the last reported flush was never acked: it must still be pending.
      const expectedOdd = Array.from({ length: Math.ceil(lastReported[thing]! / 2) }, (_, i) => 2 * i + 1);
      expect(pending.slice(0, expectedOdd.length)).toEqual(expectedOdd);
      expect(pending.every((seq, i) => i === 0 || seq > pending[i - 1]!)).toBe(true);
      expect(outbox.nextSeq(thing)).toBeGreaterThan(lastReported[thing]!);
    }
    outbox.close();
  });
});
