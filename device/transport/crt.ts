/**
 * aws-iot-device-sdk-v2 (aws-crt, native) adapter, loaded lazily by the builder in index.ts.
 * MQTT 3.1.1: `mqtt.MqttClientConnection` (what the local aedes broker speaks), built with
 * `iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path` when TLS is on.
 * MQTT 5: `mqtt5.Mqtt5Client` via `iot.AwsIotMqtt5ClientConfigBuilder` (IoT Core, mosquitto).
 * Plain TCP (benchmarks against a local broker) uses the raw configs without a TLS context.
 *
 * The SDK reconnects on its own; here every drop ends the connection instead, so the monitor's backoff
 * and outbox decide what happens next, exactly as with mqtt.js.
 */
import { io, iot, mqtt, mqtt5 } from 'aws-iot-device-sdk-v2';
import {
  ConnectError, ConnectionLostError, ConnectionRefusedError, describeEndpoint,
  type MessageHandler, type StateHandler, type Transport, type TransportOptions,
} from './types.ts';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
let sharedClient: mqtt.MqttClient | undefined;

export function createCrtTransport(options: TransportOptions): Transport {
  return (options.protocolVersion ?? 4) === 5 ? new Crt5Transport(options) : new Crt311Transport(options);
}

/** Rejections of in-flight operations when a connection drops (the SDK would otherwise hold them). */
class PendingOperations {
  private next = 0;
  private readonly rejects = new Map<number, (error: Error) => void>();
  track<T>(operation: Promise<T>): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.rejects.set(id, reject);
      operation.then((value) => { this.rejects.delete(id); resolve(value); },
        (error: unknown) => { this.rejects.delete(id); reject(error); });
    });
  }
  failAll(error: Error): void {
    for (const reject of this.rejects.values()) reject(error);
    this.rejects.clear();
  }
}

