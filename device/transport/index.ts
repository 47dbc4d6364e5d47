/**
 * The transport builder: one function, three adapters. mqtt.js and the lean "lite" client are pure JS;
 * aws-crt is imported on first use so that machines without its native binary (32-bit Raspberry Pi OS) still run.
 */
import { createLiteTransport } from './lite.ts';
import { createMqttJsTransport } from './mqttjs.ts';
import { TransportUnavailableError, type TransportFactory, type TransportKind } from './types.ts';

export * from './types.ts';

/** Resolves the factory of a transport kind; call once per worker, then build one transport per monitor. */
export async function loadTransportFactory(kind: TransportKind): Promise<TransportFactory> {
  if (kind === 'mqtt') return createMqttJsTransport;
  if (kind === 'lite') return createLiteTransport;
  try {
    const module = await import('./crt.ts');
    return module.createCrtTransport;
  } catch (error) {
    throw new TransportUnavailableError(
      `the aws-crt transport cannot load on ${process.platform}-${process.arch} (${(error as Error).message}): use --transport mqtt`,
      { cause: error });
  }
}
