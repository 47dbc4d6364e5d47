/**
 * Each attack is refused the way IoT Core refuses it AND nothing reaches the stream. One stack for the
 * file: the stream must hold nothing but the messages the tests publish legitimately.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, revokeDevice } from '../../../../certs/local/index.ts';
import { vitalsTopic } from '../../../../device/contract/index.ts';
import type { DisconnectedEvent, PresenceEvent } from '../../../../cloud/local/broker/index.ts';
import { closed, connectMonitor, rawMqttSession, readStream, remainingLength, startLocalStack, tlsFiles, waitFor, type LocalStack } from './local-stack.ts';

let stack: LocalStack;
const presence: PresenceEvent[] = [];
const refused: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ devices: 4 });
  stack.broker.events.on('presence', (event) => presence.push(event));
  stack.broker.events.on('connection-refused', (event) => refused.push(event.reason));
});
afterAll(async () => {
  await stack?.close();
});

/** Messages the tests publish legitimately; everything else in the stream would be a leak. */
const allowed: string[] = [];

/** Gives the rules engine time to have forwarded anything (linger is 20 ms), then lists what is in the stream. */
async function streamAfterSettling(): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 150));
  const records = await readStream(stack.kinesis, stack.streamName);
  return records.map((r) => Buffer.from(String(r.data.payload), 'base64').toString()).filter((p) => !allowed.includes(p));
}

function disconnectReason(clientId: string): Promise<string> {
  return waitFor(`the disconnected event of ${clientId}`, () =>
    presence.filter((e): e is DisconnectedEvent => e.clientId === clientId && e.eventType === 'disconnected').at(-1)?.disconnectReason);
}

