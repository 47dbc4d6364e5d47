/**
 * Interoperability with a broker we did not write: Debian's mosquitto with a conf and ACL generated from
 * THE policy (cloud/ingest/mosquitto-acl.ts), the same certificates and the same clients. The isolation
 * guarantees must hold there too. Skipped (with the reason in the title) only when mosquitto is absent;
 * `.ci/run` installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import {
  caPaths, crlPath, deviceCredentialPaths, ensureDevices, ensureServerCertificate, issueCertificate, revokeDevice,
} from '../../../../certs/local/index.ts';
import { bedsideMonitorPolicy } from '../../../../cloud/ingest/iot-policy.ts';
import { renderMosquittoAcl, renderMosquittoConf } from '../../../../cloud/ingest/mosquitto-acl.ts';
import { commandTopic, vitalsTopic } from '../../../../device/contract/index.ts';
import { connectMonitor, tlsFiles, waitFor } from './local-stack.ts';
import { freePort } from '../../../support/net.ts';
import { mosquittoBinary } from '../../../support/mosquitto-binary.ts';

const MOSQUITTO = mosquittoBinary();
const hasMosquitto = MOSQUITTO !== undefined;

let dir: string;
let certsDir: string;
let port: number;
let broker: ChildProcess | undefined;
let brokerLog = '';
const target = () => ({ host: '127.0.0.1', port });


beforeAll(async () => {
  if (!hasMosquitto) return;
  dir = await mkdtemp(join(tmpdir(), 'mosquitto-it-'));
  certsDir = join(dir, 'certs');
  await ensureDevices(certsDir, 3);
  await revokeDevice(certsDir, 'bedside-0003');
  const server = await ensureServerCertificate(certsDir);
  // The cloud side's command publisher, a test identity outside the device policy.
  const operator = await issueCertificate({ dir: certsDir, commonName: 'operator' });
  await writeFile(join(dir, 'operator.pem'), operator.certPem);
  await writeFile(join(dir, 'operator.key'), operator.keyPem);
  port = await freePort();
  const aclFile = join(dir, 'acl');
  await writeFile(aclFile, renderMosquittoAcl(bedsideMonitorPolicy()));
  await appendFile(aclFile, '\nuser operator\ntopic write cmd/#\n');
  const confFile = join(dir, 'mosquitto.conf');
  await writeFile(confFile, renderMosquittoConf({
    port, cafile: caPaths(certsDir).certPath, certfile: server.certPath, keyfile: server.keyPath, aclFile,
    crlFile: crlPath(certsDir),
  }));
  // mosquitto run as root drops to user "mosquitto", which could not read the temp files.
  await appendFile(confFile, `user ${userInfo().username}\n`);
  broker = spawn(MOSQUITTO!, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  broker.stdout?.on('data', (chunk: Buffer) => { brokerLog += chunk.toString(); });
  broker.stderr?.on('data', (chunk: Buffer) => { brokerLog += chunk.toString(); });
  await waitFor(`mosquitto listening on ${port} (log: ${brokerLog})`, async () => {
    if (broker?.exitCode !== null) throw new Error(`mosquitto exited: ${brokerLog}`);
    const probe = await connectMonitor(target(), await tlsFiles(certsDir, 'bedside-0001'), 'probe-bedside-0001').catch(() => undefined);
    if (!probe) return undefined;
    await probe.endAsync();
    return true;
  }, 10_000);
});

afterAll(async () => {
  if (broker && broker.exitCode === null) {
    const exited = new Promise((resolve) => broker?.once('exit', resolve));
    broker.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

function collect(client: MqttClient): string[] {
  const seen: string[] = [];
  client.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  return seen;
}

const title = hasMosquitto ? 'the same clients and isolation on mosquitto' : 'mosquitto interop (skipped: mosquitto is not installed)';

describe.skipIf(!hasMosquitto)(title, () => {
  it('accepts a monitor with its certificate over mqtt.js and the device SDK', async () => {
    const client = await connectMonitor(target(), await tlsFiles(certsDir, 'bedside-0001'), 'bedside-0001');
    await client.publishAsync(vitalsTopic('bedside-0001'), '{"seq":1}', { qos: 1 });
    await client.endAsync();

    const files = deviceCredentialPaths(certsDir, 'bedside-0002');
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(files.cert, files.key)
      .with_certificate_authority_from_path(undefined, caPaths(certsDir).certPath)
      .with_endpoint('127.0.0.1').with_port(port).with_client_id('bedside-0002').with_clean_session(true).build();
    const connection = new mqtt.MqttClient().new_connection(config);
    await connection.connect();
    await connection.publish(vitalsTopic('bedside-0002'), '{"seq":1}', mqtt.QoS.AtLeastOnce);
    await connection.disconnect();
  });

  it('refuses a certificate from another CA and a revoked certificate', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'other-ca-'));
    try {
      const impostor = await issueCertificate({ dir: otherDir, commonName: 'bedside-0001' });
      const ca = (await tlsFiles(certsDir, 'bedside-0001')).ca;
      await expect(connectMonitor(target(), { cert: impostor.certPem, key: impostor.keyPem, ca }, 'bedside-0001')).rejects.toThrow();
      await expect(connectMonitor(target(), await tlsFiles(certsDir, 'bedside-0003'), 'bedside-0003')).rejects.toThrow();
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it("delivers a command to its thing but not one published by another thing, and '#' sees nothing of others'", async () => {
    const victim = await connectMonitor(target(), await tlsFiles(certsDir, 'bedside-0002'), 'bedside-0002');
    const victimSaw = collect(victim);
    await victim.subscribeAsync(`cmd/bedside/bedside-0002/#`, { qos: 1 });
    const snoop = await connectMonitor(target(), await tlsFiles(certsDir, 'bedside-0001'), 'bedside-0001');
    const snoopSaw = collect(snoop);
    await snoop.subscribeAsync('#', { qos: 1 }).catch(() => undefined); // mosquitto may refuse or grant-and-filter
    const operator = await connectMonitor(target(), {
      cert: await readFile(join(dir, 'operator.pem'), 'utf8'),
      key: await readFile(join(dir, 'operator.key'), 'utf8'),
      ca: (await tlsFiles(certsDir, 'bedside-0001')).ca,
    }, 'operator');

    // The attack: bedside-0001 writes to bedside-0002's command topic and its vitals topic.
    await snoop.publishAsync(commandTopic('bedside-0002', 'reboot'), 'from-0001', { qos: 1 }).catch(() => undefined);
    await snoop.publishAsync(vitalsTopic('bedside-0002'), 'forged-by-0001', { qos: 1 }).catch(() => undefined);
    // Legitimate traffic: the operator's command for bedside-0002, and bedside-0002's own vitals.
    await victim.publishAsync(vitalsTopic('bedside-0002'), 'own-0002', { qos: 1 });
    await operator.publishAsync(commandTopic('bedside-0002', 'identify'), 'from-operator', { qos: 1 });

    await waitFor('the operator command at bedside-0002', () => victimSaw.length > 0 || undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(victimSaw).toEqual([`${commandTopic('bedside-0002', 'identify')} from-operator`]);
    expect(snoopSaw).toEqual([]);
    await Promise.all([victim.endAsync(), snoop.endAsync(), operator.endAsync()]);
  });
});
