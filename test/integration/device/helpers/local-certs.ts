/** A throwaway certs directory (local CA, broker certificate, N devices) made with the identity API. */
import { readFileSync } from 'node:fs';
import { caPaths, deviceCredentialPaths, ensureDevices, ensureServerCertificate, thingNameFor } from '../../../../certs/local/index.ts';
import type { TlsMaterial } from '../../../../device/transport/index.ts';
import type { MosquittoTls } from './mosquitto.ts';

export async function makeCerts(dir: string, count: number): Promise<{ broker: MosquittoTls; things: string[] }> {
  await ensureDevices(dir, count);
  const server = await ensureServerCertificate(dir);
  const things = Array.from({ length: count }, (_, i) => thingNameFor(i + 1));
  return { broker: { caPath: caPaths(dir).certPath, certPath: server.certPath, keyPath: server.keyPath }, things };
}

export function deviceTls(dir: string, thing: string): TlsMaterial {
  const paths = deviceCredentialPaths(dir, thing);
  return {
    cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8'), ca: readFileSync(paths.ca, 'utf8'),
    certPath: paths.cert, keyPath: paths.key, caPath: paths.ca,
  };
}
