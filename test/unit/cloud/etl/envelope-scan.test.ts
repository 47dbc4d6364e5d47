import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanEnvelope } from '../../../../cloud/etl/envelope-scan.ts';
import { unwrapRecord } from '../../../../cloud/etl/kinesis-record.ts';
import { kinesisRecord, T0 } from './kinesis-fixtures.ts';

/** How a Kinesis record whose data is `text` unwraps when JSON.parse reads the envelope (the reference). */
function unwrappedByJsonParse(original: string): { envelope: unknown; payload: Buffer } {
  // The record carries UTF-8: a lone surrogate of the test's string arrives as U+FFFD.
  const text = Buffer.from(original, 'utf8').toString('utf8');
  const bare = { envelope: null, payload: Buffer.from(text, 'utf8') };
  if (!text.startsWith('{') || !text.includes('"thing_name"')) return bare;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bare;
  }
  if (typeof value !== 'object' || value === null) return bare;
  const { payload, thing_name, client_id, received_at } = value as Record<string, unknown>;
  if (typeof payload !== 'string' || typeof thing_name !== 'string') return bare;
  return {
    envelope: {
      thing_name, client_id: typeof client_id === 'string' ? client_id : '',
      received_at: typeof received_at === 'number' && Number.isFinite(received_at) ? received_at : null,
    },
    payload: Buffer.from(payload, 'base64'),
  };
}

function unwrapped(text: string): { envelope: unknown; payload: Buffer } {
  const { envelope, payload } = unwrapRecord(kinesisRecord(text, { n: 1 }), T0);
  return { envelope, payload };
}

const base64 = fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('base64'));
const name = fc.oneof(fc.stringMatching(/^[a-zA-Z0-9:_-]{1,40}$/), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', 'a\u0001b', 'tab\there', 'é', 'a"b', 'a\\b', 'x\u001f', '\u007f'));
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  base64, name, fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e21, 1795539600130, -5, 0.5, null, true, false), fc.constant({ nested: 1 }), fc.constant([1]),
);
/** Envelopes: the rule's keys (and others) in any order, with any values, sometimes not as the rule writes them. */
const envelopeText = fc.record({
  keys: fc.shuffledSubarray(['payload', 'thing_name', 'client_id', 'received_at', 'extra'], { minLength: 0 }),
  values: fc.array(anyValue, { minLength: 5, maxLength: 5 }),
  payload: base64, thing: name, receivedAt: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), anyValue),
  typed: fc.boolean(), indent: fc.constantFrom(undefined, 0, 1),
}).map(({ keys, values, payload, thing, receivedAt, typed, indent }) => {
  const object: Record<string, unknown> = {};
  keys.forEach((key, i) => {
    object[key] = typed ? ({ payload, thing_name: thing, client_id: thing, received_at: receivedAt, extra: values[i] } as Record<string, unknown>)[key] : values[i];
  });
  return JSON.stringify(object, null, indent);
});
/** The rule's own key order, any values. */
const ruleText = fc.tuple(base64, name, fc.oneof(name, anyValue), fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), anyValue)).map(([payload, thing, client, receivedAt]) =>
  JSON.stringify({ payload, thing_name: thing, client_id: client, received_at: receivedAt }));
/** A few bytes changed, cut or added: texts no serialiser writes. */
const mutatedText = fc.tuple(fc.oneof(envelopeText, ruleText), fc.nat(), fc.constantFrom('', '"', '\\', ',', '}', ' ', '\u0000', '\u001f', '\t', '=', 'A', '1', '.', '-', 'e')).map(([text, at, insert]) => {
  const cut = at % (text.length + 1);
  return text.slice(0, cut) + insert + text.slice(cut + (at % 3 === 0 ? 1 : 0));
});

/** The rule's layout written by hand, so that names can hold what no serialiser leaves raw (control characters). */
const rawNames = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 8 })
  .filter((text) => !text.includes('"') && !text.includes('\\'));
const handWrittenText = fc.tuple(base64, rawNames, rawNames, fc.integer({ min: 0, max: 2 ** 45 })).map(([payload, thing, client, receivedAt]) =>
  `{"payload":"${payload}","thing_name":"${thing}","client_id":"${client}","received_at":${receivedAt}}`);
/** Keys written twice, the first copy holding anything raw (JSON.parse keeps the last, or rejects the text). */
const repeatedKeys = fc.tuple(fc.constantFrom('payload', 'thing_name', 'client_id'), rawNames, base64, rawNames).map(([key, first, payload, thing]) =>
  `{"${key}":"${first}","payload":"${payload}","thing_name":"${thing}","${key}":"${key === 'payload' ? payload : thing}"}`);

describe('unwrapping an envelope (scanner first, JSON.parse for the rest)', () => {
  it('gives exactly what JSON.parse gives, for any text', () => {
    fc.assert(fc.property(fc.oneof(envelopeText, ruleText, mutatedText, handWrittenText, repeatedKeys), (text) => {
      expect(unwrapped(text)).toEqual(unwrappedByJsonParse(text));
    }), { numRuns: 5_000 });
  });
});

describe('scanEnvelope', () => {
  it('answers itself for the envelope as the rule writes it', () => {
    fc.assert(fc.property(base64, fc.stringMatching(/^[a-zA-Z0-9:_-]{1,128}$/), fc.integer({ min: 0, max: 2 ** 45 }), (payload, thing, receivedAt) => {
      const text = JSON.stringify({ payload, thing_name: thing, client_id: thing, received_at: receivedAt });
      expect(scanEnvelope(text)).toEqual({
        payload, payloadBytes: Buffer.from(payload, 'base64').byteLength, thing_name: thing, client_id: thing, received_at: receivedAt,
      });
    }), { numRuns: 1_000 });
  });

  it('leaves a repeated payload to JSON.parse, which rejects a raw control character in the first', () => {
    const text = '{"payload":"\n","thing_name":"bed-1","payload":"QUJD"}';
    expect(scanEnvelope(text)).toBeUndefined();
    expect(unwrapped(text)).toEqual(unwrappedByJsonParse(text));
    expect(unwrapped(text).envelope).toBeNull();
  });

  it('leaves escapes, whitespace, fractions and unknown keys to JSON.parse', () => {
    const payload = Buffer.from('{"schema":"vitals/1"}').toString('base64');
    for (const text of [
      `{"payload":"${payload}","thing_name":"bed\\u002d1","received_at":1}`,
      `{ "payload":"${payload}","thing_name":"bed-1"}`,
      `{"payload":"${payload}","thing_name":"bed-1","received_at":1.5}`,
      `{"payload":"${payload}","thing_name":"bed-1","qos":1}`,
      `{"payload":"${payload.slice(1)}","thing_name":"bed-1"}`,
    ]) expect(scanEnvelope(text)).toBeUndefined();
  });
});
