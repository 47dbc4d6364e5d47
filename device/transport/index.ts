/**
 * The transport builder: one function, three adapters, each imported on first use: a worker loads only
 * the client it runs (mqtt.js alone is several MiB of heap a lite worker need not carry), and machines
 * without aws-crt's native binary (32-bit Raspberry Pi OS) still run the other two.
 * aws-iot-device-sdk-v2 is an optional dependency: npm skips it where aws-crt cannot install.
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
    throw new TransportUnavailableError(crtUnavailableMessage(error), { cause: error });
  }
}

/** Says why the crt transport cannot load here and how to get it, or what to use instead. */
export function crtUnavailableMessage(error: unknown): string {
  const platform = `${process.platform}-${process.arch}`;
  const code = (error as { code?: unknown } | undefined)?.code;
  const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  const reason = missing
    ? 'aws-iot-device-sdk-v2 is not installed (an optional dependency: npm skips it where aws-crt has no prebuilt binary, e.g. 32-bit Raspberry Pi OS)'
    : `aws-crt cannot load on ${platform} (${(error as Error | undefined)?.message ?? String(error)})`;
  return `the crt transport is unavailable: ${reason}. Use --transport mqtt or --transport lite (both connect to AWS IoT Core), ` +
    'or install it with `npm install aws-iot-device-sdk-v2` (on 32-bit ARM this builds aws-crt from source: needs cmake, a C compiler and ~2 GB of memory with swap)';
}
