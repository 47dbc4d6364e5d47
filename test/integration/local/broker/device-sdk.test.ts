/**
 * The AWS IoT Device SDK v2 (aws-crt, MQTT 3.1.1 `mqtt.MqttClient`; aedes does not speak MQTT 5)
 * against the local broker: mutual TLS from the certificate files, a vitals publish reaching Kinesis,
 * and the SDK's own shadow client getting, updating and receiving a delta.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iot, iotshadow, mqtt } from 'aws-iot-device-sdk-v2';
import { caPaths, deviceCredentialPaths } from '../../../../certs/local/index.ts';
import { vitalsTopic, shadowTopic } from '../../../../device/contract/index.ts';
import { readStream, startLocalStack, waitFor, type LocalStack } from './local-stack.ts';

let stack: LocalStack;
const THING = 'bedside-0001';

beforeAll(async () => {
  stack = await startLocalStack({ devices: 2 });
});
afterAll(async () => {
  await stack?.close();
});

function within<T>(what: string, promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

async function sdkConnection(thing: string): Promise<mqtt.MqttClientConnection> {
  const files = deviceCredentialPaths(stack.certsDir, thing);
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder_from_path(files.cert, files.key)
    .with_certificate_authority_from_path(undefined, caPaths(stack.certsDir).certPath)
    .with_endpoint(stack.broker.host)
    .with_port(stack.broker.port)
    .with_client_id(thing)
    .with_clean_session(true)
    .with_keep_alive_seconds(30)
    .build();
  const connection = new mqtt.MqttClient().new_connection(config);
  await within('SDK connect', connection.connect());
  return connection;
}

describe('aws-iot-device-sdk-v2 against the local broker', () => {
  it('connects with mTLS and publishes vitals that reach the stream', async () => {
    const connection = await sdkConnection(THING);
    try {
      const payload = JSON.stringify({ schema: 'vitals/1', device_id: THING, seq: 42 });
      await within('SDK publish', connection.publish(vitalsTopic(THING), payload, mqtt.QoS.AtLeastOnce));
      const records = await waitFor('the SDK record', async () => {
        const all = await readStream(stack.kinesis, stack.streamName);
        return all.length > 0 ? all : undefined;
      });
      expect(records[0]?.partitionKey).toBe(THING);
      expect(Buffer.from(String(records[0]?.data.payload), 'base64').toString()).toBe(payload);
    } finally {
      await within('SDK disconnect', connection.disconnect());
    }
  });

  it('gets, updates and receives a delta through the SDK shadow client', async () => {
    const connection = await sdkConnection(THING);
    try {
      const shadow = new iotshadow.IotShadowClient(connection);
      const gets: Array<iotshadow.model.GetShadowResponse | undefined> = [];
      const getErrors: Array<iotshadow.IotShadowError | undefined> = [];
      const updates: Array<iotshadow.model.UpdateShadowResponse | undefined> = [];
      const deltas: Array<iotshadow.model.ShadowDeltaUpdatedEvent | undefined> = [];
      const qos = mqtt.QoS.AtLeastOnce;
      await within('subscribe get/accepted', shadow.subscribeToGetShadowAccepted({ thingName: THING }, qos, (_e, r) => gets.push(r)));
      await within('subscribe get/rejected', shadow.subscribeToGetShadowRejected({ thingName: THING }, qos, (e) => getErrors.push(e)));
      await within('subscribe update/accepted', shadow.subscribeToUpdateShadowAccepted({ thingName: THING }, qos, (_e, r) => updates.push(r)));
      await within('subscribe delta', shadow.subscribeToShadowDeltaUpdatedEvents({ thingName: THING }, qos, (_e, r) => deltas.push(r)));

      // No shadow yet: the SDK receives AWS's 404 rejection.
      await within('publish get', shadow.publishGetShadow({ thingName: THING, clientToken: 'g-0' }, qos));
      await waitFor('get/rejected', () => getErrors.length > 0 || undefined);
      expect(getErrors).toHaveLength(1);

      await within('publish update', shadow.publishUpdateShadow({
        thingName: THING, clientToken: 'u-1', state: { reported: { sample_rate_hz: 1 } },
      }, qos));
      await waitFor('update/accepted', () => updates[0]);
      expect(updates[0]).toMatchObject({ version: 1, clientToken: 'u-1' });

      // The application side asks for 2 Hz, as UpdateThingShadow would on AWS: in-process, not over MQTT.
      stack.broker.shadows.accept(shadowTopic(THING, 'update'), Buffer.from(JSON.stringify({ state: { desired: { sample_rate_hz: 2 } } })));
      const delta = await waitFor('update/delta', () => deltas[0]);
      expect(delta).toMatchObject({ version: 2, state: { sample_rate_hz: 2 } });

      await within('publish get', shadow.publishGetShadow({ thingName: THING, clientToken: 'g-1' }, qos));
      const got = await waitFor('get/accepted', () => gets.find((g) => g?.clientToken === 'g-1'));
      expect(got).toMatchObject({
        version: 2,
        state: { reported: { sample_rate_hz: 1 }, desired: { sample_rate_hz: 2 }, delta: { sample_rate_hz: 2 } },
      });
    } finally {
      await within('SDK disconnect', connection.disconnect());
    }
  });
});
