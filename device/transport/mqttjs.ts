/**
 * mqtt.js adapter: any broker, plain TCP or TLS (mTLS with the device certificate), MQTT 3.1.1 or 5.
 * Pure JavaScript, so it also runs where aws-crt has no native binary (32-bit Raspberry Pi OS).
 *
 * The socket is built here (not by mqtt.js) so that a source address can be chosen, and mqtt.js's own
 * reconnect is off (reconnectPeriod 0): the monitor reconnects with backoff and the outbox resends.
 */
import { isIP, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MqttClient, type IClientOptions } from 'mqtt';
import {
  ConnectError, ConnectionLostError, ConnectionRefusedError, describeEndpoint,
  type MessageHandler, type StateHandler, type Transport, type TransportOptions,
} from './types.ts';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function createMqttJsTransport(options: TransportOptions): Transport {
  return new MqttJsTransport(options);
}

class MqttJsTransport implements Transport {
  readonly kind = 'mqtt' as const;
  readonly clientId: string;
  private client: MqttClient | undefined;
  private messageHandler: MessageHandler | undefined;
  private stateHandler: StateHandler | undefined;
  private isConnected = false;

  constructor(private readonly options: TransportOptions) {
    this.clientId = options.clientId;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  onMessage(handler: MessageHandler): void {
    this.messageHandler = handler;
  }

  onState(handler: StateHandler): void {
    this.stateHandler = handler;
  }

  connect(): Promise<void> {
    this.dispose();
    const { host, port, tls, localAddress } = this.options;
    const endpoint = describeEndpoint(this.options);
    const streamBuilder = () => tls
      ? tlsConnect({
        // The TCP socket is made first so that its source address can be chosen.
        socket: localAddress ? netConnect({ host, port, localAddress }) : undefined,
        host, port, cert: tls.cert, key: tls.key, ca: tls.ca, servername: tls.servername ?? (isIP(host) ? undefined : host),
        // IoT Core serves MQTT on 443 only with this ALPN protocol.
        ALPNProtocols: port === 443 ? ['x-amzn-mqtt-ca'] : undefined,
      })
      : netConnect({ host, port, localAddress });
    const clientOptions: IClientOptions = {
      clientId: this.clientId,
      protocolVersion: this.options.protocolVersion ?? 4,
      clean: true,
      keepalive: this.options.keepaliveSeconds ?? 60,
      reconnectPeriod: 0,
      connectTimeout: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      manualConnect: true,
      resubscribe: false,
      queueQoSZero: false,
    };
    const client = new MqttClient(streamBuilder, clientOptions);
    this.client = client;
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(new ConnectError(
        `no CONNACK from ${endpoint} within ${timeoutMs} ms as "${this.clientId}": check that the broker runs and the port is right`)), timeoutMs);
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.dispose();
        reject(error);
      };
      client.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.isConnected = true;
        resolve();
      });
      client.on('error', (error: Error & { code?: number | string }) => {
        if (!settled) {
          const refused = typeof error.code === 'number';
          fail(refused
            ? new ConnectionRefusedError(`${endpoint} refused "${this.clientId}" (${error.message}): check its certificate, the IoT policy and that the thing exists`, { cause: error })
            : new ConnectError(`cannot reach ${endpoint} as "${this.clientId}" (${error.message}): check that the broker runs, the host and port, and TLS settings`, { cause: error }));
        }
      });
      client.on('close', () => {
        if (!settled) {
          fail(new ConnectError(`${endpoint} closed the connection of "${this.clientId}" before CONNACK: check its certificate and the IoT policy`));
          return;
        }
        this.handleDrop(new ConnectionLostError(`connection of "${this.clientId}" to ${endpoint} closed`));
      });
      client.on('message', (topic, payload) => this.messageHandler?.(topic, payload));
      client.connect();
    });
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void> {
    const client = this.client;
    if (!client || !this.isConnected) {
      return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    }
    return new Promise<void>((resolve, reject) => {
      client.publish(topic, payload, { qos }, (error) => {
        if (error) reject(new ConnectionLostError(`publish of "${this.clientId}" to ${topic} failed: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const client = this.client;
    if (!client || !this.isConnected) {
      return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    }
    return new Promise<void>((resolve, reject) => {
      client.subscribe(filter, { qos }, (error, granted) => {
        if (error) reject(new ConnectionLostError(`subscribe of "${this.clientId}" to ${filter} failed: ${error.message}`, { cause: error }));
        else if (granted?.some((grant) => grant.qos === 128)) reject(new ConnectionRefusedError(`the broker refused the subscription of "${this.clientId}" to ${filter}`));
        else resolve();
      });
    });
  }

  async end(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    const wasConnected = this.isConnected;
    this.isConnected = false;
    if (wasConnected) {
      // A polite DISCONNECT, but never wait long for it.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { client.end(true); resolve(); }, 1_000);
        client.end(false, {}, () => { clearTimeout(timer); resolve(); });
      });
    }
    client.end(true);
    client.removeAllListeners();
    // mqtt.js may still emit (e.g. a CONNACK timeout armed before end): an unheard 'error' would crash the process.
    client.on('error', () => undefined);
  }

  private handleDrop(error: Error): void {
    if (!this.isConnected) return;
    this.isConnected = false;
    this.dispose();
    this.stateHandler?.('disconnected', error);
  }

  /** Drops the client: pending QoS 1 callbacks fail with "Connection closed" (clean session). */
  private dispose(): void {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.isConnected = false;
    client.end(true);
    client.removeAllListeners();
    client.on('error', () => undefined);
  }
}
