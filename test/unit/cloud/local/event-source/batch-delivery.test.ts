import { describe, expect, it } from 'vitest';
import type { KinesisStreamBatchResponse } from 'aws-lambda';
import { classifyResponse, deliverBatch, type DeliveryDeps } from '../../../../../cloud/local/event-source/batch-delivery.ts';
import type { GiveUp } from '../../../../../cloud/local/event-source/on-failure.ts';
import type { StreamRecord } from '../../../../../cloud/local/event-source/stream-record.ts';

function records(count: number): StreamRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    shardId: 'shardId-000000000000', sequenceNumber: String(1000 + i), partitionKey: 'k', data: new Uint8Array([i]), arrivedAtMs: 0,
  }));
}

interface Recorder {
  deps: DeliveryDeps;
  invocations: string[][];
  commits: string[];
  giveUps: GiveUp[];
}

function recorder(invoke: (batch: readonly StreamRecord[]) => Promise<KinesisStreamBatchResponse | void>, overrides: Partial<DeliveryDeps> = {}): Recorder {
  const r: Recorder = { invocations: [], commits: [], giveUps: [], deps: undefined as unknown as DeliveryDeps };
  r.deps = {
    invoke: async (batch) => { r.invocations.push(batch.map((x) => x.sequenceNumber)); return invoke(batch); },
    commit: async (last) => { r.commits.push(last.sequenceNumber); },
    giveUp: async (giveUp) => { r.giveUps.push(giveUp); },
    sleep: async () => true,
    isStopping: () => false,
    maxRetries: 2,
    bisectOnError: false,
    retryDelayMs: 0,
    ...overrides,
  };
  return r;
}

describe('deliverBatch', () => {
  it('commits the last record when the handler reports no failures', async () => {
    const r = recorder(async () => ({ batchItemFailures: [] }));
    expect(await deliverBatch(records(5), r.deps)).toBe('done');
    expect(r.commits).toEqual(['1004']);
    expect(r.invocations).toHaveLength(1);
  });

  it('commits up to the lowest failed record and retries from it', async () => {
    let calls = 0;
    const r = recorder(async () => {
      calls += 1;
      return calls === 1 ? { batchItemFailures: [{ itemIdentifier: '1004' }, { itemIdentifier: '1002' }] } : { batchItemFailures: [] };
    });
    await deliverBatch(records(6), r.deps);
    expect(r.invocations).toEqual([['1000', '1001', '1002', '1003', '1004', '1005'], ['1002', '1003', '1004', '1005']]);
    expect(r.commits).toEqual(['1001', '1005']);
  });

  it('gives up after maxRetries retries and reports the remaining records', async () => {
    const r = recorder(async (batch) => ({ batchItemFailures: batch.some((x) => x.sequenceNumber === '1003') ? [{ itemIdentifier: '1003' }] : [] }));
    await deliverBatch(records(5), r.deps);
    expect(r.invocations).toHaveLength(3); // first try + 2 retries
    expect(r.giveUps).toHaveLength(1);
    expect(r.giveUps[0]!.records.map((x) => x.sequenceNumber)).toEqual(['1003', '1004']);
    expect(r.giveUps[0]!.invokeCount).toBe(3);
    expect(r.giveUps[0]!.threw).toBe(false);
    expect(r.commits).toEqual(['1002']);
  });

  it('bisects a throwing batch down to the poison record without spending retries on the split', async () => {
    const r = recorder(async (batch) => {
      if (batch.some((x) => x.sequenceNumber === '1005')) throw new Error('poison');
    }, { bisectOnError: true, maxRetries: 1 });
    await deliverBatch(records(8), r.deps);
    expect(r.invocations.slice(0, 4)).toEqual([
      ['1000', '1001', '1002', '1003', '1004', '1005', '1006', '1007'],
      ['1000', '1001', '1002', '1003'],
      ['1004', '1005', '1006', '1007'],
      ['1004', '1005'],
    ]);
    expect(r.giveUps.map((g) => g.records.map((x) => x.sequenceNumber))).toEqual([['1005']]);
    expect(r.giveUps[0]!.threw).toBe(true);
    expect(r.commits).toEqual(['1003', '1004', '1007']);
  });

  it('retries a throwing batch whole when bisect is off', async () => {
    const r = recorder(async () => { throw new Error('down'); }, { maxRetries: 3 });
    await deliverBatch(records(4), r.deps);
    expect(r.invocations).toHaveLength(4);
    expect(r.invocations.every((batch) => batch.length === 4)).toBe(true);
    expect(r.giveUps[0]!.records).toHaveLength(4);
    expect(r.commits).toEqual([]);
  });

  it('stops retrying without committing when the source stops', async () => {
    const r = recorder(async () => { throw new Error('down'); }, { sleep: async () => false });
    expect(await deliverBatch(records(3), r.deps)).toBe('stopped');
    expect(r.commits).toEqual([]);
    expect(r.giveUps).toEqual([]);
  });

  it('doubles the retry delay per attempt', async () => {
    const delays: number[] = [];
    const r = recorder(async () => { throw new Error('down'); }, { retryDelayMs: 100, maxRetries: 3, sleep: async (ms) => { delays.push(ms); return true; } });
    await deliverBatch(records(1), r.deps);
    expect(delays).toEqual([100, 200, 400]);
  });
});

describe('classifyResponse', () => {
  it('treats an identifier that is not in the batch as a failure of the whole batch', () => {
    expect(classifyResponse(records(2), { batchItemFailures: [{ itemIdentifier: '999' }] }).kind).toBe('error');
    expect(classifyResponse(records(2), { batchItemFailures: [{ itemIdentifier: '' }] }).kind).toBe('error');
  });

  it('treats an empty or missing response as success', () => {
    expect(classifyResponse(records(2), undefined)).toEqual({ kind: 'ok' });
    expect(classifyResponse(records(2), { batchItemFailures: [] })).toEqual({ kind: 'ok' });
  });
});
