import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vitalsTopic, shadowTopic } from '../../../../device/contract/index.ts';
import type { PresenceEvent } from '../../../../cloud/local/broker/index.ts';
import { VITALS_RULE_NAME } from '../../../../cloud/ingest/vitals-rule.ts';
import { closed, connectMonitor, rawMqttSession, readStream, startLocalStack, tlsFiles, waitFor, type LocalStack } from './local-stack.ts';

let stack: LocalStack;
const presence: PresenceEvent[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ devices: 3 });
  stack.broker.events.on('presence', (event) => presence.push(event));
});
afterAll(async () => {
  await stack?.close();
});

describe('local broker over mutual TLS with mqtt.js', () => {
  it('turns a QoS 1 vitals publish into a Kinesis record keyed by thing name with the rule envelope', async () => {
    const thing = 'bedside-0001';
    const client = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, thing), thing);
    const payload = Buffer.from(JSON.stringify({ schema: 'vitals/1', device_id: thing, seq: 1, heart_rate: 72 }));
    const before = Date.now();
    await client.publishAsync(vitalsTopic(thing), payload, { qos: 1 });
    await client.endAsync();

    const records = await waitFor('the record in kinesalite', async () => {
      const all = await readStream(stack.kinesis, stack.streamName);
      return all.length > 0 ? all : undefined;
    });
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record?.partitionKey).toBe(thing);
    expect(record?.data).toMatchObject({ thing_name: thing, client_id: thing });
    expect(Buffer.from(String(record?.data.payload), 'base64').equals(payload)).toBe(true);
    expect(record?.data.received_at).toBeGreaterThanOrEqual(before);
    expect(record?.data.received_at).toBeLessThanOrEqual(Date.now());
    expect(stack.broker.stats().rules).toMatchObject({ matched: 1, forwarded: 1, failed: 0 });
  });

  it('publishes AWS-shaped connected and disconnected lifecycle events', async () => {
    const thing = 'bedside-0002';
    const client = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, thing), thing);
    await client.endAsync();
    const disconnected = await waitFor('the disconnected event', () =>
      presence.find((e) => e.clientId === thing && e.eventType === 'disconnected'));
    const connected = presence.find((e) => e.clientId === thing && e.eventType === 'connected');
    expect(connected).toMatchObject({ clientId: thing, eventType: 'connected', ipAddress: '127.0.0.1' });
    expect(connected?.principalIdentifier).toMatch(/^[0-9a-f]{64}$/);
    expect(disconnected).toMatchObject({
      clientId: thing, eventType: 'disconnected', clientInitiatedDisconnect: true, disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
      sessionIdentifier: connected?.sessionIdentifier,
    });
    expect(disconnected.versionNumber).toBeGreaterThan(connected!.versionNumber);
  });

  it('disconnects the older session with DUPLICATE_CLIENTID when the same thing connects again', async () => {
    const thing = 'bedside-0003';
    const files = await tlsFiles(stack.certsDir, thing);
    const takeovers: { clientId: string }[] = [];
    stack.broker.events.on('session-takeover', (takeover) => takeovers.push(takeover));
    const first = await connectMonitor(stack.broker, files, thing);
    const firstClosed = closed(first);
    const second = await connectMonitor(stack.broker, files, thing);
    await firstClosed;
    const event = await waitFor('the duplicate-client disconnect', () =>
      presence.find((e) => e.clientId === thing && e.eventType === 'disconnected'));
    expect(event).toMatchObject({ disconnectReason: 'DUPLICATE_CLIENTID', clientInitiatedDisconnect: false });
    expect(takeovers).toEqual([{ clientId: thing, remoteAddress: '127.0.0.1', previousAddress: '127.0.0.1' }]);
    expect(stack.broker.stats().sessionTakeovers).toBe(1);
    await second.endAsync();
  });

  it('answers shadow update and get on the AWS response topics and persists the document', async () => {
    const thing = 'bedside-0001';
    const client = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, thing), thing);
    const replies: Array<{ topic: string; body: Record<string, unknown> }> = [];
    client.on('message', (topic, payload) => replies.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
    await client.subscribeAsync([shadowTopic(thing, 'update/accepted'), shadowTopic(thing, 'get/accepted'), shadowTopic(thing, 'update/delta')], { qos: 1 });
    await client.publishAsync(shadowTopic(thing, 'update'), JSON.stringify({
      state: { reported: { firmware: '1.4.2' }, desired: { firmware: '1.5.0' } }, clientToken: 'u-1',
    }), { qos: 1 });
    await client.publishAsync(shadowTopic(thing, 'get'), JSON.stringify({ clientToken: 'g-1' }), { qos: 1 });
    const get = await waitFor('get/accepted', () => replies.find((r) => r.topic.endsWith('/get/accepted')));
    expect(get.body).toMatchObject({
      clientToken: 'g-1', version: 1,
      state: { reported: { firmware: '1.4.2' }, desired: { firmware: '1.5.0' }, delta: { firmware: '1.5.0' } },
    });
    expect(replies.find((r) => r.topic.endsWith('/update/accepted'))?.body).toMatchObject({ clientToken: 'u-1', version: 1 });
    expect(replies.find((r) => r.topic.endsWith('/update/delta'))?.body).toMatchObject({ state: { firmware: '1.5.0' } });
    await client.endAsync();
    await stack.broker.shadows.idle();
    const stored = JSON.parse(await readFile(join(stack.dir, 'shadows', `${thing}.json`), 'utf8')) as { version: number };
    expect(stored.version).toBe(1);
  });
});

