import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../../../../device/monitor/index.ts';

const policy = { minMs: 1_000, maxMs: 60_000 };

describe('reconnectDelayMs', () => {
  it('doubles per attempt with equal jitter and never goes below the per-client floor of 1 s', () => {
    expect(reconnectDelayMs(0, policy, () => 0)).toBe(1_000);
    expect(reconnectDelayMs(3, policy, () => 0)).toBe(4_000);
    expect(reconnectDelayMs(3, policy, () => 0.999_999)).toBeCloseTo(8_000, -1);
  });

  it('caps at the maximum however many attempts failed', () => {
    expect(reconnectDelayMs(50, policy, () => 1)).toBe(60_000);
    expect(reconnectDelayMs(50, policy, () => 0)).toBe(30_000);
  });
});
