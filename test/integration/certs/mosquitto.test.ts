/**
 * Interoperability with a broker we did not write (issue 3): Debian's mosquitto 2 with the local CA, the
 * generated server certificate, require_certificate, the CRL and the ACL generated from THE IoT policy;
 * mqtt.js clients with the generated device certificates. Skipped only when mosquitto is not installed
 * (.ci/run installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { iot, mqtt as crt } from 'aws-iot-device-sdk-v2';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoBinary } from '../../support/mosquitto-binary.ts';
import { freePort } from '../../support/net.ts';
import { bedsideMonitorPolicy } from '../../../cloud/ingest/iot-policy.ts';
import { renderMosquittoAcl, renderMosquittoConf } from '../../../cloud/ingest/mosquitto-acl.ts';
import {
  caPaths,
  crlPath,
  deviceCredentialPaths,
  ensureDevices,
  ensureServerCertificate,
  issueCertificate,
  revokeDevice,
} from '../../../certs/local/index.ts';

const MOSQUITTO = mosquittoBinary();
const WAIT_MS = 5_000;


async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on ${port} within ${WAIT_MS} ms`);
}

describe.skipIf(MOSQUITTO === undefined)('the generated certificates and ACL on mosquitto', () => {
  let dir: string;
  let port: number;
  let broker: ChildProcess;
  let brokerLog = '';
  const clients: MqttClient[] = [];

  function connect(opts: { cert: string | Buffer; key: string | Buffer; clientId: string }): Promise<MqttClient> {
    return new Promise((resolve, reject) => {
      const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
        ...opts,
        ca: readFileSync(caPaths(dir).certPath),
        protocolVersion: 5,
        reconnectPeriod: 0,
        connectTimeout: WAIT_MS,
      });
      clients.push(client);
      const timer = setTimeout(() => reject(new Error('connect timed out')), WAIT_MS);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve(client);
      });
      const fail = (error?: Error) => {
        clearTimeout(timer);
        reject(error ?? new Error('connection closed before CONNACK'));
      };
      client.once('error', fail);
      client.once('close', () => fail());
    });
  }

  const device = (thing: string, clientId = thing) => {
    const p = deviceCredentialPaths(dir, thing);
    return connect({ cert: readFileSync(p.cert), key: readFileSync(p.key), clientId });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mosquitto-test-'));
    await ensureDevices(dir, 3);
    await revokeDevice(dir, 'bedside-0003');
    const server = await ensureServerCertificate(dir);
    const observer = await issueCertificate({ dir, commonName: 'observer' });
    writeFileSync(join(dir, 'observer.pem'), observer.certPem);
    writeFileSync(join(dir, 'observer.key'), observer.keyPem);
    // The policy's ACL plus one test-only identity that watches vitals and sends commands.
    writeFileSync(join(dir, 'acl'), `${renderMosquittoAcl(bedsideMonitorPolicy())}user observer\ntopic read dt/#\ntopic write cmd/#\n`);
    port = await freePort();
    const conf = renderMosquittoConf({
      port,
      cafile: caPaths(dir).certPath,
      certfile: server.certPath,
      keyfile: server.keyPath,
      aclFile: join(dir, 'acl'),
      crlFile: crlPath(dir),
    });
    // Started as root, mosquitto would switch to its own user, who cannot read our 0600 keys.
    writeFileSync(join(dir, 'mosquitto.conf'), `${conf}persistence false\nlog_dest stderr\nlog_type error\nlog_type warning\nuser ${userInfo().username}\n`);
    broker = spawn(MOSQUITTO!, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    broker.stderr?.on('data', (chunk) => (brokerLog += chunk));
    await waitForPort(port, broker);
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    if (broker && broker.exitCode === null) {
      const exited = new Promise((resolve) => broker.once('exit', resolve));
      broker.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, WAIT_MS))]);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a device connect with its certificate and publish to its own vitals topic', async () => {
    const observer = await connect({ cert: readFileSync(join(dir, 'observer.pem')), key: readFileSync(join(dir, 'observer.key')), clientId: 'observer' });
    await observer.subscribeAsync('dt/#', { qos: 1 });
    const received: string[] = [];
    observer.on('message', (topic) => received.push(topic));
    const monitor = await device('bedside-0001');

    // Denied first, allowed second: once the allowed one arrives, the denied one had its chance.
    await monitor.publishAsync('dt/bedside/bedside-0002/vitals', '{"spoof":true}', { qos: 1 }).catch(() => undefined);
    await monitor.publishAsync('dt/bedside/bedside-0001/vitals', '{"ok":true}', { qos: 1 });
    await waitFor(() => received.includes('dt/bedside/bedside-0001/vitals'));
    expect(received).toEqual(['dt/bedside/bedside-0001/vitals']);
  });

  it('delivers nothing of other devices to a device subscribed to # or dt/bedside/+/vitals', async () => {
    // mosquitto 2.0 grants the SUBACK and applies the read ACL to each message it would deliver (IoT Core
    // refuses the SUBSCRIBE itself); either way no other device's data reaches the subscriber.
    const observer = await connect({ cert: readFileSync(join(dir, 'observer.pem')), key: readFileSync(join(dir, 'observer.key')), clientId: 'observer-3' });
    await observer.subscribeAsync('dt/bedside/bedside-0002/vitals', { qos: 1 });
    const observed: string[] = [];
    observer.on('message', (topic) => observed.push(topic));
    const nosy = await device('bedside-0001', 'bedside-0001-sub');
    await nosy.subscribeAsync(['#', 'dt/bedside/+/vitals'], { qos: 1 });
    const [own] = await nosy.subscribeAsync('cmd/bedside/bedside-0001/#', { qos: 1 });
    expect(own?.qos).toBe(1);
    const leaked: string[] = [];
    nosy.on('message', (topic) => leaked.push(topic));
    const other = await device('bedside-0002');
    await other.publishAsync('dt/bedside/bedside-0002/vitals', '{"private":true}', { qos: 1 });
    await waitFor(() => observed.length > 0);
    // Sync point: a command for bedside-0001 sent after the broker handled bedside-0002's message reaches
    // the nosy client after anything the broker would have delivered to it from that message.
    await observer.publishAsync('cmd/bedside/bedside-0001/identify', '{}', { qos: 1 });
    await waitFor(() => leaked.length > 0);
    // (Overlapping subscriptions may deliver the command twice; only its own topics may appear.)
    expect(leaked).toContain('cmd/bedside/bedside-0001/identify');
    expect(leaked.filter((topic) => topic !== 'cmd/bedside/bedside-0001/identify')).toEqual([]);
  });

  it('rejects a certificate from another CA', async () => {
    const stranger = await issueCertificate({ dir, commonName: 'bedside-0001', caDir: join(dir, 'other-ca') });
    await expect(connect({ cert: stranger.certPem, key: stranger.keyPem, clientId: 'bedside-0001' })).rejects.toThrow();
  });

  it('rejects a revoked certificate (CRL)', async () => {
    await expect(device('bedside-0003')).rejects.toThrow();
  });

  it('keeps a client whose id is not its CN to the topics of its certificate', async () => {
    // mosquitto cannot refuse the CONNECT like IoT Core's iot:Connect does; the ACL still holds.
    const observer = await connect({ cert: readFileSync(join(dir, 'observer.pem')), key: readFileSync(join(dir, 'observer.key')), clientId: 'observer-2' });
    await observer.subscribeAsync('dt/#', { qos: 1 });
    const received: string[] = [];
    observer.on('message', (topic) => received.push(topic));
    const liar = await device('bedside-0001', 'bedside-0002');
    await liar.publishAsync('dt/bedside/bedside-0002/vitals', '{"spoof":true}', { qos: 1 }).catch(() => undefined);
    await liar.publishAsync('dt/bedside/bedside-0001/vitals', '{"ok":true}', { qos: 1 });
    await waitFor(() => received.length > 0);
    expect(received).toEqual(['dt/bedside/bedside-0001/vitals']);
  });

  it('works with aws-iot-device-sdk-v2 too (aws-crt reads the EC key and verifies the broker certificate)', async () => {
    const observer = await connect({ cert: readFileSync(join(dir, 'observer.pem')), key: readFileSync(join(dir, 'observer.key')), clientId: 'observer-4' });
    await observer.subscribeAsync('dt/bedside/bedside-0001/vitals', { qos: 1 });
    const received: string[] = [];
    observer.on('message', (_topic, payload) => received.push(payload.toString()));
    const p = deviceCredentialPaths(dir, 'bedside-0001');
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(p.cert, p.key)
      .with_certificate_authority_from_path(undefined, p.ca)
      .with_endpoint('localhost')
      .with_port(port)
      .with_client_id('bedside-0001')
      .with_clean_session(true)
      .build();
    const connection = new crt.MqttClient().new_connection(config);
    try {
      await withTimeout(connection.connect(), 'aws-crt connect');
      await withTimeout(connection.publish('dt/bedside/bedside-0001/vitals', '{"sdk":true}', crt.QoS.AtLeastOnce), 'aws-crt publish');
      await waitFor(() => received.includes('{"sdk":true}'));
    } finally {
      await withTimeout(connection.disconnect(), 'aws-crt disconnect').catch(() => undefined);
    }
  });

  function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${WAIT_MS} ms; mosquitto log:\n${brokerLog}`)), WAIT_MS);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  async function waitFor(condition: () => boolean): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${WAIT_MS} ms; mosquitto log:\n${brokerLog}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
