/** The local CA, its CRL and the broker's server certificate: created once, then read back. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { CorruptCertsDirError } from './errors.ts';
import { publishDirectory, writeFileAtomic } from './fs-atomic.ts';
import { caPaths, crlPath, registryPath, revocationsPath, serverPaths } from './layout.ts';
import { join } from 'node:path';
import {
  certificateFingerprint,
  createCa,
  createCrl,
  issueServerCertificate,
  loadCaSigner,
  serverHosts,
  type CaSigner,
} from './x509.ts';

const PRIVATE = 0o600;
const PUBLIC = 0o644;

/** Creates the local CA (EC P-256, 10 years) unless it exists; never replaces an existing one. */
export async function ensureLocalCa(dir: string): Promise<{ certPath: string; keyPath: string; certPem: string }> {
  const paths = caPaths(dir);
  if (!existsSync(paths.certPath)) {
    const now = new Date();
    const ca = await createCa(now);
    const emptyCrl = await createCrl(await loadCaSigner(ca.certPem, ca.keyPem), [], now);
    const created = publishDirectory(paths.dir, {
      'ca.pem': { data: ca.certPem, mode: PUBLIC },
      'ca.key': { data: ca.keyPem, mode: PRIVATE },
      'crl.pem': { data: emptyCrl, mode: PUBLIC },
    });
    // Certificates signed by a CA that no longer exists are useless: start the fleet afresh.
    if (created) forgetEverythingSignedByAnOldCa(dir);
  }
  return { certPath: paths.certPath, keyPath: paths.keyPath, certPem: readFileSync(paths.certPath, 'utf8') };
}

function forgetEverythingSignedByAnOldCa(dir: string): void {
  for (const path of [registryPath(dir), revocationsPath(dir), join(dir, 'devices'), serverPaths(dir).dir]) {
    rmSync(path, { recursive: true, force: true });
  }
}

export async function loadLocalCa(dir: string): Promise<CaSigner> {
  const paths = caPaths(dir);
  try {
    return await loadCaSigner(readFileSync(paths.certPath, 'utf8'), readFileSync(paths.keyPath, 'utf8'));
  } catch (error) {
    throw new CorruptCertsDirError(`cannot load the local CA from ${paths.dir}: delete ${dir} and run "npm run certs" again`, {
      cause: error,
    });
  }
}

export function writeCrl(dir: string, pem: string): void {
  writeFileAtomic(crlPath(dir), pem);
}

interface ServerMeta {
  hosts: string[];
  caFingerprint: string;
}

/**
 * The broker's certificate (CN localhost; SAN localhost, 127.0.0.1 and `hosts`). Reissued only when the
 * requested names are not all covered or the CA changed.
 */
export async function ensureServerCertificate(dir: string, hosts: string[] = []): Promise<{ certPath: string; keyPath: string }> {
  const { certPem: caPem } = await ensureLocalCa(dir);
  const paths = serverPaths(dir);
  const wanted = serverHosts(hosts);
  const caFingerprint = certificateFingerprint(caPem);
  const meta = readServerMeta(paths.hostsPath);
  const covered = meta !== undefined && meta.caFingerprint === caFingerprint && wanted.every((h) => meta.hosts.includes(h));
  if (!covered || !existsSync(paths.certPath) || !existsSync(paths.keyPath)) {
    const allHosts = serverHosts([...wanted, ...(meta?.caFingerprint === caFingerprint ? meta.hosts : [])]);
    const issued = await issueServerCertificate(await loadLocalCa(dir), allHosts, new Date());
    rmSync(paths.dir, { recursive: true, force: true });
    const newMeta: ServerMeta = { hosts: allHosts, caFingerprint };
    publishDirectory(paths.dir, {
      'server.pem': { data: issued.certPem, mode: PUBLIC },
      'server.key': { data: issued.keyPem, mode: PRIVATE },
      'hosts.json': { data: `${JSON.stringify(newMeta)}\n`, mode: PUBLIC },
    });
  }
  return { certPath: paths.certPath, keyPath: paths.keyPath };
}

function readServerMeta(path: string): ServerMeta | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ServerMeta;
  } catch {
    return undefined; // unreadable metadata only means "reissue"
  }
}
