/**
 * Retries of AWS IoT calls that failed for a passing reason (throttling, a busy service, or a delete
 * that races the eventual consistency of a detach), with capped exponential backoff and full jitter.
 */
import type { Clock } from './pacing.ts';

const TRANSIENT = new Set(['ThrottlingException', 'ServiceUnavailableException', 'InternalFailureException', 'LimitExceededException']);

export interface RetryOptions {
  clock: Clock;
  /** Returns a number in [0, 1); injected for deterministic tests. */
  random?: () => number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Extra error names to retry for this call (e.g. DeleteConflictException right after a detach). */
  alsoRetry?: readonly string[];
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { clock, random = Math.random, maxAttempts = 8, baseDelayMs = 200, maxDelayMs = 10_000, alsoRetry = [] } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const name = errorName(error);
      if (attempt >= maxAttempts || !(TRANSIENT.has(name) || alsoRetry.includes(name))) throw error;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await clock.sleep(Math.round(cap * (0.5 + random() / 2)));
    }
  }
}
