import { describe, expect, it } from 'vitest';
import { PutRecordsBatcher, type BatcherOptions } from '../../../../../cloud/local/rules/put-records-batcher.ts';

interface Harness {
  batcher: PutRecordsBatcher<number>;
  calls: number[][];
  delivered: number[];
  failed: Array<[number, string]>;
  sleeps: number[];
}

function harness(
  send: (entries: readonly number[], call: number) => Promise<Array<string | undefined>>,
  options: Partial<BatcherOptions<number>> = {},
): Harness {
  const h: Omit<Harness, 'batcher'> = { calls: [], delivered: [], failed: [], sleeps: [] };
  const batcher = new PutRecordsBatcher<number>({
    send: (entries) => {
      h.calls.push([...entries]);
      return send(entries, h.calls.length);
    },
    sizeOf: () => 100,
    onDelivered: (entries) => h.delivered.push(...entries),
    onFailed: (entry, message) => h.failed.push([entry, message]),
    sleep: async (ms) => { h.sleeps.push(ms); },
    ...options,
  });
  return { ...h, batcher };
}

const allStored = async (entries: readonly number[]) => entries.map(() => undefined);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('PutRecordsBatcher', () => {
  it('sends a full batch of 500 at once and the rest after the linger', async () => {
    const h = harness(allStored, { lingerMs: 10 });
    for (const i of range(700)) h.batcher.add(i);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(h.calls.map((c) => c.length)).toEqual([500, 200]);
    expect(h.delivered).toEqual(range(700));
  });

  it('waits no longer than the linger for a partial batch', async () => {
    const h = harness(allStored, { lingerMs: 15 });
    h.batcher.add(1);
    h.batcher.add(2);
    expect(h.calls).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(h.calls).toEqual([[1, 2]]);
  });

  it('splits batches by bytes as well as by count', async () => {
    const h = harness(allStored, { maxBytes: 250 });
    for (const i of range(5)) h.batcher.add(i);
    await h.batcher.flush();
    expect(h.calls).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('retries only the records PutRecords reports as failed, in order, with backoff', async () => {
    const h = harness(async (entries, call) => entries.map((e) => (call === 1 && e % 2 === 0 ? 'ProvisionedThroughputExceededException' : undefined)));
    for (const i of range(4)) h.batcher.add(i);
    await h.batcher.flush();
    expect(h.calls).toEqual([[0, 1, 2, 3], [0, 2]]);
    expect(h.delivered).toEqual([1, 3, 0, 2]);
    expect(h.sleeps).toEqual([50]);
    expect(h.failed).toEqual([]);
  });

  it('hands every record to onFailed after the last attempt of a call that keeps throwing', async () => {
    const h = harness(async () => { throw new Error('connect ECONNREFUSED'); }, { maxAttempts: 3 });
    h.batcher.add(7);
    h.batcher.add(8);
    await h.batcher.flush();
    expect(h.calls).toHaveLength(3);
    expect(h.sleeps).toEqual([50, 100]);
    expect(h.failed).toEqual([[7, 'Error: connect ECONNREFUSED'], [8, 'Error: connect ECONNREFUSED']]);
    expect(h.batcher.stats()).toMatchObject({ delivered: 0, failed: 2, retries: 2, queued: 0 });
  });

  it('refuses records beyond the queue bound through onFailed instead of growing without limit', async () => {
    const h = harness(allStored, { maxQueued: 2, lingerMs: 1000 });
    for (const i of range(3)) h.batcher.add(i);
    expect(h.failed).toHaveLength(1);
    expect(h.failed[0]?.[0]).toBe(2);
    await h.batcher.flush();
    expect(h.delivered).toEqual([0, 1]);
  });

  it('keeps one call in flight and sends what arrived meanwhile as the next batch', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const h = harness(async (entries, call) => {
      if (call === 1) await gate;
      return entries.map(() => undefined);
    }, { lingerMs: 1 });
    h.batcher.add(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const i of range(3)) h.batcher.add(i + 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.calls).toHaveLength(1);
    release();
    await h.batcher.flush();
    expect(h.calls).toEqual([[0], [1, 2, 3]]);
  });
});
