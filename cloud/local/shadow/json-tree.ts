/**
 * Pure JSON-tree operations behind the classic device shadow: AWS's merge rules (null deletes, objects
 * merge, everything else replaces), per-leaf metadata timestamps, and the desired-vs-reported delta.
 * See the AWS IoT "Device Shadow service documents" page, sections "Delta state" and "Metadata".
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject { [key: string]: JsonValue }

/** Metadata mirrors the state tree; each leaf carries the epoch-seconds time it was last written. */
export type MetadataValue = { timestamp: number } | MetadataValue[] | MetadataObject;
export interface MetadataObject { [key: string]: MetadataValue }

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Depth as AWS counts it for the 6-level limit: `{"a":1}` is depth 1. */
export function nestingDepth(value: JsonValue): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(nestingDepth));
  if (isJsonObject(value)) return 1 + Math.max(0, ...Object.values(value).map(nestingDepth));
  return 0;
}

/** Applies an update section to a stored section: null deletes a key, objects merge, the rest replaces. */
export function mergeState(current: JsonObject | undefined, patch: JsonObject): JsonObject {
  const merged: JsonObject = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete merged[key];
    } else if (isJsonObject(value) && isJsonObject(merged[key])) {
      const child = mergeState(merged[key] as JsonObject, value);
      if (Object.keys(child).length === 0) delete merged[key];
      else merged[key] = child;
    } else if (isJsonObject(value)) {
      const child = mergeState(undefined, value);
      if (Object.keys(child).length > 0) merged[key] = child;
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

export function metadataFor(value: JsonValue, timestamp: number): MetadataValue {
  if (Array.isArray(value)) return value.map((item) => metadataFor(item, timestamp));
  if (isJsonObject(value)) {
    const meta: MetadataObject = {};
    for (const [key, child] of Object.entries(value)) {
      if (child !== null) meta[key] = metadataFor(child, timestamp);
    }
    return meta;
  }
  return { timestamp };
}

function isMetadataObject(value: MetadataValue | undefined): value is MetadataObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('timestamp' in value && typeof value.timestamp === 'number');
}

/** Metadata after `mergeState(state, patch)`: written leaves get `timestamp`, deleted keys lose theirs. */
export function mergeMetadata(current: MetadataObject | undefined, patch: JsonObject, timestamp: number): MetadataObject {
  const merged: MetadataObject = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    const existing = merged[key];
    if (value === null) {
      delete merged[key];
    } else if (isJsonObject(value) && isMetadataObject(existing)) {
      const child = mergeMetadata(existing, value, timestamp);
      if (Object.keys(child).length === 0) delete merged[key];
      else merged[key] = child;
    } else {
      const child = metadataFor(value, timestamp);
      if (isMetadataObject(child) && Object.keys(child).length === 0) delete merged[key];
      else merged[key] = child;
    }
  }
  return merged;
}

/**
 * The delta: every desired field whose value differs from (or is missing in) reported. Objects are
 * compared field by field; arrays as whole values, as AWS does.
 */
export function computeDelta(desired: JsonObject | undefined, reported: JsonObject | undefined): JsonObject {
  const delta: JsonObject = {};
  if (!desired) return delta;
  for (const [key, want] of Object.entries(desired)) {
    const have = reported?.[key];
    if (isJsonObject(want) && isJsonObject(have)) {
      const child = computeDelta(want, have);
      if (Object.keys(child).length > 0) delta[key] = child;
    } else if (!deepEqual(want, have)) {
      delta[key] = want;
    }
  }
  return delta;
}

/** The part of `metadata` that has the same shape as `shape` (for the delta's metadata). */
export function pickMetadata(metadata: MetadataObject | undefined, shape: JsonObject): MetadataObject {
  const picked: MetadataObject = {};
  if (!metadata) return picked;
  for (const [key, value] of Object.entries(shape)) {
    const meta = metadata[key];
    if (meta === undefined) continue;
    picked[key] = isJsonObject(value) && isMetadataObject(meta) ? pickMetadata(meta, value) : meta;
  }
  return picked;
}
