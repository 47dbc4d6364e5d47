/**
 * Run by without-crt.test.ts in a child process where aws-iot-device-sdk-v2 cannot be resolved (as on a
 * Raspberry Pi where npm skipped the optional dependency): publishes one QoS 1 message through the mqtt
 * and lite transports to a plain aedes broker, then runs `npm run monitor -- --transport crt` and
 * prints one JSON line with what happened.
 */
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { main as monitorMain } from '../../../../device/cli/monitor.ts';
import { loadTransportFactory, type TransportKind } from '../../../../device/transport/index.ts';

const broker = await Aedes.createBroker();
const received: string[] = [];
broker.on('publish', (packet, client) => {
  if (client) received.push(`${client.id}:${packet.topic}`);
});
const server = createServer((socket) => broker.handle(socket));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const published: Record<string, boolean> = {};
for (const kind of ['mqtt', 'lite'] satisfies TransportKind[]) {
  const transport = (await loadTransportFactory(kind))({ host: '127.0.0.1', port, clientId: `bedside-${kind}`, connectTimeoutMs: 5_000 });
  await transport.connect();
  await transport.publish(`dt/bedside/bedside-${kind}/vitals`, '{"probe":true}', 1);
  await transport.end();
  published[kind] = true;
}

const stderr: string[] = [];
const originalError = console.error;
console.error = (...parts: unknown[]) => stderr.push(parts.map(String).join(' '));
const crtExit = await monitorMain(['--thing', 'bedside-0001', '--target', `mqtt://127.0.0.1:${port}`, '--transport', 'crt', '--no-shadow', '--data-dir', process.env.DATA_DIR ?? 'data']);
console.error = originalError;

server.close();
await new Promise<void>((resolve) => broker.close(() => resolve()));
console.log(JSON.stringify({ published, received, crtExit, crtStderr: stderr.join('\n') }));
