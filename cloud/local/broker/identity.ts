/**
 * Who is connecting: the client certificate (already verified against the local CA by TLS) mapped to a
 * thing of the local registry. The registry and the revocation list are re-read whenever their files
 * change (checked by mtime on each connect, a cheap stat), so `npm run certs -- --revoke <thing>` takes
 * effect on the next connect without a restart.
 */
import { statSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { loadRegistry, loadRevocations, registryPath, revocationsPath, type ThingRecord } from '../../../certs/local/index.ts';

export interface PeerIdentity {
  commonName: string;
  /** SHA-256 of the certificate DER, lowercase hex (the registry's and AWS's certificate id format). */
  fingerprint: string;
}

export type IdentityVerdict =
  | { ok: true; thing: ThingRecord; identity: PeerIdentity }
  | { ok: false; reason: string; identity?: PeerIdentity };

export function peerIdentity(socket: TLSSocket): PeerIdentity | undefined {
  if (!socket.authorized) return undefined;
  const certificate = socket.getPeerCertificate();
  const cn = certificate?.subject?.CN as string | string[] | undefined;
  const commonName = Array.isArray(cn) ? cn[0] : cn;
  if (!commonName || !certificate.fingerprint256) return undefined;
  return { commonName, fingerprint: certificate.fingerprint256.replaceAll(':', '').toLowerCase() };
}

/** Changes whenever the file is rewritten (the certs module replaces files by rename: a new inode). */
function versionOf(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}/${stat.mtimeMs}/${stat.size}`;
  } catch {
    return 'absent';
  }
}

export class ThingDirectory {
  #things = new Map<string, ThingRecord>();
  #revokedFingerprints = new Set<string>();
  #stamp = '';

  constructor(private readonly certsDir: string) {}

  /** The registry as of now (reloaded if registry.json or revocations.json changed). */
  refresh(): void {
    const stamp = `${versionOf(registryPath(this.certsDir))}:${versionOf(revocationsPath(this.certsDir))}`;
    if (stamp === this.#stamp) return;
    this.#things = loadRegistry(this.certsDir);
    this.#revokedFingerprints = new Set(loadRevocations(this.certsDir).map((r) => r.certificateFingerprint.toLowerCase()));
    this.#stamp = stamp;
  }

  get(thingName: string): ThingRecord | undefined {
    return this.#things.get(thingName);
  }

  /** Client id must equal the certificate CN of a known, unrevoked thing holding exactly this certificate. */
  verify(clientId: string, identity: PeerIdentity | undefined): IdentityVerdict {
    if (identity === undefined) return { ok: false, reason: 'no verified client certificate' };
    this.refresh();
    if (clientId !== identity.commonName) {
      return { ok: false, identity, reason: `client id "${clientId}" is not the certificate CN "${identity.commonName}"` };
    }
    const thing = this.#things.get(identity.commonName);
    if (!thing) return { ok: false, identity, reason: `no thing "${identity.commonName}" in the registry` };
    if (thing.revoked || this.#revokedFingerprints.has(identity.fingerprint)) {
      return { ok: false, identity, reason: `the certificate of ${thing.thingName} is revoked` };
    }
    if (thing.certificateFingerprint.toLowerCase() !== identity.fingerprint) {
      return { ok: false, identity, reason: `the certificate is not the one registered for ${thing.thingName}` };
    }
    return { ok: true, thing, identity };
  }
}
