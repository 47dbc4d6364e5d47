/**
 * Reconnect delay: exponential backoff with "equal jitter" (half fixed, half random), never below the
 * per-client floor (AWS IoT Core allows one connect per second per client id). Pure: random injected.
 */
export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ minMs: 1_000, maxMs: 60_000 });

export function reconnectDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  return Math.max(policy.minMs, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}
