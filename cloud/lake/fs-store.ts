/**
 * The directory adapter of the object store (./data/lake locally). Writes go to a temp file in the same
 * directory and are renamed into place, so a reader (DuckDB) never sees half a Parquet file and a crash
 * leaves either the old object or the new one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { assertLakeKey, isLakeKey, ObjectStoreError, type ObjectStore } from './object-store.ts';

const TEMP_MARKER = '.tmp-';

export function createFsStore(root: string): ObjectStore {
  const pathOf = (key: string): string => {
    assertLakeKey(key);
    return join(root, ...key.split('/'));
  };
  return {
    async put(key, body) {
      const path = pathOf(key);
      const temp = `${path}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(temp, body);
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw new ObjectStoreError('put', key, error);
      }
    },
    async get(key) {
      try {
        const bytes = await readFile(pathOf(key));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if (isCode(error, 'ENOENT') || isCode(error, 'EISDIR')) return undefined;
        throw new ObjectStoreError('get', key, error);
      }
    },
    async list(prefix) {
      try {
        // Walk only the directory the prefix is certainly inside, not the whole lake.
        const directory = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
        // A prefix no valid key can start with ("../", "a//b") lists nothing, as in S3.
        if (directory !== '' && !isLakeKey(directory)) return [];
        const files = await walk(directory === '' ? root : join(root, ...directory.split('/')));
        return files
          .map((file) => relative(root, file).split(sep).join('/'))
          .filter((key) => key.startsWith(prefix) && !key.includes(TEMP_MARKER))
          .sort();
      } catch (error) {
        if (isCode(error, 'ENOENT')) return [];
        throw new ObjectStoreError('list', prefix, error);
      }
    },
    async delete(key) {
      try {
        await rm(pathOf(key), { force: true });
      } catch (error) {
        throw new ObjectStoreError('delete', key, error);
      }
    },
  };
}

async function walk(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(entries.map(async (entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.isFile() ? [path] : [];
  }));
  return nested.flat();
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
