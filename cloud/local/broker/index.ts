/**
 * The local AWS IoT Core stand-in (DESIGN §1, §6): aedes behind a mutual-TLS listener, with THE IoT
 * policy enforced on connect/publish/subscribe/receive, lifecycle events, the classic device shadow and
 * THE vitals rule delivering to Kinesis (kinesalite locally). aedes itself never opens a socket: the TLS
 * server below hands each verified connection to `aedes.handle(stream)`.
 */
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { readFile } from 'node:fs/promises';
import { bedsideMonitorPolicy } from '../../ingest/iot-policy.ts';
import { createAuthorizer } from '../../ingest/policy-evaluator.ts';
import { ensureLocalCa, ensureServerCertificate } from '../../../certs/local/index.ts';
import { RulesEngine } from '../rules/index.ts';
import { ShadowService } from '../shadow/index.ts';
import { accessHooks, type AccessCounters, type ClientState } from './access-hooks.ts';
import { BrokerEvents, type BrokerStats } from './events.ts';
import { ThingDirectory } from './identity.ts';
import { connectedEvent, disconnectedEvent, markReason, presenceEventTopic, type PresenceEvent } from './presence.ts';
import { guardPacketSize, maxPacketBytesFor } from './packet-size-guard.ts';
import { listenTls } from './tls-listener.ts';

export { BrokerEvents, type BrokerEventMap, type BrokerMessage, type BrokerStats } from './events.ts';
export type { ConnectedEvent, DisconnectedEvent, DisconnectReason, PresenceEvent } from './presence.ts';

/** AWS IoT Core's message payload limit. */
export const IOT_CORE_MAX_PAYLOAD_BYTES = 128 * 1024;
export const DEFAULT_BROKER_PORT = 8883;

export interface LocalBrokerOptions {
  certsDir: string;
  /** Interface to listen on; 127.0.0.1 by default, a LAN address for Raspberry Pi monitors. */
  host?: string;
  /** 8883 by default; 0 picks a free port. */
  port?: number;
  kinesis?: { client: KinesisClient; streamName: string };
  /** Where the rule's error action appends failed deliveries (JSON lines). */
  ruleErrorsDir?: string;
  /** Where shadows persist; in memory only when omitted. */
  shadowDir?: string;
  maxPayloadBytes?: number;
  /** Extra names for the broker certificate (hostnames or IPs the monitors dial). */
  serverNames?: string[];
  now?: () => number;
}

export interface RunningBroker {
  host: string;
  port: number;
  events: BrokerEvents;
  shadows: ShadowService;
  stats(): BrokerStats;
  close(): Promise<void>;
}

function asBuffer(payload: Buffer | string): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}

