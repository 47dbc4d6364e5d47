/**
 * The transport contract: one suite, run against every adapter (mqtt.js and aws-crt, MQTT 3.1.1 and 5)
 * over a real mosquitto, plain and mutual TLS. Any new adapter must pass it unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectError, ConnectionLostError, type Transport, type TransportFactory, type TransportOptions,
} from '../../../../device/transport/index.ts';
import { deviceTls, makeCerts } from '../helpers/local-certs.ts';
import { freePort, startMosquitto, type RunningMosquitto } from '../helpers/mosquitto.ts';

function nextMessage(transport: Transport, timeoutMs = 5_000): Promise<{ topic: string; payload: Buffer }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
    transport.onMessage((topic, payload) => { clearTimeout(timer); resolve({ topic, payload }); });
  });
}

export function transportContract(name: string, loadFactory: () => Promise<TransportFactory>, protocolVersion: 4 | 5): void {
  describe(`transport contract: ${name}`, () => {
    let factory: TransportFactory;
    let plain: RunningMosquitto;
    let secure: RunningMosquitto;
    let certsDir: string;
    let things: string[];
    const open: Transport[] = [];
    const make = (options: Partial<TransportOptions> & { clientId: string }, broker: RunningMosquitto = plain): Transport => {
      const transport = factory({ host: broker.host, port: broker.port, protocolVersion, connectTimeoutMs: 3_000, ...options });
      open.push(transport);
      return transport;
    };

    beforeAll(async () => {
      factory = await loadFactory();
      certsDir = mkdtempSync(join(tmpdir(), 'transport-certs-'));
      const certs = await makeCerts(certsDir, 2);
      things = certs.things;
      [plain, secure] = await Promise.all([startMosquitto(), startMosquitto({ tls: certs.broker })]);
    });

    afterAll(async () => {
      await Promise.all(open.map((transport) => transport.end()));
      await Promise.all([plain?.close(), secure?.close()]);
      rmSync(certsDir, { recursive: true, force: true });
    });

    it('publishes at QoS 1, resolving on PUBACK, to a subscriber on the same broker', async () => {
      const subscriber = make({ clientId: `${name}-sub` });
      const publisher = make({ clientId: `${name}-pub` });
      await subscriber.connect();
      await subscriber.subscribe('dt/bedside/+/vitals', 1);
      await publisher.connect();
      const received = nextMessage(subscriber);
      await publisher.publish('dt/bedside/bedside-0001/vitals', '{"seq":1}', 1);
      const message = await received;
      expect(message.topic).toBe('dt/bedside/bedside-0001/vitals');
      expect(message.payload.toString()).toBe('{"seq":1}');
      expect(publisher.connected).toBe(true);
    });

    it('connects with the device certificate over mutual TLS', async () => {
      const tls = deviceTls(certsDir, things[0]!);
      const device = make({ clientId: things[0]!, tls }, secure);
      const listener = make({ clientId: things[1]!, tls: deviceTls(certsDir, things[1]!) }, secure);
      await listener.connect();
      await listener.subscribe('dt/bedside/+/vitals', 1);
      await device.connect();
      const received = nextMessage(listener);
      await device.publish(`dt/bedside/${things[0]}/vitals`, Buffer.from('{"seq":7}'), 1);
      expect((await received).payload.toString()).toBe('{"seq":7}');
    });

    it('rejects a publish while not connected with ConnectionLostError', async () => {
      const transport = make({ clientId: `${name}-idle` });
      await expect(transport.publish('dt/bedside/x/vitals', 'x', 1)).rejects.toBeInstanceOf(ConnectionLostError);
    });

    it('rejects connect to a closed port with ConnectError naming the endpoint, within the bounded wait', async () => {
      const port = await freePort();
      const transport = make({ clientId: `${name}-nowhere`, host: '127.0.0.1', port, connectTimeoutMs: 2_000 });
      const started = Date.now();
      const error = await transport.connect().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('reports disconnected when the broker goes away, and connects again after it returns', async () => {
      const broker = await startMosquitto();
      try {
        const transport = make({ clientId: `${name}-outage` }, broker);
        await transport.connect();
        const dropped = new Promise<Error | undefined>((resolve) => transport.onState((state, error) => { if (state === 'disconnected') resolve(error); }));
        await broker.stop(true);
        expect(await dropped).toBeInstanceOf(ConnectionLostError);
        expect(transport.connected).toBe(false);
        await broker.restart();
        await transport.connect();
        await transport.publish('dt/bedside/bedside-0001/vitals', 'again', 1);
        await transport.end();
        await transport.end();
        expect(transport.connected).toBe(false);
      } finally {
        await broker.close();
      }
    });
  });
}
