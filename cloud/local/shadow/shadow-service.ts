/**
 * The classic (unnamed) device shadow as a pure state machine: (stored record, request) -> (new record,
 * replies). No I/O and no clock: the caller passes `nowMs`. Semantics and error codes/messages follow
 * AWS IoT's "Device Shadow service documents", "Device Shadow MQTT topics" and "Device Shadow error
 * messages" pages.
 */
import type { ShadowResponse } from '../../../device/contract/index.ts';
import {
  computeDelta, isJsonObject, mergeMetadata, mergeState, metadataFor, nestingDepth, pickMetadata,
  type JsonObject, type JsonValue, type MetadataObject,
} from './json-tree.ts';

export const SHADOW_LIMITS = Object.freeze({
  /** Desired + reported state, serialised; metadata does not count (AWS "Device Shadow" quotas). */
  maxStateBytes: 8 * 1024,
  maxDepth: 6,
  maxClientTokenBytes: 64,
});

export interface ShadowDocument {
  state: { desired?: JsonObject; reported?: JsonObject };
  metadata: { desired?: MetadataObject; reported?: MetadataObject };
  version: number;
}

/** What is stored per thing: the document, or none, and the last version (kept across a delete). */
export interface ShadowRecord {
  document: ShadowDocument | undefined;
  version: number;
}

export type ShadowRequestKind = 'get' | 'update' | 'delete';

export interface ShadowReply {
  suffix: ShadowResponse;
  payload: JsonObject;
}

export interface ShadowOutcome {
  record: ShadowRecord;
  replies: ShadowReply[];
  /** True when the record changed and must be persisted. */
  changed: boolean;
}

export const EMPTY_RECORD: ShadowRecord = Object.freeze({ document: undefined, version: 0 });

class ShadowRejection extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseRequest(payload: Uint8Array, allowEmpty: boolean): JsonObject {
  if (payload.length === 0 && allowEmpty) return {};
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    throw new ShadowRejection(415, 'Unsupported documented encoding; supported encoding is UTF-8');
  }
  if (text.trim() === '' && allowEmpty) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ShadowRejection(400, 'Invalid JSON');
  }
  if (!isJsonObject(parsed)) throw new ShadowRejection(400, 'Invalid JSON');
  return parsed;
}

function readClientToken(request: JsonObject): string | undefined {
  const token = request.clientToken;
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || Buffer.byteLength(token) > SHADOW_LIMITS.maxClientTokenBytes) {
    throw new ShadowRejection(400, 'Invalid clientToken');
  }
  return token;
}

function withToken(payload: JsonObject, clientToken: string | undefined): JsonObject {
  return clientToken === undefined ? payload : { ...payload, clientToken };
}

function rejected(kind: ShadowRequestKind, error: ShadowRejection, timestamp: number, clientToken: string | undefined): ShadowReply {
  return {
    suffix: `${kind}/rejected`,
    payload: withToken({ code: error.code, message: error.message, timestamp }, clientToken),
  };
}

interface UpdateRequest {
  desired: JsonObject | null | undefined;
  reported: JsonObject | null | undefined;
  version: number | undefined;
}

function readUpdate(request: JsonObject): UpdateRequest {
  if (!('state' in request)) throw new ShadowRejection(400, 'Missing required node: state');
  const state = request.state;
  if (!isJsonObject(state)) throw new ShadowRejection(400, 'State node must be an object');
  for (const key of Object.keys(state)) {
    if (key !== 'desired' && key !== 'reported') throw new ShadowRejection(400, 'State contains an invalid node');
  }
  const section = (name: 'desired' | 'reported'): JsonObject | null | undefined => {
    const value = state[name];
    if (value === undefined || value === null) return value;
    if (!isJsonObject(value)) throw new ShadowRejection(400, `${name === 'desired' ? 'Desired' : 'Reported'} node must be an object`);
    if (nestingDepth(value) > SHADOW_LIMITS.maxDepth) {
      throw new ShadowRejection(400, `JSON contains too many levels of nesting; maximum is ${SHADOW_LIMITS.maxDepth}`);
    }
    return value;
  };
  const version = request.version;
  if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)) {
    throw new ShadowRejection(400, 'Invalid version');
  }
  if (Buffer.byteLength(JSON.stringify(state)) > SHADOW_LIMITS.maxStateBytes) {
    throw new ShadowRejection(413, 'The payload exceeds the maximum size allowed');
  }
  return { desired: section('desired'), reported: section('reported'), version };
}

/** Metadata of the request itself, as update/accepted shows it: a timestamp on every leaf written, nulls too. */
function requestMetadata(section: JsonObject, timestamp: number): MetadataObject {
  const meta: MetadataObject = {};
  for (const [key, value] of Object.entries(section)) {
    meta[key] = value === null ? { timestamp } : metadataFor(value, timestamp);
  }
  return meta;
}

