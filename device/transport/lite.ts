/**
 * "lite" adapter: a lean MQTT 3.1.1 client for dense fleets (one net/TLS socket + mqtt-packet per
 * monitor, nothing else). It keeps no message store of its own, because the durable outbox already is
 * the store: what the connection loses, the outbox resends. Clean session, QoS 0/1 only, keepalive pings
 * driven by ONE shared interval for all connections of the process, not a timer per client.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket, { type Packet } from 'mqtt-packet';
import {
  ConnectError, ConnectionLostError, ConnectionRefusedError, describeEndpoint,
  type MessageHandler, type StateHandler, type Transport, type TransportOptions,
} from './types.ts';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const CONNACK_CODES: Record<number, string> = {
  1: 'unacceptable protocol version', 2: 'identifier rejected', 3: 'server unavailable', 4: 'bad user name or password', 5: 'not authorized',
};

/** Every live lite connection; one interval sends their PINGREQs. */
const live = new Set<LiteTransport>();
let keepaliveTimer: NodeJS.Timeout | undefined;

function trackKeepalive(transport: LiteTransport, on: boolean): void {
  if (on) live.add(transport);
  else live.delete(transport);
  if (live.size > 0 && !keepaliveTimer) {
    keepaliveTimer = setInterval(() => { const now = Date.now(); for (const t of live) t.keepalive(now); }, 1_000);
    keepaliveTimer.unref();
  } else if (live.size === 0 && keepaliveTimer) {
    clearInterval(keepaliveTimer);
    keepaliveTimer = undefined;
  }
}

