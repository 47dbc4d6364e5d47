/**
 * AWS IoT lifecycle events (the "Lifecycle events" page): `$aws/events/presence/connected|disconnected/
 * <clientId>` with clientId, timestamp (epoch ms), eventType, sessionIdentifier, principalIdentifier,
 * ipAddress (connected), clientInitiatedDisconnect + disconnectReason (disconnected) and versionNumber.
 * Pure builders; the broker wiring decides the reason.
 */
import { presenceTopic } from '../../../device/contract/index.ts';

/** The subset of AWS's disconnect reasons the local broker can produce. */
export type DisconnectReason =
  | 'CLIENT_INITIATED_DISCONNECT'
  | 'CLIENT_ERROR'
  | 'CONNECTION_LOST'
  | 'DUPLICATE_CLIENTID'
  | 'AUTH_ERROR'
  | 'MQTT_KEEP_ALIVE_TIMEOUT'
  | 'SERVER_INITIATED_DISCONNECT';

export interface Session {
  clientId: string;
  /** Random per connection, as AWS's sessionIdentifier. */
  sessionIdentifier: string;
  /** The certificate id: SHA-256 of the client certificate, lowercase hex (AWS uses the same). */
  principalIdentifier: string;
  ipAddress: string;
  /** Set when the broker knows why the connection is ending; CONNECTION_LOST otherwise. */
  reason?: DisconnectReason;
}

export interface ConnectedEvent {
  clientId: string;
  timestamp: number;
  eventType: 'connected';
  sessionIdentifier: string;
  principalIdentifier: string;
  ipAddress: string;
  versionNumber: number;
}

export interface DisconnectedEvent {
  clientId: string;
  timestamp: number;
  eventType: 'disconnected';
  sessionIdentifier: string;
  principalIdentifier: string;
  clientInitiatedDisconnect: boolean;
  disconnectReason: DisconnectReason;
  versionNumber: number;
}

export type PresenceEvent = ConnectedEvent | DisconnectedEvent;

export function connectedEvent(session: Session, timestamp: number, versionNumber: number): ConnectedEvent {
  return {
    clientId: session.clientId,
    timestamp,
    eventType: 'connected',
    sessionIdentifier: session.sessionIdentifier,
    principalIdentifier: session.principalIdentifier,
    ipAddress: session.ipAddress,
    versionNumber,
  };
}

export function disconnectedEvent(session: Session, timestamp: number, versionNumber: number): DisconnectedEvent {
  const reason = session.reason ?? 'CONNECTION_LOST';
  return {
    clientId: session.clientId,
    timestamp,
    eventType: 'disconnected',
    sessionIdentifier: session.sessionIdentifier,
    principalIdentifier: session.principalIdentifier,
    clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT',
    disconnectReason: reason,
    versionNumber,
  };
}

export function presenceEventTopic(event: PresenceEvent): string {
  return presenceTopic(event.eventType, event.clientId);
}

/** Keeps the first reason found: the cause, not the socket error that follows it. */
export function markReason(session: Session | undefined, reason: DisconnectReason): void {
  if (session && session.reason === undefined) session.reason = reason;
}
