/** Device certificates, the thing registry and revocation: the local stand-in for AWS IoT's registry. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ensureLocalCa, loadLocalCa, writeCrl } from './authority.ts';
import { CertsError, UnknownThingError } from './errors.ts';
import { thingAttributesFor, thingNameFor } from './fleet-attributes.ts';
import { publishDirectory, withDirectoryLock } from './fs-atomic.ts';
import { deviceCredentialPaths, deviceDir, registryLockPath } from './layout.ts';
import { loadRegistry, loadRevocations, saveRegistry, saveRevocations, type ThingRecord } from './registry.ts';
import {
  certificateFingerprint,
  certificateSerial,
  createCrl,
  issueDeviceCertificate,
  type CaSigner,
  type IssuedPem,
} from './x509.ts';

/** Keys and signatures run on libuv's thread pool; a few in flight keep both cores busy without flooding. */
const ISSUE_CONCURRENCY = 8;
/** Save the registry now and then so an interrupted run of 100,000 devices keeps most of its work. */
const SAVE_EVERY = 1_000;

/**
 * Makes sure devices 1..count exist (`bedside-0001`...). Existing devices are never re-issued, so
 * running again with a larger count grows the fleet. Returns the records of devices 1..count in order.
 */
export async function ensureDevices(
  dir: string,
  count: number,
  onProgress?: (done: number, total: number) => void,
): Promise<ThingRecord[]> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`device count must be a non-negative integer, got ${count}`);
  const { certPem: caPem } = await ensureLocalCa(dir);
  return withDirectoryLock(registryLockPath(dir), async () => {
    const registry = loadRegistry(dir);
    const missing: number[] = [];
    for (let i = 1; i <= count; i++) if (!registry.has(thingNameFor(i))) missing.push(i);
    let done = count - missing.length;
    onProgress?.(done, count);
    if (missing.length > 0) {
      const ca = await loadLocalCa(dir);
      let unsaved = 0;
      for (let start = 0; start < missing.length; start += ISSUE_CONCURRENCY) {
        const batch = missing.slice(start, start + ISSUE_CONCURRENCY);
        const records = await Promise.all(batch.map((i) => issueAndStoreDevice(dir, ca, caPem, i)));
        for (const record of records) registry.set(record.thingName, record);
        done += records.length;
        unsaved += records.length;
        if (unsaved >= SAVE_EVERY) {
          saveRegistry(dir, registry.values());
          unsaved = 0;
        }
        onProgress?.(done, count);
      }
      saveRegistry(dir, registry.values());
    }
    const result: ThingRecord[] = [];
    for (let i = 1; i <= count; i++) result.push(registry.get(thingNameFor(i))!);
    return result;
  });
}

async function issueAndStoreDevice(dir: string, ca: CaSigner, caPem: string, index: number): Promise<ThingRecord> {
  const thingName = thingNameFor(index);
  const issued = await issueDeviceCertificate(ca, thingName, new Date());
  // A directory without a registry entry is a leftover of an interrupted run: it was never handed out.
  const target = deviceDir(dir, thingName);
  rmSync(target, { recursive: true, force: true });
  storeDeviceFiles(target, issued, caPem);
  return {
    thingName,
    attributes: thingAttributesFor(index),
    certificateFingerprint: certificateFingerprint(issued.certPem),
    revoked: false,
    createdAt: new Date().toISOString(),
  };
}

function storeDeviceFiles(target: string, issued: IssuedPem, caPem: string): void {
  const published = publishDirectory(target, {
    'cert.pem': { data: issued.certPem, mode: 0o644 },
    'key.pem': { data: issued.keyPem, mode: 0o600 },
    'ca.pem': { data: caPem, mode: 0o644 },
  });
  if (!published) throw new CertsError(`${target} appeared while it was being issued: is another process writing to this certs dir without its lock?`);
}

/**
 * Revokes a device: marked revoked in the registry, listed in revocations.json and in the CA-signed CRL.
 * The broker refuses it from its next connection attempt. Revoking twice is harmless.
 */
export async function revokeDevice(dir: string, thingName: string): Promise<void> {
  await ensureLocalCa(dir);
  await withDirectoryLock(registryLockPath(dir), async () => {
    const registry = loadRegistry(dir);
    const thing = registry.get(thingName);
    if (thing === undefined) {
      throw new UnknownThingError(
        `no thing named "${thingName}" in ${dir}: list the known ones with "npm run certs -- --list --dir ${dir}"`,
      );
    }
    if (thing.revoked) return;
    const certPath = deviceCredentialPaths(dir, thingName).cert;
    if (!existsSync(certPath)) throw new CertsError(`${certPath} is missing: cannot read the serial number to revoke`);
    const certPem = readFileSync(certPath, 'utf8');
    const now = new Date();
    const revocations = [
      ...loadRevocations(dir),
      {
        thingName,
        serialNumber: certificateSerial(certPem),
        certificateFingerprint: thing.certificateFingerprint,
        revokedAt: now.toISOString(),
      },
    ];
    writeCrl(dir, await createCrl(await loadLocalCa(dir), revocations, now));
    saveRevocations(dir, revocations);
    registry.set(thingName, { ...thing, revoked: true });
    saveRegistry(dir, registry.values());
  });
}

/**
 * Issues a client certificate for `commonName`, signed by the CA in `caDir` (default `dir`), created if
 * missing. Nothing is registered: tests use it for identities the registry must not know (another CA,
 * a CN that is not a thing).
 */
export async function issueCertificate(opts: { dir: string; commonName: string; caDir?: string }): Promise<IssuedPem> {
  const caDir = opts.caDir ?? opts.dir;
  await ensureLocalCa(caDir);
  return issueDeviceCertificate(await loadLocalCa(caDir), opts.commonName, new Date());
}
