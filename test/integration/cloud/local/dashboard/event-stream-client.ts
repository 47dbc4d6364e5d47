/** A minimal Server-Sent Events reader over node:http for tests: collects frames, waits with a bound. */
import { get, type ClientRequest } from 'node:http';

export interface SseFrame {
  event: string;
  data: unknown;
  receivedAtMs: number;
}

export interface SseClient {
  frames: SseFrame[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  waitFor(predicate: (frames: SseFrame[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export function openEventStream(url: string): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const frames: SseFrame[] = [];
    const waiters = new Set<() => void>();
    let request: ClientRequest | undefined = undefined;
    request = get(url, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`event stream answered ${res.statusCode}`));
        res.resume();
        return;
      }
      let buffer = '';
      const ended = new Promise<void>((done) => res.once('close', () => done()));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) frames.push({ event, data: JSON.parse(data) as unknown, receivedAtMs: Date.now() });
        }
        for (const waiter of waiters) waiter();
      });
      resolve({
        frames,
        ended,
        waitFor(predicate, timeoutMs = 5000) {
          if (predicate(frames)) return Promise.resolve();
          return new Promise<void>((done, fail) => {
            const check = (): void => {
              if (!predicate(frames)) return;
              clearTimeout(timer);
              waiters.delete(check);
              done();
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`event stream: condition not met within ${timeoutMs} ms (${frames.length} frames: ${frames.map((f) => f.event).join(',')})`));
            }, timeoutMs);
            waiters.add(check);
          });
        },
        close: () => request?.destroy(),
      });
    });
    request.on('error', (error) => reject(error));
  });
}
