import { describe, expect, it } from 'vitest';
import { DeviceQueue } from '../../../../device/outbox/index.ts';

function queueOf(n: number): DeviceQueue {
  const queue = new DeviceQueue();
  for (let seq = 1; seq <= n; seq++) queue.push(seq, `m${seq}`);
  return queue;
}

describe('DeviceQueue', () => {
  it('hands out entries oldest first and counts them in flight until acked', () => {
    const queue = queueOf(3);
    expect(queue.nextToSend()?.seq).toBe(1);
    expect(queue.nextToSend()?.seq).toBe(2);
    expect(queue.inFlight).toBe(2);
    expect(queue.unsent).toBe(1);
    expect(queue.ack(1)).toBe(true);
    expect(queue.inFlight).toBe(1);
    expect(queue.length).toBe(2);
  });

  it('resends everything unacknowledged, in order, after a rewind', () => {
    const queue = queueOf(4);
    for (let i = 0; i < 4; i++) queue.nextToSend();
    queue.ack(2);
    queue.rewind();
    expect([queue.nextToSend()?.seq, queue.nextToSend()?.seq, queue.nextToSend()?.seq, queue.nextToSend()]).toEqual([1, 3, 4, undefined]);
  });

  it('ignores a second ack of the same seq and an ack of an unknown seq', () => {
    const queue = queueOf(2);
    expect(queue.ack(1)).toBe(true);
    expect(queue.ack(1)).toBe(false);
    expect(queue.ack(7)).toBe(false);
    expect([...queue.pending()].map((e) => e.seq)).toEqual([2]);
  });

  it('drops the oldest entry even when it is in flight, and keeps the cursor valid', () => {
    const queue = queueOf(3);
    queue.nextToSend();
    expect(queue.dropOldest()?.seq).toBe(1);
    expect(queue.dropped).toBe(1);
    expect(queue.nextToSend()?.seq).toBe(2);
    expect(queue.ack(1)).toBe(false);
  });

  it('keeps memory bounded over a long run of acks', () => {
    const queue = new DeviceQueue();
    for (let seq = 1; seq <= 10_000; seq++) {
      queue.push(seq, 'x');
      queue.nextToSend();
      queue.ack(seq);
    }
    expect(queue.length).toBe(0);
    expect(queue.bytes).toBe(0);
    expect(queue.lastSeq).toBe(10_000);
  });
});