export function createLiteTransport(options: TransportOptions): Transport {
  if ((options.protocolVersion ?? 4) !== 4) throw new ConnectError('the lite transport speaks MQTT 3.1.1 only: use --mqtt 3.1.1 or --transport mqtt');
  return new LiteTransport(options);
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

class LiteTransport implements Transport {
  readonly kind = 'lite' as const;
  readonly clientId: string;
  private socket: Socket | undefined;
  private isConnected = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private messageHandler: MessageHandler | undefined;
  private stateHandler: StateHandler | undefined;
  private lastWriteMs = 0;
  private lastReadMs = 0;

  constructor(private readonly options: TransportOptions) {
    this.clientId = options.clientId;
  }

  get connected(): boolean { return this.isConnected; }
  onMessage(handler: MessageHandler): void { this.messageHandler = handler; }
  onState(handler: StateHandler): void { this.stateHandler = handler; }

  connect(): Promise<void> {
    this.destroy(new ConnectionLostError(`connection of "${this.clientId}" replaced`));
    const { host, port, tls, localAddress } = this.options;
    const endpoint = describeEndpoint(this.options);
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const socket: Socket = tls
      ? tlsConnect({
        socket: localAddress ? netConnect({ host, port, localAddress }) : undefined,
        host, port, cert: tls.cert, key: tls.key, ca: tls.ca, servername: tls.servername ?? (isIP(host) ? undefined : host),
        ALPNProtocols: port === 443 ? ['x-amzn-mqtt-ca'] : undefined,
      })
      : netConnect({ host, port, localAddress });
    socket.setNoDelay(true);
    this.socket = socket;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.destroy(error);
        reject(error);
      };
      const timer = setTimeout(() => fail(new ConnectError(`no CONNACK from ${endpoint} within ${timeoutMs} ms as "${this.clientId}": check that the broker runs and the port is right`)), timeoutMs);
      parser.on('packet', (packet: Packet) => {
        this.lastReadMs = Date.now();
        if (packet.cmd === 'connack') {
          if (settled) return;
          if (packet.returnCode !== 0) {
            fail(new ConnectionRefusedError(`${endpoint} refused "${this.clientId}" (${CONNACK_CODES[packet.returnCode ?? 0] ?? packet.returnCode}): check its certificate, the IoT policy and that the thing exists`));
            return;
          }
          settled = true;
          clearTimeout(timer);
          this.isConnected = true;
          trackKeepalive(this, true);
          resolve();
        } else if (packet.cmd === 'puback' || packet.cmd === 'suback') {
          const id = packet.messageId ?? -1;
          const waiter = this.pending.get(id);
          if (!waiter) return;
          this.pending.delete(id);
          if (packet.cmd === 'suback' && packet.granted.some((g) => (typeof g === 'number' ? g : (g as { qos?: number }).qos) === 128)) {
            waiter.reject(new ConnectionRefusedError(`the broker refused a subscription of "${this.clientId}"`));
          } else {
            waiter.resolve();
          }
        } else if (packet.cmd === 'publish') {
          if (packet.qos === 1 && packet.messageId !== undefined) this.write({ cmd: 'puback', messageId: packet.messageId });
          const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
          this.messageHandler?.(packet.topic, payload);
        }
      });
      parser.on('error', (error: Error) => this.drop(new ConnectionLostError(`bad packet from ${endpoint}: ${error.message}`, { cause: error })));
      socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      socket.on('error', (error: Error) => {
        if (!settled) fail(new ConnectError(`cannot reach ${endpoint} as "${this.clientId}" (${error.message}): check that the broker runs, the host and port, and TLS settings`, { cause: error }));
        else this.drop(new ConnectionLostError(`connection of "${this.clientId}" to ${endpoint} failed: ${error.message}`, { cause: error }));
      });
      socket.on('close', () => {
        if (!settled) fail(new ConnectError(`${endpoint} closed the connection of "${this.clientId}" before CONNACK: check its certificate and the IoT policy`));
        else this.drop(new ConnectionLostError(`connection of "${this.clientId}" to ${endpoint} closed`));
      });
      this.write({
        cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: this.clientId,
        keepalive: this.options.keepaliveSeconds ?? 60,
      });
    });
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void> {
    if (!this.isConnected) return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    if (qos === 0) {
      this.write({ cmd: 'publish', topic, payload, qos: 0, dup: false, retain: false });
      return Promise.resolve();
    }
    const messageId = this.allocateId();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(messageId, { resolve, reject });
      this.write({ cmd: 'publish', topic, payload, qos: 1, messageId, dup: false, retain: false });
    });
  }

  subscribe(filter: string, qos: 0 | 1): Promise<void> {
    if (!this.isConnected) return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    const messageId = this.allocateId();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(messageId, { resolve, reject });
      this.write({ cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos }] });
    });
  }

  async end(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    if (this.isConnected) this.write({ cmd: 'disconnect' });
    this.isConnected = false;
    this.destroy(new ConnectionLostError(`connection of "${this.clientId}" ended`));
    socket.end();
  }

  /** Called by the shared interval: PINGREQ when idle, drop when the broker went silent. */
  keepalive(now: number): void {
    const keepaliveMs = (this.options.keepaliveSeconds ?? 60) * 1000;
    if (now - this.lastReadMs > keepaliveMs * 1.5) {
      this.drop(new ConnectionLostError(`no answer from ${describeEndpoint(this.options)} for ${Math.round((now - this.lastReadMs) / 1000)} s`));
    } else if (now - this.lastWriteMs > keepaliveMs / 2) {
      this.write({ cmd: 'pingreq' });
    }
  }

  private allocateId(): number {
    // 1..65535, skipping ids still in flight (a window of 10 never comes close to wrapping onto one).
    do this.nextId = (this.nextId % 65535) + 1; while (this.pending.has(this.nextId));
    return this.nextId;
  }

  private write(packet: Packet): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    this.lastWriteMs = Date.now();
    socket.write(mqttPacket.generate(packet));
  }

  private drop(error: Error): void {
    const wasConnected = this.isConnected;
    this.destroy(error);
    if (wasConnected) this.stateHandler?.('disconnected', error);
  }

  /** Closes the socket and fails every pending operation (the outbox resends the publishes). */
  private destroy(error: Error): void {
    this.isConnected = false;
    trackKeepalive(this, false);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeAllListeners('close');
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      socket.destroy();
    }
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
