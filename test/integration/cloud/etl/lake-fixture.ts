/** A directory lake for handler tests, and a store wrapper that fails chosen puts like an unavailable S3. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '../../../../cloud/lake/fs-store.ts';
import { ObjectStoreError, type ObjectStore } from '../../../../cloud/lake/object-store.ts';

export async function tempLake(): Promise<{ root: string; store: ObjectStore; close: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'etl-lake-'));
  return { root, store: createFsStore(root), close: () => rm(root, { recursive: true, force: true }) };
}

/** Every put whose key matches `failing` throws, as a throttled or unreachable store would. */
export function failingPuts(store: ObjectStore, failing: (key: string) => boolean): ObjectStore & { failed: string[] } {
  const failed: string[] = [];
  return {
    ...store,
    failed,
    async put(key, body, contentType) {
      if (failing(key)) {
        failed.push(key);
        throw new ObjectStoreError('put', key, new Error('SlowDown: please reduce your request rate'));
      }
      return store.put(key, body, contentType);
    },
  };
}

/** Every object of the lake, key -> bytes. */
export async function snapshot(store: ObjectStore): Promise<Map<string, Uint8Array>> {
  const objects = new Map<string, Uint8Array>();
  for (const key of await store.list('')) objects.set(key, (await store.get(key))!);
  return objects;
}