export async function startLocalBroker(options: LocalBrokerOptions): Promise<RunningBroker> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const events = new BrokerEvents();
  const counters: AccessCounters & { tlsHandshakeFailures: number; shadowRequests: number; vitalsAcknowledged: number } = {
    connectionsAccepted: 0, connectionsRefused: 0, messagesIn: 0, sessionTakeovers: 0, vitalsAcknowledged: 0, publishesDenied: 0,
    oversizedPayloads: 0, subscribesDenied: 0, tlsHandshakeFailures: 0, shadowRequests: 0,
  };
  const reportInternal = (error: Error) => events.emit('internal-error', error);
  const maxPayloadBytes = options.maxPayloadBytes ?? IOT_CORE_MAX_PAYLOAD_BYTES;

  // Everything that can refuse to start does so before a socket opens.
  const authorizer = createAuthorizer(bedsideMonitorPolicy());
  const rules = new RulesEngine({
    kinesis: options.kinesis,
    errorsDir: options.ruleErrorsDir,
    now,
    onForwarded: (records) => events.emit('vitals-forwarded', { records }),
    onRuleError: (record) => events.emit('rule-error', record),
    onInternalError: reportInternal,
  });
  const { certPem: caPem } = await ensureLocalCa(options.certsDir);
  const serverNames = [...(options.serverNames ?? []), ...(host === '0.0.0.0' || host === '::' ? [] : [host])];
  const server = await ensureServerCertificate(options.certsDir, serverNames);
  const things = new ThingDirectory(options.certsDir);
  things.refresh();

  const clients = new WeakMap<Client, ClientState>();
  const versions = new Map<string, number>();
  let aedes: Aedes | undefined;
  let closing = false;

  const publish = (topic: string, payload: Buffer, qos: 0 | 1) => new Promise<void>((resolve, reject) => {
    if (!aedes || aedes.closed) { resolve(); return; }
    aedes.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (error) => (error ? reject(error) : resolve()));
  });

  const shadows = new ShadowService({
    dir: options.shadowDir,
    now,
    publish: (topic, payload) => publish(topic, payload, 1),
    onChange: (change) => events.emit('shadow', change),
    onError: reportInternal,
  });

  const announce = (event: PresenceEvent) => {
    events.emit('presence', event);
    publish(presenceEventTopic(event), Buffer.from(JSON.stringify(event)), 0).catch(reportInternal);
  };
  const nextVersion = (clientId: string) => {
    const version = (versions.get(clientId) ?? 0) + 1;
    versions.set(clientId, version);
    return version;
  };

  aedes = await Aedes.createBroker({
    // AWS IoT allows client ids of up to 128 characters (thing names).
    maxClientsIdLength: 128,
    ...accessHooks({
      things, authorizer, events, counters, clients,
      maxPayloadBytes,
      connectedClient: (clientId) => (aedes as unknown as { clients: Record<string, Client> }).clients[clientId],
      // Acknowledged means persisted (DESIGN §8): a QoS 1 vitals publish is PUBACKed only once the rule's
      // record is in the stream (or the message in the error action's log). A QoS 0 publish is never
      // acknowledged, so it does not wait. Holding the callback also holds this client's next packets
      // (aedes reads on when a chunk's packets are done): back-pressure from the stream to the device.
      beforeAcknowledge(client, packet, done) {
        const payload = asBuffer(packet.payload);
        if (packet.qos === 0 || !rules.matches(packet.topic)) {
          rules.handlePublish(packet.topic, payload, client.id);
          done();
          return;
        }
        rules.handlePublish(packet.topic, payload, client.id, (error) => {
          if (error) reportInternal(new Error(`not acknowledged to ${client.id} (it will resend): ${error.message}`, { cause: error }));
          else counters.vitalsAcknowledged++;
          done(error);
        });
      },
    }),
    published(packet: AedesPublishPacket, client: Client | null, done: (error?: Error | null) => void) {
      done();
      if (client === null) return; // the broker's own messages: shadow replies, presence, $SYS
      const payload = asBuffer(packet.payload);
      if (shadows.accept(packet.topic, payload)) counters.shadowRequests++;
    },
  });

  // aedes emits 'error' for persistence failures; unheard, an EventEmitter error would crash the process.
  (aedes as unknown as NodeJS.EventEmitter).on('error', (error: Error) => reportInternal(error));
  aedes.on('publish', (packet, client) => {
    if (events.listenerCount('message') === 0 || packet.topic.startsWith('$SYS/')) return;
    events.emit('message', { topic: packet.topic, payload: asBuffer(packet.payload), clientId: client?.id ?? null });
  });
  aedes.on('clientReady', (client) => {
    const state = clients.get(client);
    if (state) announce(connectedEvent(state.session, now(), nextVersion(client.id)));
  });
  aedes.on('keepaliveTimeout', (client) => markReason(clients.get(client)?.session, 'MQTT_KEEP_ALIVE_TIMEOUT'));
  aedes.on('clientError', (client, error) => {
    const code = (error as NodeJS.ErrnoException).code;
    const lost = code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT';
    markReason(clients.get(client)?.session, lost ? 'CONNECTION_LOST' : 'CLIENT_ERROR');
  });
  aedes.on('clientDisconnect', (client) => {
    const state = clients.get(client);
    if (!state) return;
    // aedes sets _disconnected only when the client sent an MQTT DISCONNECT ([MQTT-3.14.4-3]).
    if ((client as unknown as { _disconnected?: boolean })._disconnected) markReason(state.session, 'CLIENT_INITIATED_DISCONNECT');
    if (closing) markReason(state.session, 'SERVER_INITIATED_DISCONNECT');
    announce(disconnectedEvent(state.session, now(), nextVersion(client.id)));
  });

  const broker = aedes;
  const [certPem, keyPem] = await Promise.all([readFile(server.certPath, 'utf8'), readFile(server.keyPath, 'utf8')]);
  let listener;
  let closed: Promise<void> | undefined;
  try {
    listener = await listenTls({
      host, port: options.port ?? DEFAULT_BROKER_PORT, caPem, certPem, keyPem,
      onConnection: (socket) => {
        const client = broker.handle(socket);
        guardPacketSize(client, maxPacketBytesFor(maxPayloadBytes), (announcedBytes) => {
          counters.oversizedPayloads++;
          markReason(clients.get(client)?.session, 'CLIENT_ERROR');
          events.emit('publish-denied', { clientId: client.id ?? '', topic: '', reason: 'payload-too-large', payloadBytes: announcedBytes });
        });
      },
      onHandshakeError: (remoteAddress, error) => {
        counters.tlsHandshakeFailures++;
        counters.connectionsRefused++;
        events.emit('connection-refused', { clientId: '', remoteAddress, reason: `TLS handshake failed: ${error.message}` });
      },
    });
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }

  return {
    host,
    port: listener.port,
    events,
    shadows,
    stats: () => ({
      connectedClients: broker.connectedClients,
      connectionsAccepted: counters.connectionsAccepted,
      connectionsRefused: counters.connectionsRefused,
      tlsHandshakeFailures: counters.tlsHandshakeFailures,
      messagesIn: counters.messagesIn,
      vitalsAcknowledged: counters.vitalsAcknowledged,
      sessionTakeovers: counters.sessionTakeovers,
      publishesDenied: counters.publishesDenied,
      oversizedPayloads: counters.oversizedPayloads,
      subscribesDenied: counters.subscribesDenied,
      shadowRequests: counters.shadowRequests,
      rules: rules.stats(),
    }),
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = listener.close();
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        await stopped;
        await shadows.idle();
        await rules.close();
      })();
      return closed;
    },
  };
}
