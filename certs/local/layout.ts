/**
 * Where everything lives inside a certs directory (default `data/certs`, git-ignored). One place, so the
 * broker, the fleet runner, mosquitto's config and the README agree on the names.
 *
 *   ca/ca.pem, ca/ca.key            local CA (EC P-256, 10 years)
 *   ca/crl.pem                      CA-signed X.509 CRL of revoked device certificates (empty at first)
 *   server/server.pem, server.key   broker certificate (CN localhost, SAN localhost + 127.0.0.1 + extras)
 *   devices/<thing>/cert.pem, key.pem, ca.pem   one directory per monitor
 *   registry.json                   things, attributes, certificate fingerprints, revoked flags
 *   revocations.json                revoked certificates (thing, serial, fingerprint, when)
 */
import { join } from 'node:path';

export const DEFAULT_CERTS_DIR = 'data/certs';

export interface DeviceCredentialPaths {
  cert: string;
  key: string;
  ca: string;
}

export function caPaths(dir: string): { dir: string; certPath: string; keyPath: string } {
  const caDir = join(dir, 'ca');
  return { dir: caDir, certPath: join(caDir, 'ca.pem'), keyPath: join(caDir, 'ca.key') };
}

export function serverPaths(dir: string): { dir: string; certPath: string; keyPath: string; hostsPath: string } {
  const serverDir = join(dir, 'server');
  return {
    dir: serverDir,
    certPath: join(serverDir, 'server.pem'),
    keyPath: join(serverDir, 'server.key'),
    hostsPath: join(serverDir, 'hosts.json'),
  };
}

export function deviceDir(dir: string, thingName: string): string {
  return join(dir, 'devices', thingName);
}

/** The files a monitor needs for mutual TLS. The CA is copied next to them so one folder is enough. */
export function deviceCredentialPaths(dir: string, thingName: string): DeviceCredentialPaths {
  const d = deviceDir(dir, thingName);
  return { cert: join(d, 'cert.pem'), key: join(d, 'key.pem'), ca: join(d, 'ca.pem') };
}

export function registryPath(dir: string): string {
  return join(dir, 'registry.json');
}

export function revocationsPath(dir: string): string {
  return join(dir, 'revocations.json');
}

/** PEM X.509 CRL signed by the local CA; always present once the CA exists (empty when nothing is revoked). */
export function crlPath(dir: string): string {
  return join(caPaths(dir).dir, 'crl.pem');
}

export function registryLockPath(dir: string): string {
  return join(dir, '.registry.lock');
}
