/**
 * The object-store contract (STYLE 4): one suite, run against every adapter (directory, S3 API).
 * makeStore returns a fresh, empty store and a cleanup function.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../../cloud/lake/object-store.ts';

export type StoreFactory = () => Promise<{ store: ObjectStore; close: () => Promise<void> }>;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));

export function objectStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`object store contract: ${name}`, () => {
    let store: ObjectStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await makeStore());
    });
    afterEach(async () => {
      await close();
    });

    it('returns what was put, byte for byte', async () => {
      const body = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 256);
      await store.put('curated/vitals/dt=2026-01-01/hour=00/a.parquet', body, 'application/vnd.apache.parquet');
      expect(await store.get('curated/vitals/dt=2026-01-01/hour=00/a.parquet')).toEqual(body);
    });

    it('returns undefined for a missing key', async () => {
      expect(await store.get('raw/vitals/missing.jsonl.gz')).toBeUndefined();
    });

    it('overwrites an object put twice under the same key', async () => {
      await store.put('raw/vitals/k.jsonl.gz', bytes('first, longer body'));
      await store.put('raw/vitals/k.jsonl.gz', bytes('second'));
      expect(text(await store.get('raw/vitals/k.jsonl.gz'))).toBe('second');
      expect(await store.list('raw/')).toEqual(['raw/vitals/k.jsonl.gz']);
    });

    it('stores an empty object', async () => {
      await store.put('quarantine/vitals/empty', new Uint8Array());
      expect(await store.get('quarantine/vitals/empty')).toEqual(new Uint8Array());
    });

    it('lists keys under a prefix, sorted, and nothing else', async () => {
      await store.put('raw/vitals/dt=2026-01-02/hour=01/b', bytes('b'));
      await store.put('raw/vitals/dt=2026-01-01/hour=23/a', bytes('a'));
      await store.put('curated/vitals/dt=2026-01-01/hour=23/c', bytes('c'));
      expect(await store.list('raw/vitals/')).toEqual(['raw/vitals/dt=2026-01-01/hour=23/a', 'raw/vitals/dt=2026-01-02/hour=01/b']);
      expect(await store.list('raw/vitals/dt=2026-01-02')).toEqual(['raw/vitals/dt=2026-01-02/hour=01/b']);
      expect(await store.list('nothing/')).toEqual([]);
    });

    it('deletes an object and tolerates deleting a missing one', async () => {
      await store.put('raw/vitals/x', bytes('x'));
      await store.delete('raw/vitals/x');
      await store.delete('raw/vitals/never-there');
      expect(await store.get('raw/vitals/x')).toBeUndefined();
      expect(await store.list('raw/')).toEqual([]);
    });

    it('rejects keys that would escape the lake', async () => {
      await expect(store.put('../outside', bytes('x'))).rejects.toThrow(/not a valid lake key/);
      await expect(store.get('/absolute')).rejects.toThrow(/not a valid lake key/);
      expect(await store.list('../')).toEqual([]);
    });

    it('keeps concurrent puts to different keys apart', async () => {
      const keys = Array.from({ length: 20 }, (_, i) => `curated/vitals/dt=2026-01-01/hour=00/${String(i).padStart(2, '0')}`);
      await Promise.all(keys.map((key, i) => store.put(key, bytes(`body-${i}`))));
      expect(await store.list('curated/')).toEqual(keys);
      expect(text(await store.get(keys[7]!))).toBe('body-7');
    });
  });
}
