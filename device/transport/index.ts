/**
 * The transport builder: one function, two adapters. mqtt.js is loaded eagerly (pure JS); aws-crt is
 * imported on first use so that machines without its native binary (32-bit Raspberry Pi OS) still run.
 */
import { createMqttJsTransport } from './mqttjs.ts';
import { TransportUnavailableError, type TransportFactory, type TransportKind } from './types.ts';

export * from './types.ts';

/** Resolves the factory of a transport kind; call once per worker, then build one transport per monitor. */
export async function loadTransportFactory(kind: TransportKind): Promise<TransportFactory> {
  if (kind === 'mqtt') return createMqttJsTransport;
  try {
    const module = await import('./crt.ts');
    return module.createCrtTransport;
  } catch (error) {
    throw new TransportUnavailableError(
      `the aws-crt transport cannot load on ${process.platform}-${process.arch} (${(error as Error).message}): use --transport mqtt`,
      { cause: error });
  }
}
