import { describe, expect, it } from 'vitest';
import { ScheduleHeap } from '../../../../device/monitor/index.ts';
import { createRng } from '../../../../device/vitals/index.ts';

describe('ScheduleHeap', () => {
  it('pops items in due order and only once they are due', () => {
    const heap = new ScheduleHeap<string>();
    heap.push(30, 'c');
    heap.push(10, 'a');
    heap.push(20, 'b');
    expect(heap.peekDue()).toBe(10);
    expect(heap.popDue(5)).toBeUndefined();
    expect(heap.popDue(25)?.item).toBe('a');
    expect(heap.popDue(25)?.item).toBe('b');
    expect(heap.popDue(25)).toBeUndefined();
    expect(heap.popDue(30)).toEqual({ due: 30, item: 'c' });
    expect(heap.size).toBe(0);
    expect(heap.peekDue()).toBe(Number.POSITIVE_INFINITY);
  });

  it('returns 10,000 random due times sorted', () => {
    const rng = createRng(42);
    const heap = new ScheduleHeap<number>();
    const dues = Array.from({ length: 10_000 }, () => Math.floor(rng.next() * 1_000_000));
    dues.forEach((due, i) => heap.push(due, i));
    const popped: number[] = [];
    for (let event = heap.popDue(Infinity); event; event = heap.popDue(Infinity)) popped.push(event.due);
    expect(popped).toEqual([...dues].sort((a, b) => a - b));
  });
});
