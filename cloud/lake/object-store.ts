/**
 * The object-store port of the lake (DESIGN §5): S3 in the cloud, a directory locally. The ETL writes
 * through it and never knows which one it has. Keys are lake keys (`raw/vitals/...`), never paths.
 */
export interface ObjectStore {
  /** Writes the whole object, replacing any object with the same key (a retried batch overwrites). */
  put(key: string, body: Uint8Array, contentType?: string): Promise<void>;
  /** The object's bytes, or undefined when there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every key that starts with prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** A store operation failed (network, permissions, disk): transient from the ETL's point of view. */
export class ObjectStoreError extends Error {
  override readonly name = 'ObjectStoreError';
  constructor(
    readonly operation: 'put' | 'get' | 'list' | 'delete',
    readonly key: string,
    cause: unknown,
  ) {
    super(`object store ${operation} of "${key}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Lake keys are relative, slash-separated, without empty, "." or ".." segments (no escaping the root). */
export function isLakeKey(key: string): boolean {
  const segments = key.split('/');
  return key.length > 0 && key.length <= 1024 && !segments.some((s) => s === '' || s === '.' || s === '..')
    && !key.includes('\\') && !key.includes('\0');
}

export function assertLakeKey(key: string): void {
  if (!isLakeKey(key)) {
    throw new RangeError(`"${key}" is not a valid lake key: use relative slash-separated segments, no "..", at most 1024 characters`);
  }
}
