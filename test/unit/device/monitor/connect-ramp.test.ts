import { describe, expect, it } from 'vitest';
import { ConnectRamp } from '../../../../device/monitor/connect-ramp.ts';

describe('ConnectRamp', () => {
  it('starts at most the rate per second, oldest first, with a burst of a tenth of a second', () => {
    const ramp = new ConnectRamp<number>(100);
    for (let i = 0; i < 50; i++) ramp.enqueue(i);
    const started: number[] = [];
    ramp.drain(1_000, (item) => { started.push(item); return true; });
    expect(started).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(ramp.nextStartMs(1_000)).toBe(1_010);
    ramp.drain(1_200, (item) => { started.push(item); return true; });
    expect(started).toHaveLength(20);
  });

  it('skips items that need no connect without spending a token, and says when nobody waits', () => {
    const ramp = new ConnectRamp<string>(10);
    ramp.enqueue('connected');
    ramp.enqueue('waiting');
    const started: string[] = [];
    ramp.drain(0, (item) => { if (item === 'connected') return false; started.push(item); return true; });
    expect(started).toEqual(['waiting']);
    expect(ramp.nextStartMs(0)).toBe(Number.POSITIVE_INFINITY);
  });
});