function tlsBuilder311(options: TransportOptions): mqtt.MqttConnectionConfig {
  const tls = options.tls!;
  const builder = tls.certPath && tls.keyPath
    ? iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(tls.certPath, tls.keyPath)
    : iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(tls.cert, tls.key);
  if (tls.caPath) builder.with_certificate_authority_from_path(undefined, tls.caPath);
  else builder.with_certificate_authority(tls.ca);
  return builder
    .with_endpoint(options.host)
    .with_port(options.port)
    .with_client_id(options.clientId)
    .with_clean_session(true)
    .with_keep_alive_seconds(options.keepaliveSeconds ?? 60)
    .with_timeout_ms(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
    .build();
}

function socketOptions(options: TransportOptions): io.SocketOptions {
  return new io.SocketOptions(io.SocketType.STREAM, io.SocketDomain.IPV4, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
}

class Crt311Transport implements Transport {
  readonly kind = 'crt' as const;
  readonly clientId: string;
  private connection: mqtt.MqttClientConnection | undefined;
  private messageHandler: MessageHandler | undefined;
  private stateHandler: StateHandler | undefined;
  private isConnected = false;
  private readonly pending = new PendingOperations();

  constructor(private readonly options: TransportOptions) {
    this.clientId = options.clientId;
  }

  get connected(): boolean { return this.isConnected; }
  onMessage(handler: MessageHandler): void { this.messageHandler = handler; }
  onState(handler: StateHandler): void { this.stateHandler = handler; }

  async connect(): Promise<void> {
    await this.closeConnection();
    const config: mqtt.MqttConnectionConfig = this.options.tls ? tlsBuilder311(this.options) : {
      client_id: this.clientId,
      host_name: this.options.host,
      port: this.options.port,
      clean_session: true,
      keep_alive: this.options.keepaliveSeconds ?? 60,
      socket_options: socketOptions(this.options),
    };
    sharedClient ??= new mqtt.MqttClient();
    const connection = sharedClient.new_connection(config);
    this.connection = connection;
    connection.on('error', () => undefined);
    connection.on('message', (topic, payload) => this.messageHandler?.(topic, Buffer.from(payload)));
    connection.on('interrupt', (error) => this.handleDrop(new ConnectionLostError(
      `connection of "${this.clientId}" to ${describeEndpoint(this.options)} interrupted: ${String(error)}`, { cause: error })));
    try {
      await withTimeout(connection.connect(), this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
      this.isConnected = true;
    } catch (error) {
      await this.closeConnection();
      throw connectFailure(this.options, error);
    }
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void> {
    const connection = this.connection;
    if (!connection || !this.isConnected) return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    return this.pending.track(connection.publish(topic, payload, qos === 1 ? mqtt.QoS.AtLeastOnce : mqtt.QoS.AtMostOnce, false)).then(() => undefined);
  }

  subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const connection = this.connection;
    if (!connection || !this.isConnected) return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    return this.pending.track(connection.subscribe(filter, qos === 1 ? mqtt.QoS.AtLeastOnce : mqtt.QoS.AtMostOnce)).then((granted) => {
      if ((granted.qos as number) === 128) throw new ConnectionRefusedError(`the broker refused the subscription of "${this.clientId}" to ${filter}`);
    });
  }

  async end(): Promise<void> {
    this.isConnected = false;
    await this.closeConnection();
  }

  private handleDrop(error: Error): void {
    if (!this.isConnected) return;
    this.isConnected = false;
    this.pending.failAll(error);
    void this.closeConnection();
    this.stateHandler?.('disconnected', error);
  }

  private async closeConnection(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.connection = undefined;
    this.pending.failAll(new ConnectionLostError(`connection of "${this.clientId}" closed`));
    connection.removeAllListeners('interrupt');
    await withTimeout(connection.disconnect(), 2_000).catch(() => undefined);
  }
}

class Crt5Transport implements Transport {
  readonly kind = 'crt' as const;
  readonly clientId: string;
  private client: mqtt5.Mqtt5Client | undefined;
  private messageHandler: MessageHandler | undefined;
  private stateHandler: StateHandler | undefined;
  private isConnected = false;
  private readonly pending = new PendingOperations();

  constructor(private readonly options: TransportOptions) {
    this.clientId = options.clientId;
  }

  get connected(): boolean { return this.isConnected; }
  onMessage(handler: MessageHandler): void { this.messageHandler = handler; }
  onState(handler: StateHandler): void { this.stateHandler = handler; }

  private config(): mqtt5.Mqtt5ClientConfig {
    const { host, port, tls } = this.options;
    const connectProperties = { clientId: this.clientId, keepAliveIntervalSeconds: this.options.keepaliveSeconds ?? 60 };
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    if (!tls) {
      return {
        hostName: host, port, connectProperties,
        sessionBehavior: mqtt5.ClientSessionBehavior.Clean,
        offlineQueueBehavior: mqtt5.ClientOperationQueueBehavior.FailAllOnDisconnect,
        connackTimeoutMs: timeoutMs,
        socketOptions: socketOptions(this.options),
      };
    }
    const builder = tls.certPath && tls.keyPath
      ? iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromPath(host, tls.certPath, tls.keyPath)
      : iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(host, tls.cert, tls.key);
    if (tls.caPath) builder.withCertificateAuthorityFromPath(undefined, tls.caPath);
    else builder.withCertificateAuthority(tls.ca);
    return builder.withPort(port)
      .withConnectProperties(connectProperties)
      .withSessionBehavior(mqtt5.ClientSessionBehavior.Clean)
      .withOfflineQueueBehavior(mqtt5.ClientOperationQueueBehavior.FailAllOnDisconnect)
      .withConnackTimeoutMs(timeoutMs)
      .build();
  }

  async connect(): Promise<void> {
    await this.closeClient();
    const client = new mqtt5.Mqtt5Client(this.config());
    this.client = client;
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    client.on('error', () => undefined);
    client.on('messageReceived', ({ message }) => {
      const payload = message.payload;
      const bytes = payload === undefined ? Buffer.alloc(0)
        : typeof payload === 'string' ? Buffer.from(payload)
          : payload instanceof ArrayBuffer ? Buffer.from(payload)
            : ArrayBuffer.isView(payload) ? Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
              : Buffer.from(JSON.stringify(payload));
      this.messageHandler?.(message.topicName, bytes);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no CONNACK within ${timeoutMs} ms`)), timeoutMs + 500);
        client.once('connectionSuccess', () => { clearTimeout(timer); resolve(); });
        client.once('connectionFailure', ({ error }) => { clearTimeout(timer); reject(error); });
        client.start();
      });
    } catch (error) {
      await this.closeClient();
      throw connectFailure(this.options, error);
    }
    this.isConnected = true;
    client.on('disconnection', ({ error }) => this.handleDrop(new ConnectionLostError(
      `connection of "${this.clientId}" to ${describeEndpoint(this.options)} lost: ${String(error)}`, { cause: error })));
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void> {
    const client = this.client;
    if (!client || !this.isConnected) return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    return this.pending.track(client.publish({ topicName: topic, payload, qos: qos === 1 ? mqtt5.QoS.AtLeastOnce : mqtt5.QoS.AtMostOnce }))
      .then((result) => {
        if (result !== undefined && result.reasonCode >= 128) {
          throw new ConnectionRefusedError(`the broker refused a publish of "${this.clientId}" to ${topic} (reason ${result.reasonCode})`);
        }
      });
  }

  subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const client = this.client;
    if (!client || !this.isConnected) return Promise.reject(new ConnectionLostError(`"${this.clientId}" is not connected`));
    return this.pending.track(client.subscribe({ subscriptions: [{ topicFilter: filter, qos: qos === 1 ? mqtt5.QoS.AtLeastOnce : mqtt5.QoS.AtMostOnce }] }))
      .then((suback) => {
        if (suback.reasonCodes.some((code) => code >= 128)) throw new ConnectionRefusedError(`the broker refused the subscription of "${this.clientId}" to ${filter}`);
      });
  }

  async end(): Promise<void> {
    this.isConnected = false;
    await this.closeClient();
  }

  private handleDrop(error: Error): void {
    if (!this.isConnected) return;
    this.isConnected = false;
    this.pending.failAll(error);
    void this.closeClient();
    this.stateHandler?.('disconnected', error);
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.pending.failAll(new ConnectionLostError(`connection of "${this.clientId}" closed`));
    client.removeAllListeners('disconnection');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      client.once('stopped', () => { clearTimeout(timer); resolve(); });
      client.stop();
    });
    client.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}

function connectFailure(options: TransportOptions, error: unknown): Error {
  const endpoint = describeEndpoint(options);
  const text = error instanceof Error ? error.message : String(error);
  // Socket-level "connection refused" means nothing listens: that is a reachability problem, not a refusal.
  const socketLevel = /SOCKET|ECONNREFUSED|TIMEOUT/i.test(text);
  if (!socketLevel && /refused|not.authori[sz]ed|bad.user|identifier.rejected|reason code 13[0-9]/i.test(text)) {
    return new ConnectionRefusedError(`${endpoint} refused "${options.clientId}" (${text}): check its certificate, the IoT policy and that the thing exists`, { cause: error });
  }
  return new ConnectError(`cannot connect to ${endpoint} as "${options.clientId}" (${text}): check that the broker runs, the host and port, and TLS settings`, { cause: error });
}
