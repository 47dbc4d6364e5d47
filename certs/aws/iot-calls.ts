/**
 * Every AWS IoT call of provisioning goes through here: paced per API (token bucket) and retried on
 * transient errors, so callers only say which API they call and how.
 */
import { ApiPacer, type Clock, systemClock } from './pacing.ts';
import { errorName, withRetry } from './retry.ts';
import { IotCallError } from './errors.ts';

export interface CallerOptions {
  clock?: Clock;
  pacer?: ApiPacer;
  random?: () => number;
  maxAttempts?: number;
}

export type IotCaller = <T>(api: string, send: () => Promise<T>, alsoRetry?: readonly string[]) => Promise<T>;

export function iotCaller(options: CallerOptions = {}): IotCaller {
  const clock = options.clock ?? systemClock;
  const pacer = options.pacer ?? new ApiPacer(clock);
  return async (api, send, alsoRetry = []) => {
    try {
      return await withRetry(
        async () => {
          // Every attempt, retries included, spends a token: retries must not exceed the quota either.
          await pacer.take(api);
          return send();
        },
        { clock, alsoRetry, ...(options.random ? { random: options.random } : {}), ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) },
      );
    } catch (error) {
      throw new IotCallError(`${api} failed (${errorName(error)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}

/** The AWS error name behind an IotCallError (or the error itself). */
export function awsErrorName(error: unknown): string {
  return errorName(error instanceof IotCallError ? error.cause : error);
}

export function isNotFound(error: unknown): boolean {
  return awsErrorName(error) === 'ResourceNotFoundException';
}