function applySection(
  document: ShadowDocument, name: 'desired' | 'reported', patch: JsonObject | null | undefined, timestamp: number,
): void {
  if (patch === undefined) return;
  if (patch === null) {
    delete document.state[name];
    delete document.metadata[name];
    return;
  }
  const state = mergeState(document.state[name], patch);
  const metadata = mergeMetadata(document.metadata[name], patch, timestamp);
  if (Object.keys(state).length === 0) {
    delete document.state[name];
    delete document.metadata[name];
  } else {
    document.state[name] = state;
    document.metadata[name] = metadata;
  }
}

function documentPayload(document: ShadowDocument): JsonObject {
  return {
    state: document.state as JsonObject,
    metadata: document.metadata as unknown as JsonObject,
    version: document.version,
  };
}

function handleUpdate(record: ShadowRecord, request: JsonObject, timestamp: number, clientToken: string | undefined): ShadowOutcome {
  const update = readUpdate(request);
  const previous = record.document;
  if (update.version !== undefined && previous !== undefined && update.version !== previous.version) {
    throw new ShadowRejection(409, 'Version conflict');
  }
  const current: ShadowDocument = {
    state: { ...previous?.state },
    metadata: { ...previous?.metadata },
    version: (previous?.version ?? record.version) + 1,
  };
  applySection(current, 'desired', update.desired, timestamp);
  applySection(current, 'reported', update.reported, timestamp);
  if (Buffer.byteLength(JSON.stringify(current.state)) > SHADOW_LIMITS.maxStateBytes) {
    throw new ShadowRejection(413, 'The payload exceeds the maximum size allowed');
  }

  const requestState: JsonObject = {};
  const acceptedMetadata: JsonObject = {};
  for (const name of ['desired', 'reported'] as const) {
    const section = update[name];
    if (section === undefined) continue;
    requestState[name] = section;
    if (section !== null) acceptedMetadata[name] = requestMetadata(section, timestamp) as unknown as JsonValue;
  }
  const replies: ShadowReply[] = [
    {
      suffix: 'update/accepted',
      payload: withToken({ state: requestState, metadata: acceptedMetadata, version: current.version, timestamp }, clientToken),
    },
    {
      suffix: 'update/documents',
      payload: withToken({
        previous: previous === undefined ? null : documentPayload(previous),
        current: documentPayload(current),
        timestamp,
      }, clientToken),
    },
  ];
  const delta = computeDelta(current.state.desired, current.state.reported);
  if (Object.keys(delta).length > 0) {
    replies.push({
      suffix: 'update/delta',
      payload: withToken({
        version: current.version,
        timestamp,
        state: delta,
        metadata: pickMetadata(current.metadata.desired, delta) as unknown as JsonValue,
      }, clientToken),
    });
  }
  return { record: { document: current, version: current.version }, replies, changed: true };
}

function noShadow(thing: string): ShadowRejection {
  return new ShadowRejection(404, `No shadow exists with name: '${thing}'`);
}

function handleGet(thing: string, record: ShadowRecord, timestamp: number, clientToken: string | undefined): ShadowOutcome {
  const document = record.document;
  if (document === undefined) throw noShadow(thing);
  const state: JsonObject = { ...document.state };
  const delta = computeDelta(document.state.desired, document.state.reported);
  if (Object.keys(delta).length > 0) state.delta = delta;
  return {
    record,
    changed: false,
    replies: [{
      suffix: 'get/accepted',
      payload: withToken({
        state, metadata: document.metadata as unknown as JsonValue, version: document.version, timestamp,
      }, clientToken),
    }],
  };
}

function handleDelete(thing: string, record: ShadowRecord, timestamp: number, clientToken: string | undefined): ShadowOutcome {
  const document = record.document;
  if (document === undefined) throw noShadow(thing);
  return {
    // The version survives the delete: a shadow re-created later continues from it, as on AWS.
    record: { document: undefined, version: document.version },
    changed: true,
    replies: [{ suffix: 'delete/accepted', payload: withToken({ version: document.version, timestamp }, clientToken) }],
  };
}

/** Handles one request published on `$aws/things/<thing>/shadow/<kind>`. Never throws. */
export function handleShadowRequest(
  thing: string, kind: ShadowRequestKind, payload: Uint8Array, record: ShadowRecord, nowMs: number,
): ShadowOutcome {
  const timestamp = Math.floor(nowMs / 1000);
  let clientToken: string | undefined;
  try {
    const request = parseRequest(payload, kind !== 'update');
    clientToken = readClientToken(request);
    switch (kind) {
      case 'update': return handleUpdate(record, request, timestamp, clientToken);
      case 'get': return handleGet(thing, record, timestamp, clientToken);
      case 'delete': return handleDelete(thing, record, timestamp, clientToken);
    }
  } catch (error) {
    if (!(error instanceof ShadowRejection)) throw error;
    return { record, changed: false, replies: [rejected(kind, error, timestamp, clientToken)] };
  }
}
