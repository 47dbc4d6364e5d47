/** What the broker tells in-process listeners (the dashboard, the local stack, tests). */
import { EventEmitter } from 'node:events';
import type { RuleErrorRecord, RulesStats } from '../rules/index.ts';
import type { ShadowChange } from '../shadow/index.ts';
import type { PresenceEvent } from './presence.ts';

export interface ConnectionRefused {
  /** Empty when the TLS handshake failed before any MQTT CONNECT. */
  clientId: string;
  remoteAddress: string;
  reason: string;
}

export interface PublishDenied {
  clientId: string;
  topic: string;
  reason: 'policy' | 'payload-too-large';
  payloadBytes: number;
}

export interface SubscribeDenied {
  clientId: string;
  topicFilter: string;
}

/** One message routed by the broker, as an all-seeing in-process subscriber gets it. */
export interface BrokerMessage {
  topic: string;
  payload: Buffer;
  /** The publishing client; null for the broker's own messages (shadow replies, lifecycle events). */
  clientId: string | null;
}

export interface BrokerEventMap {
  /** Every authorised publish and every message the broker itself publishes ($SYS excluded). */
  message: [BrokerMessage];
  presence: [PresenceEvent];
  'connection-refused': [ConnectionRefused];
  'publish-denied': [PublishDenied];
  'subscribe-denied': [SubscribeDenied];
  shadow: [ShadowChange];
  /** Records stored in the stream by one PutRecords call (or matched, when no stream is configured). */
  'vitals-forwarded': [{ records: number }];
  'rule-error': [RuleErrorRecord];
  /**
   * A second connection with the same client id took the session over (the older one is closed with
   * DUPLICATE_CLIENTID): the same thing runs in two places, and the two keep pushing each other out.
   */
  'session-takeover': [{ clientId: string; remoteAddress: string; previousAddress: string }];
  /** Internal problems that did not stop the broker (a persistence write failed, ...). */
  'internal-error': [Error];
}

export class BrokerEvents extends EventEmitter<BrokerEventMap> {}

export interface BrokerStats {
  connectedClients: number;
  connectionsAccepted: number;
  connectionsRefused: number;
  tlsHandshakeFailures: number;
  messagesIn: number;
  /** QoS 1 vitals publishes acknowledged, each once its rule outcome was durable (stream or error log). */
  vitalsAcknowledged: number;
  sessionTakeovers: number;
  publishesDenied: number;
  oversizedPayloads: number;
  subscribesDenied: number;
  shadowRequests: number;
  rules: RulesStats;
}
