/**
 * The one transport interface every monitor talks through (DESIGN §2): connect, QoS 1 publish resolved on
 * PUBACK, subscribe, incoming messages, connection state, end. Two adapters implement it, one file each:
 * mqtt.js (`mqttjs.ts`, any broker, pure JS) and aws-iot-device-sdk-v2 (`crt.ts`, native, for IoT Core).
 *
 * A transport never reconnects on its own: the monitor owns reconnection (exponential backoff + jitter,
 * fleet-wide connect ramp), so both adapters behave the same and the outbox decides what is resent.
 */

export type TransportKind = 'mqtt' | 'crt' | 'lite';
export const TRANSPORT_KINDS: readonly TransportKind[] = ['mqtt', 'crt', 'lite'];

export type ConnectionState = 'connected' | 'disconnected';

/** PEM contents (not paths): read once by the caller, shared by every monitor of a worker. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
  /** Paths of the same files, for the aws-crt builders that read from disk. */
  certPath?: string;
  keyPath?: string;
  caPath?: string;
  /** Server name checked against the broker certificate (defaults to the host). */
  servername?: string;
}

export interface TransportOptions {
  host: string;
  port: number;
  clientId: string;
  /** Present: TLS with this client certificate (mTLS). Absent: plain TCP. */
  tls?: TlsMaterial;
  /** 4 = MQTT 3.1.1 (default; aedes speaks it), 5 = MQTT 5 (IoT Core, mosquitto). */
  protocolVersion?: 4 | 5;
  keepaliveSeconds?: number;
  /** Bounded wait for CONNACK. */
  connectTimeoutMs?: number;
  /** Source address for the TCP socket (spreads ephemeral ports over 127.0.0.x on big local fleets). */
  localAddress?: string;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;
export type StateHandler = (state: ConnectionState, error?: Error) => void;

export interface Transport {
  readonly kind: TransportKind;
  readonly clientId: string;
  /** Opens a fresh connection (clean session); resolves on CONNACK, rejects with a TransportError. */
  connect(): Promise<void>;
  /** QoS 1 resolves on PUBACK; QoS 0 once written. Rejects when the connection drops first. */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void>;
  subscribe(filter: string, qos: 0 | 1): Promise<void>;
  onMessage(handler: MessageHandler): void;
  /** Called on every change after connect() resolved: a drop reports 'disconnected' with the cause. */
  onState(handler: StateHandler): void;
  readonly connected: boolean;
  /** Closes the connection (bounded); idempotent. */
  end(): Promise<void>;
}

export type TransportFactory = (options: TransportOptions) => Transport;

/** Base of the transport errors: says which endpoint and what to check; keeps the original as `cause`. */
export class TransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The broker could not be reached or did not answer CONNECT within the bounded wait. */
export class ConnectError extends TransportError {}

/** The broker refused the connection (bad certificate, policy, client id). */
export class ConnectionRefusedError extends TransportError {}

/** An operation failed because the connection went away (the outbox resends it). */
export class ConnectionLostError extends TransportError {}

/** The native aws-crt binary is not available on this platform. */
export class TransportUnavailableError extends TransportError {}

export function describeEndpoint(options: Pick<TransportOptions, 'host' | 'port' | 'tls'>): string {
  return `${options.tls ? 'mqtts' : 'mqtt'}://${options.host}:${options.port}`;
}
