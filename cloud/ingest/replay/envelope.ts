/**
 * A rule error-action record back into what the rule would have put into the stream: the same envelope
 * (vitals-rule.ts) keyed by the same partition key. The error action carries the original MQTT payload
 * (base64), the topic and the client id, but no receive time: the time the record was written (the S3
 * object's or the local file line's) stands in for `received_at`, seconds after the original.
 */
import { type VitalsEnvelope } from '../vitals-rule.ts';

export interface ReplayRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
  /** Where it came from (object key or file:line), for the summary. */
  readonly source: string;
}

export type Replayable = { ok: true; record: ReplayRecord } | { ok: false; reason: string };

const VITALS_TOPIC = /^dt\/bedside\/([^/]+)\/vitals$/;

export function envelopeFromRuleError(raw: unknown, receivedAtMs: number, source: string): Replayable {
  if (!raw || typeof raw !== 'object') return { ok: false, reason: 'not a JSON object' };
  const record = raw as Record<string, unknown>;
  const { topic, clientId, base64OriginalPayload } = record;
  if (typeof topic !== 'string' || typeof base64OriginalPayload !== 'string') return { ok: false, reason: 'no topic or base64OriginalPayload' };
  const thing = VITALS_TOPIC.exec(topic)?.[1];
  if (!thing) return { ok: false, reason: `not a vitals topic: ${topic}` };
  const envelope: VitalsEnvelope = {
    payload: base64OriginalPayload,
    thing_name: thing,
    client_id: typeof clientId === 'string' ? clientId : thing,
    received_at: receivedAtMs,
  };
  // Partition key `${topic(3)}`: the thing name, so one device's replayed readings stay in order.
  return { ok: true, record: { data: Buffer.from(JSON.stringify(envelope)), partitionKey: thing, source } };
}
