/**
 * Batches rule results into Kinesis PutRecords calls: a batch leaves when it holds `maxRecords` (500, the
 * API limit) or `maxBytes`, or `lingerMs` after its first record, whichever comes first. One call is in
 * flight at a time, so records of one partition key keep their order even across retries, and records
 * arriving during a call simply make the next batch bigger (that is what carries 2,000 msg/s).
 *
 * Failures are retried with exponential backoff, the whole call when it throws, only the failed entries
 * when PutRecords reports per-record errors; after `maxAttempts` each entry goes to `onFailed` (the
 * rule's error action). Nothing is dropped silently: a full queue also goes to `onFailed`.
 */

export interface BatcherOptions<T> {
  /** Sends one batch; resolves with an error message per entry (undefined = stored). Throws = whole call failed. */
  send(entries: readonly T[]): Promise<Array<string | undefined>>;
  sizeOf(entry: T): number;
  onDelivered(entries: readonly T[]): void;
  onFailed(entry: T, errorMessage: string): void;
  maxRecords?: number;
  maxBytes?: number;
  lingerMs?: number;
  maxAttempts?: number;
  /** Backoff before retry n (1-based). */
  backoffMs?: (retry: number) => number;
  maxQueued?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface BatcherStats {
  queued: number;
  batchesSent: number;
  delivered: number;
  failed: number;
  retries: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PutRecordsBatcher<T> {
  readonly #queue: T[] = [];
  readonly #options: Required<BatcherOptions<T>>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stats: BatcherStats = { queued: 0, batchesSent: 0, delivered: 0, failed: 0, retries: 0 };

  constructor(options: BatcherOptions<T>) {
    this.#options = {
      maxRecords: 500,
      maxBytes: 5 * 1024 * 1024,
      lingerMs: 20,
      maxAttempts: 4,
      backoffMs: (retry) => Math.min(2000, 50 * 2 ** (retry - 1)),
      maxQueued: 200_000,
      sleep: defaultSleep,
      ...options,
    };
  }

  add(entry: T): void {
    if (this.#queue.length >= this.#options.maxQueued) {
      this.#stats.failed++;
      this.#options.onFailed(entry, `local rule queue full (${this.#options.maxQueued} records waiting): the stream is not keeping up`);
      return;
    }
    this.#queue.push(entry);
    if (this.#running) return;
    if (this.#queue.length >= this.#options.maxRecords) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), this.#options.lingerMs);
  }

  stats(): BatcherStats {
    return { ...this.#stats, queued: this.#queue.length };
  }

  /** Sends everything queued now and resolves when it is delivered or handed to onFailed. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#running) {
      if (!this.#running) this.#start();
      await this.#running;
    }
  }

  #start(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || this.#queue.length === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      // What arrived during the last call waits for its own linger, or goes now if a batch is full.
      if (this.#queue.length >= this.#options.maxRecords) this.#start();
      else if (this.#queue.length > 0) this.#timer ??= setTimeout(() => this.#start(), this.#options.lingerMs);
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      await this.#deliver(this.#takeBatch());
    }
  }

  #takeBatch(): T[] {
    const { maxRecords, maxBytes, sizeOf } = this.#options;
    let bytes = 0;
    let count = 0;
    while (count < this.#queue.length && count < maxRecords) {
      const size = sizeOf(this.#queue[count]!);
      if (count > 0 && bytes + size > maxBytes) break;
      bytes += size;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  async #deliver(batch: T[]): Promise<void> {
    const { maxAttempts, send, onDelivered, onFailed, backoffMs, sleep } = this.#options;
    let pending = batch;
    const lastError = new Map<T, string>();
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) {
        this.#stats.retries++;
        await sleep(backoffMs(attempt - 1));
      }
      this.#stats.batchesSent++;
      let results: Array<string | undefined>;
      try {
        results = await send(pending);
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        for (const entry of pending) lastError.set(entry, message);
        continue;
      }
      const stored = pending.filter((_, i) => results[i] === undefined);
      const failed = pending.filter((_, i) => results[i] !== undefined);
      pending.forEach((entry, i) => {
        const message = results[i];
        if (message !== undefined) lastError.set(entry, message);
      });
      if (stored.length > 0) {
        this.#stats.delivered += stored.length;
        onDelivered(stored);
      }
      pending = failed;
    }
    for (const entry of pending) {
      this.#stats.failed++;
      onFailed(entry, lastError.get(entry) ?? 'unknown error');
    }
  }
}
