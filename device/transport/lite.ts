/**
 * "lite" adapter: a lean MQTT 3.1.1 client for dense fleets (one net/TLS socket per monitor, nothing
 * else). It keeps no message store of its own, because the durable outbox already is the store: what the
 * connection loses, the outbox resends. Clean session, QoS 0/1 only, keepalive pings driven by ONE shared
 * interval for all connections of the process, not a timer per client.
 *
 * The per-message path is kept to the minimum (measured: it is the simulator's main cost): PUBLISH is
 * encoded by hand (mqtt-wire.ts), plain TCP sockets read into ONE buffer shared by all connections of the
 * process (net's `onread`: no Buffer, stream push or 'data' event per PUBACK), packets are cut in place,
 * and the keepalive bookkeeping uses a clock the shared interval ticks instead of Date.now() per packet.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  DISCONNECT, encodeConnect, encodePuback, encodePublish, encodeSubscribe, MqttFramingError, MqttPacketReader, PACKET, PINGREQ,
} from './mqtt-wire.ts';
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
/** Date.now() as of the last keepalive tick (1 s): precise enough for keepalive timeouts of 30 s and more. */
let coarseNowMs = Date.now();

function trackKeepalive(transport: LiteTransport, on: boolean): void {
  if (on) live.add(transport);
  else live.delete(transport);
  if (live.size > 0 && !keepaliveTimer) {
    coarseNowMs = Date.now();
    keepaliveTimer = setInterval(() => {
      coarseNowMs = Date.now();
      for (const t of live) t.keepalive(coarseNowMs);
    }, 1_000);
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

/**
 * Plain TCP reads of every lite connection land here (net's `onread`): packets are handled before the
 * next read, so one buffer serves all sockets. TLS sockets cannot take `onread` and use 'data' events.
 */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);

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
  private readonly reader = new MqttPacketReader();
  /** Settles the pending connect() on CONNACK (undefined once settled). */
  private connackWaiter: { resolve: () => void; fail: (error: Error) => void } | undefined;

  constructor(private readonly options: TransportOptions) {
    this.clientId = options.clientId;
  }

  get connected(): boolean { return this.isConnected; }
  onMessage(handler: MessageHandler): void { this.messageHandler = handler; }
  onState(handler: StateHandler): void { this.stateHandler = handler; }

  connect(): Promise<void> {
    // An Error per first connect (stack trace and all) was most of a fleet's connect-ramp garbage.
    if (this.socket) this.destroy(new ConnectionLostError(`connection of "${this.clientId}" replaced`));
    const { host, port, tls, localAddress } = this.options;
    const endpoint = describeEndpoint(this.options);
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const onBytes = (bytes: Buffer, length: number) => {
      try {
        this.reader.feed(bytes, length, this.onPacket);
      } catch (error) {
        if (!(error instanceof MqttFramingError)) throw error;
        const lost = new ConnectionLostError(`bad packet from ${endpoint}: ${error.message}`, { cause: error });
        if (this.connackWaiter) this.connackWaiter.fail(lost);
        else this.drop(lost);
      }
    };
    const socket: Socket = tls
      ? tlsConnect({
        socket: localAddress ? netConnect({ host, port, localAddress }) : undefined,
        host, port, cert: tls.cert, key: tls.key, ca: tls.ca, servername: tls.servername ?? (isIP(host) ? undefined : host),
        ALPNProtocols: port === 443 ? ['x-amzn-mqtt-ca'] : undefined,
      })
      : netConnect({
        host, port, localAddress,
        onread: { buffer: sharedReadBuffer, callback: (length: number, buffer: Uint8Array) => { onBytes(buffer as Buffer, length); return true; } },
      });
    if (tls) socket.on('data', (chunk: Buffer) => onBytes(chunk, chunk.byteLength));
    socket.setNoDelay(true);
    this.socket = socket;
    this.reader.reset();
    // Connects are rare: refresh the shared clock, which stands still while no connection is live.
    coarseNowMs = Date.now();
    this.lastReadMs = coarseNowMs;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        this.connackWaiter = undefined;
        clearTimeout(timer);
        this.destroy(error);
        reject(error);
      };
      const timer = setTimeout(() => fail(new ConnectError(`no CONNACK from ${endpoint} within ${timeoutMs} ms as "${this.clientId}": check that the broker runs and the port is right`)), timeoutMs);
      this.connackWaiter = {
        fail,
        resolve: () => {
          settled = true;
          this.connackWaiter = undefined;
          clearTimeout(timer);
          this.isConnected = true;
          trackKeepalive(this, true);
          resolve();
        },
      };
      socket.on('error', (error: Error) => {
        if (!settled) fail(new ConnectError(`cannot reach ${endpoint} as "${this.clientId}" (${error.message}): check that the broker runs, the host and port, and TLS settings`, { cause: error }));
        else this.drop(new ConnectionLostError(`connection of "${this.clientId}" to ${endpoint} failed: ${error.message}`, { cause: error }));
      });
      socket.on('close', () => {
        if (!settled) fail(new ConnectError(`${endpoint} closed the connection of "${this.clientId}" before CONNACK: check its certificate and the IoT policy`));
        else this.drop(new ConnectionLostError(`connection of "${this.clientId}" to ${endpoint} closed`));
      });
      this.writeBytes(encodeConnect(this.clientId, this.options.keepaliveSeconds ?? 60));
    });
  }

  /** One complete packet from the broker (bytes valid during the call only). An arrow: no bind per read. */
  private readonly onPacket = (type: number, flags: number, bytes: Buffer, start: number, end: number): void => {
    this.lastReadMs = coarseNowMs;
    if (type === PACKET.PUBACK) {
      this.settle((bytes[start]! << 8) | bytes[start + 1]!, undefined);
    } else if (type === PACKET.PUBLISH) {
      const qos = (flags >>> 1) & 0x03;
      const topicEnd = start + 2 + ((bytes[start]! << 8) | bytes[start + 1]!);
      const topic = bytes.toString('utf8', start + 2, topicEnd);
      const payloadStart = qos > 0 ? topicEnd + 2 : topicEnd;
      if (qos > 0) this.writeBytes(encodePuback((bytes[topicEnd]! << 8) | bytes[topicEnd + 1]!));
      // Copied out: the read buffer is reused by the next read.
      this.messageHandler?.(topic, Buffer.from(bytes.subarray(payloadStart, end)));
    } else if (type === PACKET.CONNACK) {
      const returnCode = bytes[start + 1]!;
      if (!this.connackWaiter) return;
      if (returnCode !== 0) {
        this.connackWaiter.fail(new ConnectionRefusedError(`${describeEndpoint(this.options)} refused "${this.clientId}" (${CONNACK_CODES[returnCode] ?? returnCode}): check its certificate, the IoT policy and that the thing exists`));
      } else {
        this.connackWaiter.resolve();
      }
    } else if (type === PACKET.SUBACK) {
      let refused = false;
      for (let i = start + 2; i < end; i++) if (bytes[i] === 0x80) refused = true;
      this.settle((bytes[start]! << 8) | bytes[start + 1]!, refused ? new ConnectionRefusedError(`the broker refused a subscription of "${this.clientId}"`) : undefined);
    }
    // PINGRESP (and anything else a 3.1.1 broker may send a client) only proves the link is alive.
  };

  private settle(messageId: number, error: Error | undefined): void {
    const waiter = this.pending.get(messageId);
    if (!waiter) return;
    this.pending.delete(messageId);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void> {
    if (!this.isConnected) return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    if (qos === 0) {
      this.writeBytes(encodePublish(topic, payload, 0, 0));
      return Promise.resolve();
    }
    const messageId = this.allocateId();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(messageId, { resolve, reject });
      this.writeBytes(encodePublish(topic, payload, 1, messageId));
    });
  }

  subscribe(filter: string, qos: 0 | 1): Promise<void> {
    if (!this.isConnected) return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    const messageId = this.allocateId();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(messageId, { resolve, reject });
      this.writeBytes(encodeSubscribe(messageId, filter, qos));
    });
  }

  async end(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    if (this.isConnected) this.writeBytes(DISCONNECT);
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
      this.writeBytes(PINGREQ);
    }
  }

  private allocateId(): number {
    // 1..65535, skipping ids still in flight (a window of 10 never comes close to wrapping onto one).
    do this.nextId = (this.nextId % 65535) + 1; while (this.pending.has(this.nextId));
    return this.nextId;
  }

  private writeBytes(bytes: Buffer): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    this.lastWriteMs = coarseNowMs;
    socket.write(bytes);
  }

  private drop(error: Error): void {
    const wasConnected = this.isConnected;
    this.destroy(error);
    if (wasConnected) this.stateHandler?.('disconnected', error);
  }

  /** Closes the socket and fails every pending operation (the outbox resends the publishes). */
  private destroy(error: Error): void {
    this.isConnected = false;
    this.connackWaiter = undefined;
    this.reader.reset();
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
