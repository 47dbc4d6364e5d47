/**
 * The fleet bench's baselines, each in a process of its own (forked by fleet.bench.ts), measured the same
 * way as the fleet's workers (process.cpuUsage over the same window, same broker, same 1 Hz schedule from
 * one timer):
 *  - floor: raw TCP sockets each writing a prebuilt QoS 1 PUBLISH once a second and reading PUBACKs into
 *    one shared buffer. No MQTT client, no model, no outbox: the cost of the system calls alone, the least
 *    any simulator with one connection per device pays on this machine.
 *  - reference: what a widely used MQTT simulator does (mqtt.js clients, plain TCP, QoS 1, a 200-byte
 *    payload, no vitals model, no outbox), the reference the targets were set against.
 */
import { connect } from 'node:net';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';

export type BaselineKind = 'floor' | 'reference';

export interface BaselineConfig {
  kind: BaselineKind;
  host: string;
  port: number;
  count: number;
}

export type BaselineMessage =
  | { type: 'connected'; connected: number }
  | { type: 'sample'; acked: number; cpuMicros: number; rssBytes: number };

const TICK_MS = 20;
const SLOTS = 1_000 / TICK_MS;

/** Calls send(i) for every client once a second, spread over 20 ms ticks like the monitors' host. */
function everySecond(count: number, send: (index: number) => void): void {
  let tick = 0;
  setInterval(() => {
    const slot = tick++ % SLOTS;
    for (let i = slot; i < count; i += SLOTS) send(i);
  }, TICK_MS);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens `count` clients, 1,000 at a time (each calls its `onConnected` once the broker accepted it), and
 * resolves with them once all have connected, reporting progress meanwhile.
 */
async function connectAll<T>(count: number, open: (index: number, onConnected: () => void) => T, report: (m: BaselineMessage) => void): Promise<T[]> {
  let connected = 0;
  const onConnected = () => { connected++; };
  const clients: T[] = [];
  for (let i = 0; i < count; i++) {
    clients.push(open(i, onConnected));
    if (i % 1_000 === 999) await sleep(250);
  }
  while (connected < count) {
    report({ type: 'connected', connected });
    await sleep(250);
  }
  report({ type: 'connected', connected });
  return clients;
}

async function runFloor({ host, port, count }: BaselineConfig, report: (m: BaselineMessage) => void): Promise<() => number> {
  let acked = 0;
  const shared = Buffer.allocUnsafe(64 * 1024);
  const sockets = await connectAll(count, (i, onConnected) => {
    const socket = connect({
      host, port,
      onread: {
        buffer: shared,
        // PUBACKs are 4 bytes and arrive whole; CONNACK (also 4 bytes) comes first and is not counted.
        callback: (length: number) => { if (shared[0] === 0x40) acked += length >>> 2; else onConnected(); return true; },
      },
    });
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `floor-${i}`, keepalive: 600 }));
    return socket;
  }, report);
  const payload = Buffer.alloc(330, 0x61); // the size of a vitals message
  const packets = sockets.map((_, i) => mqttPacket.generate({ cmd: 'publish', topic: `dt/bedside/floor-${i}/vitals`, payload, qos: 1, messageId: 1, dup: false, retain: false }));
  everySecond(count, (i) => { sockets[i]!.write(packets[i]!); });
  return () => acked;
}

async function runReference({ host, port, count }: BaselineConfig, report: (m: BaselineMessage) => void): Promise<() => number> {
  let acked = 0;
  const clients = await connectAll(count, (i, onConnected) => {
    const client = mqtt.connect({ host, port, protocol: 'mqtt', clientId: `reference-${i}`, keepalive: 600, reconnectPeriod: 0 });
    client.once('connect', onConnected);
    client.on('error', () => undefined);
    return client;
  }, report);
  const payload = Buffer.alloc(200, 0x61);
  const onAck = (error?: Error) => { if (!error) acked++; };
  everySecond(count, (i) => { clients[i]!.publish(`dt/bedside/reference-${i}/vitals`, payload, { qos: 1 }, onAck); });
  return () => acked;
}

function main(): void {
  const report = (message: BaselineMessage) => process.send?.(message);
  process.once('message', (config: BaselineConfig) => {
    const start = config.kind === 'floor' ? runFloor : runReference;
    start(config, report).then((ackedSoFar) => {
      // The parent samples by asking; answering with the same cpuUsage/RSS figures as a fleet worker.
      process.on('message', () => {
        const cpu = process.cpuUsage();
        report({ type: 'sample', acked: ackedSoFar(), cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() });
      });
    }, (error: Error) => { console.error(error); process.exit(1); });
  });
  process.on('disconnect', () => process.exit(0));
}

main();
