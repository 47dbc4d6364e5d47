/**
 * The transport builder: one function, three adapters, each imported on first use: a worker loads only
 * the client it runs (mqtt.js alone is several MiB of heap a lite worker need not carry), and machines
 * without aws-crt's native binary (32-bit Raspberry Pi OS) still run the other two.
 */
import { TransportUnavailableError, type TransportFactory, type TransportKind } from './types.ts';

export * from './types.ts';

/** Resolves the factory of a transport kind; call once per worker, then build one transport per monitor. */
export async function loadTransportFactory(kind: TransportKind): Promise<TransportFactory> {
  if (kind === 'mqtt') return (await import('./mqttjs.ts')).createMqttJsTransport;
  if (kind === 'lite') return (await import('./lite.ts')).createLiteTransport;
  try {
    const module = await import('./crt.ts');
    return module.createCrtTransport;
  } catch (error) {
    throw new TransportUnavailableError(
      `the aws-crt transport cannot load on ${process.platform}-${process.arch} (${(error as Error).message}): use --transport mqtt`,
      { cause: error });
  }
}
