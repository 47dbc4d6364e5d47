/**
 * Cases follow the examples of AWS IoT's "Device Shadow service documents" page (request/response
 * documents, delta state, versioning, arrays, null deletes) and the "Device Shadow error messages" table.
 */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_RECORD, handleShadowRequest, type ShadowRecord, type ShadowReply,
} from '../../../../../cloud/local/shadow/shadow-service.ts';

const NOW = 1_469_564_492_000; // 2016-07-26 20:21:32 UTC, the epoch seconds AWS's examples use
const SECONDS = NOW / 1000;
const THING = 'bedside-0001';

function json(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
}

function reply(replies: ShadowReply[], suffix: string): Record<string, unknown> {
  const found = replies.find((r) => r.suffix === suffix);
  if (!found) throw new Error(`no ${suffix} in ${replies.map((r) => r.suffix).join(', ')}`);
  return found.payload;
}

function update(record: ShadowRecord, body: unknown, now = NOW) {
  return handleShadowRequest(THING, 'update', json(body), record, now);
}

describe('shadow update', () => {
  it('creates a shadow at version 1 and answers accepted, documents and delta', () => {
    const outcome = update(EMPTY_RECORD, { state: { desired: { color: 'RED', state: 'STOP' } }, clientToken: 'token' });
    expect(outcome.changed).toBe(true);
    expect(outcome.replies.map((r) => r.suffix)).toEqual(['update/accepted', 'update/documents', 'update/delta']);
    expect(reply(outcome.replies, 'update/accepted')).toEqual({
      state: { desired: { color: 'RED', state: 'STOP' } },
      metadata: { desired: { color: { timestamp: SECONDS }, state: { timestamp: SECONDS } } },
      version: 1, timestamp: SECONDS, clientToken: 'token',
    });
    expect(reply(outcome.replies, 'update/documents')).toMatchObject({ previous: null, current: { version: 1 }, clientToken: 'token' });
  });

  it('publishes as delta only the desired fields that differ from reported', () => {
    // AWS example: desired {color RED, state STOP}, reported {color GREEN, engine ON} -> delta {color, state}
    const first = update(EMPTY_RECORD, { state: { reported: { color: 'GREEN', engine: 'ON' } } });
    expect(first.replies.some((r) => r.suffix === 'update/delta')).toBe(false);
    const second = update(first.record, { state: { desired: { color: 'RED', state: 'STOP', engine: 'ON' } } });
    expect(reply(second.replies, 'update/delta')).toEqual({
      version: 2, timestamp: SECONDS,
      state: { color: 'RED', state: 'STOP' },
      metadata: { color: { timestamp: SECONDS }, state: { timestamp: SECONDS } },
    });
  });

  it('compares nested objects field by field and arrays as whole values', () => {
    const base = update(EMPTY_RECORD, {
      state: { reported: { lights: { color: 'GREEN', level: 3 }, colors: ['RED', 'GREEN'] } },
    });
    const outcome = update(base.record, {
      state: { desired: { lights: { color: 'RED', level: 3 }, colors: ['RED', 'GREEN'] } },
    });
    expect(reply(outcome.replies, 'update/delta').state).toEqual({ lights: { color: 'RED' } });
  });

  it('replaces an array as a whole rather than element by element', () => {
    const base = update(EMPTY_RECORD, { state: { desired: { colors: ['RED', 'GREEN', 'BLUE'] } } });
    const outcome = update(base.record, { state: { desired: { colors: ['RED'] } } });
    expect(outcome.record.document?.state.desired).toEqual({ colors: ['RED'] });
  });

  it('deletes a field set to null and a whole section set to null', () => {
    const base = update(EMPTY_RECORD, { state: { desired: { color: 'RED', mode: 'A' }, reported: { color: 'RED' } } });
    const fieldGone = update(base.record, { state: { desired: { color: null } } });
    expect(fieldGone.record.document?.state.desired).toEqual({ mode: 'A' });
    expect(fieldGone.record.document?.metadata.desired).toEqual({ mode: { timestamp: SECONDS } });
    const sectionGone = update(fieldGone.record, { state: { desired: null } });
    expect(sectionGone.record.document?.state).toEqual({ reported: { color: 'RED' } });
    expect(sectionGone.replies.some((r) => r.suffix === 'update/delta')).toBe(false);
  });

  it('merges nested objects and stamps only the leaves written', () => {
    const base = update(EMPTY_RECORD, { state: { reported: { probe: { spo2: 'ok', ecg: 'ok' } } } }, NOW);
    const later = update(base.record, { state: { reported: { probe: { spo2: 'off' } } } }, NOW + 5000);
    expect(later.record.document?.state.reported).toEqual({ probe: { spo2: 'off', ecg: 'ok' } });
    expect(later.record.document?.metadata.reported).toEqual({
      probe: { spo2: { timestamp: SECONDS + 5 }, ecg: { timestamp: SECONDS } },
    });
  });

  it('accepts a matching version and rejects a stale one with 409', () => {
    const v1 = update(EMPTY_RECORD, { state: { reported: { a: 1 } } });
    const v2 = update(v1.record, { state: { reported: { a: 2 } }, version: 1 });
    expect(v2.record.version).toBe(2);
    const stale = update(v2.record, { state: { reported: { a: 3 } }, version: 1, clientToken: 'c1' });
    expect(stale.changed).toBe(false);
    expect(stale.replies).toEqual([{
      suffix: 'update/rejected',
      payload: { code: 409, message: 'Version conflict', timestamp: SECONDS, clientToken: 'c1' },
    }]);
  });

  it.each([
    ['not JSON', '{"state": ', 400, 'Invalid JSON'],
    ['a JSON array', '[1]', 400, 'Invalid JSON'],
    ['no state', { clientToken: 'x' }, 400, 'Missing required node: state'],
    ['a state that is not an object', { state: 3 }, 400, 'State node must be an object'],
    ['a desired that is not an object', { state: { desired: 'on' } }, 400, 'Desired node must be an object'],
    ['a reported that is not an object', { state: { reported: [1] } }, 400, 'Reported node must be an object'],
    ['an unknown state node', { state: { delta: { a: 1 } } }, 400, 'State contains an invalid node'],
    ['a negative version', { state: { reported: { a: 1 } }, version: -1 }, 400, 'Invalid version'],
    ['a clientToken over 64 bytes', { state: { reported: { a: 1 } }, clientToken: 'x'.repeat(65) }, 400, 'Invalid clientToken'],
    ['7 levels of nesting', { state: { reported: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } } }, 400,
      'JSON contains too many levels of nesting; maximum is 6'],
    ['a state over 8 KB', { state: { reported: { blob: 'x'.repeat(8200) } } }, 413, 'The payload exceeds the maximum size allowed'],
  ])('rejects %s with %i', (_name, body, code, message) => {
    const outcome = update(EMPTY_RECORD, body);
    expect(outcome.changed).toBe(false);
    expect(outcome.replies).toHaveLength(1);
    expect(outcome.replies[0]?.suffix).toBe('update/rejected');
    expect(outcome.replies[0]?.payload).toMatchObject({ code, message });
  });

  it('rejects an update that would grow the stored state past 8 KB', () => {
    const half = 'x'.repeat(4500);
    const base = update(EMPTY_RECORD, { state: { reported: { a: half } } });
    const outcome = update(base.record, { state: { reported: { b: half } } });
    expect(outcome.replies[0]?.payload).toMatchObject({ code: 413 });
    expect(outcome.record).toBe(base.record);
  });

  it('rejects bytes that are not UTF-8 with 415', () => {
    const outcome = handleShadowRequest(THING, 'update', Buffer.from([0x7b, 0xff, 0x7d]), EMPTY_RECORD, NOW);
    expect(outcome.replies[0]?.payload).toMatchObject({ code: 415 });
  });
});

