/**
 * Where shadow records live: in memory, and (when a directory is given) one JSON file per thing,
 * written atomically (temp file + rename) so that a crash never leaves half a document.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EMPTY_RECORD, type ShadowRecord } from './shadow-service.ts';

export class ShadowStoreError extends Error {
  override readonly name = 'ShadowStoreError';
}

export class ShadowStore {
  readonly #records = new Map<string, ShadowRecord>();

  constructor(private readonly dir?: string) {}

  async load(thing: string): Promise<ShadowRecord> {
    const cached = this.#records.get(thing);
    if (cached) return cached;
    let record: ShadowRecord = EMPTY_RECORD;
    if (this.dir !== undefined) {
      try {
        record = JSON.parse(await readFile(this.#path(thing), 'utf8')) as ShadowRecord;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new ShadowStoreError(`cannot read the shadow of ${thing} from ${this.#path(thing)}: fix or delete the file`, { cause: error });
        }
      }
    }
    this.#records.set(thing, record);
    return record;
  }

  /** The record in memory, if it has been loaded (for in-process readers such as the dashboard). */
  peek(thing: string): ShadowRecord | undefined {
    return this.#records.get(thing);
  }

  async save(thing: string, record: ShadowRecord): Promise<void> {
    this.#records.set(thing, record);
    if (this.dir === undefined) return;
    await mkdir(this.dir, { recursive: true });
    const target = this.#path(thing);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, target);
  }

  #path(thing: string): string {
    // Thing names are [a-zA-Z0-9:_-]; ':' is not portable in file names.
    return join(this.dir!, `${thing.replaceAll(':', '%3A')}.json`);
  }
}