describe('local broker security', () => {
  it('refuses a certificate from another CA in the TLS handshake', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'other-ca-'));
    try {
      const impostor = await issueCertificate({ dir: otherDir, commonName: 'bedside-0001' });
      const ours = await tlsFiles(stack.certsDir, 'bedside-0001');
      await expect(connectMonitor(stack.broker, { cert: impostor.certPem, key: impostor.keyPem, ca: ours.ca }, 'bedside-0001'))
        .rejects.toThrow();
      expect(stack.broker.stats().tlsHandshakeFailures).toBeGreaterThanOrEqual(1);
      expect(await streamAfterSettling()).toEqual([]);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('refuses a revoked certificate without a broker restart', async () => {
    const thing = 'bedside-0004';
    const files = await tlsFiles(stack.certsDir, thing);
    const before = await connectMonitor(stack.broker, files, thing);
    await before.endAsync();
    await revokeDevice(stack.certsDir, thing);
    await expect(connectMonitor(stack.broker, files, thing)).rejects.toThrow(/Not authorized/i);
    expect(refused.at(-1)).toMatch(/revoked/);
    expect(await streamAfterSettling()).toEqual([]);
  });

  it('refuses a client id that is not the certificate CN', async () => {
    const files = await tlsFiles(stack.certsDir, 'bedside-0001');
    await expect(connectMonitor(stack.broker, files, 'bedside-0002')).rejects.toThrow(/Not authorized/i);
    expect(refused.at(-1)).toMatch(/not the certificate CN/);
    expect(await streamAfterSettling()).toEqual([]);
  });

  it("disconnects a monitor that publishes to another thing's topic and forwards nothing", async () => {
    const thief = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, 'bedside-0001'), 'bedside-0001');
    const victim = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, 'bedside-0002'), 'bedside-0002');
    const gone = closed(thief);
    thief.publish(vitalsTopic('bedside-0002'), '{"heart_rate":300}', { qos: 1 });
    await gone;
    expect(await disconnectReason('bedside-0001')).toBe('AUTH_ERROR');
    expect(stack.broker.stats().publishesDenied).toBeGreaterThanOrEqual(1);
    expect(await streamAfterSettling()).toEqual([]);
    await victim.endAsync();
  });

  it("grants no '#' subscription (SUBACK 0x80) and delivers none of another thing's messages", async () => {
    const snoop = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, 'bedside-0001'), 'bedside-0001');
    const received: string[] = [];
    snoop.on('message', (topic) => received.push(topic));
    // mqtt.js turns a SUBACK failure code into an error that carries the SUBACK packet.
    const failure = await snoop.subscribeAsync('#', { qos: 1 }).then(() => undefined, (error: unknown) => error);
    expect((failure as { packet?: { granted?: number[] } } | undefined)?.packet?.granted).toEqual([128]);
    // Nor the lifecycle events of the fleet: those are for the cloud side, not for devices.
    const presenceFailure = await snoop.subscribeAsync('$aws/events/presence/connected/+', { qos: 1 }).then(() => undefined, (error: unknown) => error);
    expect((presenceFailure as { packet?: { granted?: number[] } } | undefined)?.packet?.granted).toEqual([128]);
    expect(snoop.connected).toBe(true);
    const other = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, 'bedside-0002'), 'bedside-0002');
    const own = '{"device_id":"bedside-0002","seq":1}';
    allowed.push(own);
    await other.publishAsync(vitalsTopic('bedside-0002'), own, { qos: 1 });
    await other.publishAsync('$aws/things/bedside-0002/shadow/get', '{}', { qos: 1 });
    await waitFor('the allowed record', async () =>
      (await readStream(stack.kinesis, stack.streamName)).length > 0 || undefined);
    expect(received).toEqual([]);
    await other.endAsync();
    await snoop.endAsync();
    expect(await streamAfterSettling()).toEqual([]);
  });

  it('disconnects a publish over 128 KB with CLIENT_ERROR and forwards a publish of exactly 128 KB', async () => {
    const thing = 'bedside-0003';
    const files = await tlsFiles(stack.certsDir, thing);
    const big = await connectMonitor(stack.broker, files, thing);
    const gone = closed(big);
    big.publish(vitalsTopic(thing), Buffer.alloc(128 * 1024 + 1, 0x61), { qos: 1 });
    await gone;
    expect(await disconnectReason(thing)).toBe('CLIENT_ERROR');
    expect(stack.broker.stats().oversizedPayloads).toBe(1);
    expect(await streamAfterSettling()).toEqual([]);

    const ok = await connectMonitor(stack.broker, files, thing);
    const largest = Buffer.alloc(128 * 1024, 0x62);
    await ok.publishAsync(vitalsTopic(thing), largest, { qos: 1 });
    await ok.endAsync();
    await waitFor('the 128 KB record', async () => {
      const all = await readStream(stack.kinesis, stack.streamName);
      return all.some((r) => Buffer.from(String(r.data.payload), 'base64').equals(largest)) || undefined;
    });
    allowed.push(largest.toString());
    expect(await streamAfterSettling()).toEqual([]);
  });

  it('drops a connection whose PUBLISH announces 100 MB as soon as the header arrives', async () => {
    const thing = 'bedside-0002';
    const { socket, connack } = await rawMqttSession(stack.broker, await tlsFiles(stack.certsDir, thing), thing, 30);
    try {
      expect([...connack]).toEqual([0x20, 0x02, 0x00, 0x00]);
      let gone = false;
      socket.once('close', () => { gone = true; });
      const topic = Buffer.from(vitalsTopic(thing));
      socket.write(Buffer.concat([
        Buffer.from([0x32]), remainingLength(100_000_000), Buffer.from([topic.length >> 8, topic.length & 0xff]), topic,
        Buffer.from([0x00, 0x01]), Buffer.alloc(1024, 0x61),
      ]));
      await waitFor('the connection to close', () => gone || undefined, 3_000);
      expect(await disconnectReason(thing)).toBe('CLIENT_ERROR');
      expect(await streamAfterSettling()).toEqual([]);
    } finally {
      socket.destroy();
    }
  });
});