describe('shadow get and delete', () => {
  it('answers get with state, delta, metadata, version and the clientToken', () => {
    const base = update(EMPTY_RECORD, { state: { desired: { color: 'RED' }, reported: { color: 'GREEN' } } });
    const outcome = handleShadowRequest(THING, 'get', json({ clientToken: 'g1' }), base.record, NOW);
    expect(outcome.changed).toBe(false);
    expect(reply(outcome.replies, 'get/accepted')).toEqual({
      state: { desired: { color: 'RED' }, reported: { color: 'GREEN' }, delta: { color: 'RED' } },
      metadata: { desired: { color: { timestamp: SECONDS } }, reported: { color: { timestamp: SECONDS } } },
      version: 1, timestamp: SECONDS, clientToken: 'g1',
    });
  });

  it('answers get of a missing shadow with 404', () => {
    const outcome = handleShadowRequest(THING, 'get', Buffer.alloc(0), EMPTY_RECORD, NOW);
    expect(outcome.replies).toEqual([{
      suffix: 'get/rejected',
      payload: { code: 404, message: `No shadow exists with name: '${THING}'`, timestamp: SECONDS },
    }]);
  });

  it('deletes a shadow, keeps its version for the next one, and 404s a second delete', () => {
    const v1 = update(EMPTY_RECORD, { state: { reported: { a: 1 } } });
    const v2 = update(v1.record, { state: { reported: { a: 2 } } });
    const deleted = handleShadowRequest(THING, 'delete', json({ clientToken: 'd' }), v2.record, NOW);
    expect(reply(deleted.replies, 'delete/accepted')).toEqual({ version: 2, timestamp: SECONDS, clientToken: 'd' });
    expect(deleted.record.document).toBeUndefined();
    const again = handleShadowRequest(THING, 'delete', Buffer.alloc(0), deleted.record, NOW);
    expect(again.replies[0]?.payload).toMatchObject({ code: 404 });
    const recreated = update(deleted.record, { state: { reported: { a: 3 } } });
    expect(recreated.record.document?.version).toBe(3);
    expect(reply(recreated.replies, 'update/documents').previous).toBeNull();
  });
});