describe('in-process observers', () => {
  it('reports a connection that drops without DISCONNECT as CONNECTION_LOST', async () => {
    const thing = 'bedside-0002';
    const before = presence.length;
    const client = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, thing), thing);
    client.stream.destroy();
    const event = await waitFor('the lost-connection event', () =>
      presence.slice(before).find((e) => e.clientId === thing && e.eventType === 'disconnected'));
    expect(event).toMatchObject({ disconnectReason: 'CONNECTION_LOST', clientInitiatedDisconnect: false });
    client.end(true);
  });

  it('reports a client that stops talking for 1.5 keep-alive periods as MQTT_KEEP_ALIVE_TIMEOUT', async () => {
    const thing = 'bedside-0001';
    const files = await tlsFiles(stack.certsDir, thing);
    const before = presence.length;
    // A hand-written CONNECT with keep-alive 1 s, then silence (mqtt.js would keep pinging).
    const { socket, connack } = await rawMqttSession(stack.broker, files, thing, 1);
    try {
      expect([...connack]).toEqual([0x20, 0x02, 0x00, 0x00]);
      const event = await waitFor('the keep-alive timeout', () =>
        presence.slice(before).find((e) => e.clientId === thing && e.eventType === 'disconnected'), 5_000);
      expect(event).toMatchObject({ disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' });
    } finally {
      socket.destroy();
    }
  });

  it('emits every routed message: device publishes, shadow replies and lifecycle events', async () => {
    const seen: Array<{ topic: string; clientId: string | null }> = [];
    const listener = ({ topic, clientId }: { topic: string; clientId: string | null }) => seen.push({ topic, clientId });
    stack.broker.events.on('message', listener);
    try {
      const thing = 'bedside-0003';
      const client = await connectMonitor(stack.broker, await tlsFiles(stack.certsDir, thing), thing);
      await client.publishAsync(vitalsTopic(thing), '{"seq":1}', { qos: 1 });
      await client.publishAsync(shadowTopic(thing, 'get'), '', { qos: 1 });
      await client.endAsync();
      // The shadow reply is asynchronous: it may come after the disconnect.
      await waitFor('the disconnected lifecycle message and the shadow reply', () =>
        (seen.some((m) => m.topic === `$aws/events/presence/disconnected/${thing}`)
          && seen.some((m) => m.topic === shadowTopic(thing, 'get/rejected'))) || undefined);
      expect(seen).toEqual(expect.arrayContaining([
        { topic: `$aws/events/presence/connected/${thing}`, clientId: null },
        { topic: vitalsTopic(thing), clientId: thing },
        { topic: shadowTopic(thing, 'get'), clientId: thing },
        { topic: shadowTopic(thing, 'get/rejected'), clientId: null },
      ]));
      expect(seen.some((m) => m.topic.startsWith('$SYS'))).toBe(false);
    } finally {
      stack.broker.events.off('message', listener);
    }
  });
});

describe('rule error action', () => {
  it('records a delivery that fails in AWS error-action shape instead of losing it', async () => {
    const broken = await startLocalStack({ devices: 1, streamName: 'no-such-stream', createStream: false });
    try {
      const thing = 'bedside-0001';
      const client = await connectMonitor(broken.broker, await tlsFiles(broken.certsDir, thing), thing);
      const payload = Buffer.from('{"seq":7}');
      await client.publishAsync(vitalsTopic(thing), payload, { qos: 1 });
      await client.endAsync();
      const errorsDir = join(broken.dir, 'rule-errors');
      const lines = await waitFor('the error-action line', async () => {
        const files = await readdir(errorsDir).catch(() => []);
        if (files.length === 0) return undefined;
        const text = await readFile(join(errorsDir, files[0]!), 'utf8');
        return text.trim() === '' ? undefined : text.trim().split('\n');
      }, 15_000);
      expect(lines).toHaveLength(1);
      const record = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(record).toMatchObject({
        ruleName: VITALS_RULE_NAME, topic: vitalsTopic(thing), clientId: thing,
        base64OriginalPayload: payload.toString('base64'),
        failures: [{ failedAction: 'KinesisAction', failedResource: 'no-such-stream' }],
      });
      expect(String((record.failures as Array<{ errorMessage: string }>)[0]?.errorMessage)).toMatch(/ResourceNotFound/);
      expect(broken.broker.stats().rules).toMatchObject({ forwarded: 0, failed: 1 });
    } finally {
      await broken.close();
    }
  });
});

describe('broker shutdown', () => {
  it('disconnects connected monitors with SERVER_INITIATED_DISCONNECT and a will to a foreign topic is not published', async () => {
    const own = await startLocalStack({ devices: 2 });
    const events: PresenceEvent[] = [];
    const published: string[] = [];
    own.broker.events.on('presence', (e) => events.push(e));
    own.broker.events.on('message', (m) => published.push(m.topic));
    try {
      const thing = 'bedside-0001';
      const client = await connectMonitor(own.broker, await tlsFiles(own.certsDir, thing), thing, {
        will: { topic: vitalsTopic('bedside-0002'), payload: Buffer.from('forged will'), qos: 1, retain: false },
      });
      const gone = closed(client);
      await own.broker.close();
      await gone;
      expect(events.find((e) => e.eventType === 'disconnected')).toMatchObject({ disconnectReason: 'SERVER_INITIATED_DISCONNECT' });
      expect(published).not.toContain(vitalsTopic('bedside-0002'));
      expect(own.broker.stats().rules.matched).toBe(0);
    } finally {
      await own.close();
    }
  });
});
