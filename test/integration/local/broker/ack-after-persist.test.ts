/**
 * "Acknowledged means persisted" (DESIGN §8): the local broker PUBACKs a QoS 1 vitals publish only once
 * the rule's record is in the stream (kinesalite), or the message is in the error action's log.
 * The stream client is the real one to kinesalite behind a gate the test opens and closes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevices } from '../../../../certs/local/index.ts';
import { startLocalBroker, type RunningBroker } from '../../../../cloud/local/broker/index.ts';
import { ensureStream, localKinesisClient } from '../../../../cloud/local/kinesis/client.ts';
import { startKinesalite, type RunningKinesalite } from '../../../../cloud/local/kinesis/kinesalite.ts';
import { vitalsTopic } from '../../../../device/contract/index.ts';
import { closed, connectMonitor, readStream, tlsFiles, waitFor } from './local-stack.ts';

const STREAM = 'vitals';
let dir: string;
let certsDir: string;
let kinesalite: RunningKinesalite;
let kinesis: KinesisClient;
const brokers: RunningBroker[] = [];

/** The real client, with every call held until `open()` (or failed while `failing`). */
function gatedClient(real: KinesisClient) {
  let release: () => void = () => {};
  let gate = Promise.resolve();
  const state = { failing: false, calls: 0 };
  const client = {
    send: async (command: Parameters<KinesisClient['send']>[0]) => {
      state.calls++;
      await gate;
      if (state.failing) throw Object.assign(new Error('stream unavailable (test)'), { name: 'ServiceUnavailable' });
      return real.send(command);
    },
  } as unknown as KinesisClient;
  return {
    client, state,
    close() { gate = new Promise<void>((resolve) => { release = resolve; }); },
    open() { release(); gate = Promise.resolve(); },
  };
}

async function brokerWith(client: KinesisClient, ruleErrorsDir: string | undefined): Promise<RunningBroker> {
  const broker = await startLocalBroker({
    certsDir, port: 0, kinesis: { client, streamName: STREAM }, ...(ruleErrorsDir ? { ruleErrorsDir } : {}),
  });
  brokers.push(broker);
  return broker;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ack-persist-'));
  certsDir = join(dir, 'certs');
  await ensureDevices(certsDir, 4);
  kinesalite = await startKinesalite();
  kinesis = localKinesisClient(kinesalite.endpoint);
  await ensureStream(kinesis, STREAM, 1);
});
afterEach(async () => {
  for (const broker of brokers.splice(0)) await broker.close();
});
afterAll(async () => {
  kinesis?.destroy();
  await kinesalite?.close();
  await rm(dir, { recursive: true, force: true });
});

function payloadFor(thing: string, seq: number): Buffer {
  return Buffer.from(JSON.stringify({ schema: 'vitals/1', device_id: thing, seq }));
}

describe('the local broker acknowledges a QoS 1 vitals publish only once it is persisted', () => {
  it('holds the PUBACK while the stream has not stored the record, and sends it once it has', async () => {
    const gated = gatedClient(kinesis);
    const broker = await brokerWith(gated.client, join(dir, 'errors-1'));
    const thing = 'bedside-0001';
    const client = await connectMonitor(broker, await tlsFiles(certsDir, thing), thing);
    const before = (await readStream(kinesis, STREAM)).length;
    gated.close();
    let acked = false;
    const publish = client.publishAsync(vitalsTopic(thing), payloadFor(thing, 1), { qos: 1 }).then(() => { acked = true; });
    await waitFor('the rule calling PutRecords', () => gated.state.calls > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(acked).toBe(false);
    gated.open();
    await publish;
    // Read right after the PUBACK, with no wait: the record must already be there.
    const records = await readStream(kinesis, STREAM);
    expect(records.length).toBe(before + 1);
    expect(records.at(-1)?.partitionKey).toBe(thing);
    await client.endAsync();
  });

  it('acknowledges a message the stream refused only after it is in the error action log', async () => {
    const gated = gatedClient(kinesis);
    gated.state.failing = true;
    const errorsDir = join(dir, 'errors-2');
    const broker = await brokerWith(gated.client, errorsDir);
    const thing = 'bedside-0002';
    const client = await connectMonitor(broker, await tlsFiles(certsDir, thing), thing);
    await client.publishAsync(vitalsTopic(thing), payloadFor(thing, 7), { qos: 1 });
    const files = await readdir(errorsDir);
    expect(files).toHaveLength(1);
    const lines = (await readFile(join(errorsDir, files[0]!), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { clientId: string; base64OriginalPayload: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.clientId).toBe(thing);
    expect(Buffer.from(lines[0]!.base64OriginalPayload, 'base64').equals(payloadFor(thing, 7))).toBe(true);
    await client.endAsync();
  });

  it('never acknowledges a message that nothing durable holds: the connection drops and the device resends', async () => {
    const gated = gatedClient(kinesis);
    gated.state.failing = true;
    const broker = await brokerWith(gated.client, undefined);
    const thing = 'bedside-0003';
    const client = await connectMonitor(broker, await tlsFiles(certsDir, thing), thing);
    let acked = false;
    client.publishAsync(vitalsTopic(thing), payloadFor(thing, 3), { qos: 1 }).then(() => { acked = true; }, () => undefined);
    await closed(client, 15_000);
    expect(acked).toBe(false);
    expect(broker.stats().rules.failed).toBe(1);
    client.end(true);
  });

  it('does not hold QoS 0 publishes, which are never acknowledged', async () => {
    const gated = gatedClient(kinesis);
    const broker = await brokerWith(gated.client, join(dir, 'errors-4'));
    const thing = 'bedside-0004';
    const client = await connectMonitor(broker, await tlsFiles(certsDir, thing), thing);
    gated.close();
    await client.publishAsync(vitalsTopic(thing), payloadFor(thing, 1), { qos: 0 });
    // The connection still serves the next packet (a QoS 0 publish holds nothing).
    await client.publishAsync(vitalsTopic(thing), payloadFor(thing, 2), { qos: 0 });
    await waitFor('both records in the rule batch', () => broker.stats().rules.matched === 2);
    gated.open();
    await waitFor('both forwarded', () => broker.stats().rules.forwarded === 2);
    await client.endAsync();
  });
});
