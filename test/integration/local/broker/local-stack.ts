/** Test wiring: certificates in a temp dir, kinesalite in memory, the broker on a free port of 127.0.0.1. */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { caPaths, deviceCredentialPaths, ensureDevices } from '../../../../certs/local/index.ts';
import { startLocalBroker, type RunningBroker } from '../../../../cloud/local/broker/index.ts';
import { ensureStream, localKinesisClient } from '../../../../cloud/local/kinesis/client.ts';
import { startKinesalite, type RunningKinesalite } from '../../../../cloud/local/kinesis/kinesalite.ts';

export interface LocalStack {
  dir: string;
  certsDir: string;
  streamName: string;
  kinesis: KinesisClient;
  kinesalite: RunningKinesalite;
  broker: RunningBroker;
  close(): Promise<void>;
}

export async function startLocalStack(options: { devices?: number; streamName?: string; createStream?: boolean } = {}): Promise<LocalStack> {
  const dir = await mkdtemp(join(tmpdir(), 'broker-it-'));
  const certsDir = join(dir, 'certs');
  await ensureDevices(certsDir, options.devices ?? 3);
  const kinesalite = await startKinesalite();
  const kinesis = localKinesisClient(kinesalite.endpoint);
  const streamName = options.streamName ?? 'vitals';
  if (options.createStream !== false) await ensureStream(kinesis, streamName, 1);
  const broker = await startLocalBroker({
    certsDir, port: 0, kinesis: { client: kinesis, streamName },
    ruleErrorsDir: join(dir, 'rule-errors'), shadowDir: join(dir, 'shadows'),
  });
  return {
    dir, certsDir, streamName, kinesis, kinesalite, broker,
    async close() {
      await broker.close();
      kinesis.destroy();
      await kinesalite.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface StreamRecord {
  partitionKey: string;
  data: Record<string, unknown>;
}

export async function readStream(kinesis: KinesisClient, streamName: string): Promise<StreamRecord[]> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const records: StreamRecord[] = [];
  for (const shard of shards.Shards ?? []) {
    const iterator = await kinesis.send(new GetShardIteratorCommand({
      StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }));
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: 10_000 }));
    for (const r of page.Records ?? []) {
      records.push({ partitionKey: r.PartitionKey ?? '', data: JSON.parse(Buffer.from(r.Data ?? []).toString()) as Record<string, unknown> });
    }
  }
  return records;
}

export async function tlsFiles(certsDir: string, thing: string): Promise<{ cert: string; key: string; ca: string }> {
  const paths = deviceCredentialPaths(certsDir, thing);
  const [cert, key, ca] = await Promise.all([readFile(paths.cert, 'utf8'), readFile(paths.key, 'utf8'), readFile(caPaths(certsDir).certPath, 'utf8')]);
  return { cert, key, ca };
}

/** An mqtt.js MQTT 3.1.1 client over mutual TLS; no reconnects, every wait bounded. */
export async function connectMonitor(
  target: { host: string; port: number }, credentials: { cert: string; key: string; ca: string }, clientId: string,
  extra: Partial<IClientOptions> = {},
): Promise<MqttClient> {
  return connectAsync(`mqtts://${target.host}:${target.port}`, {
    clientId, protocolVersion: 4, clean: true,
    cert: credentials.cert, key: credentials.key, ca: credentials.ca, servername: 'localhost',
    reconnectPeriod: 0, connectTimeout: 5_000, keepalive: 30, ...extra,
  }, false);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolves when the client's connection closes (or rejects after the timeout). */
export function closed(client: MqttClient, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) { resolve(); return; }
    const timer = setTimeout(() => reject(new Error(`client ${client.options.clientId} still connected after ${timeoutMs} ms`)), timeoutMs);
    client.once('close', () => { clearTimeout(timer); resolve(); });
  });
}

/** MQTT's variable-length "remaining length" encoding. */
export function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/**
 * A raw TLS connection that has sent a hand-written MQTT 3.1.1 CONNECT (clean session) and received
 * CONNACK: for what a well-behaved client library would never send.
 */
export async function rawMqttSession(
  target: { host: string; port: number }, credentials: { cert: string; key: string; ca: string }, clientId: string, keepAliveSeconds: number,
): Promise<{ socket: TLSSocket; connack: Buffer }> {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([
    Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, keepAliveSeconds >> 8, keepAliveSeconds & 0xff]),
    Buffer.from([id.length >> 8, id.length & 0xff]), id,
  ]);
  const socket = tlsConnect({ host: target.host, port: target.port, ...credentials, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => { socket.once('secureConnect', resolve); socket.once('error', reject); });
  const connack = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]));
  return { socket, connack: await connack };
}
