/** The local thing registry (registry.json): the stand-in for AWS IoT's thing registry. */
import { existsSync, readFileSync } from 'node:fs';
import type { ThingAttributes } from './fleet-attributes.ts';
import { CorruptCertsDirError } from './errors.ts';
import { writeFileAtomic } from './fs-atomic.ts';
import { registryPath, revocationsPath } from './layout.ts';
import type { RevokedSerial } from './x509.ts';

export interface ThingRecord {
  thingName: string;
  attributes: ThingAttributes;
  /** SHA-256 of the certificate DER, lowercase hex. */
  certificateFingerprint: string;
  revoked: boolean;
  createdAt: string;
}

interface RegistryFile {
  version: 1;
  things: ThingRecord[];
}

export interface RevocationRecord extends RevokedSerial {
  thingName: string;
  certificateFingerprint: string;
}

/** All things by name; an empty map when the directory has no registry yet. */
export function loadRegistry(dir: string): Map<string, ThingRecord> {
  const file = readJson<RegistryFile>(registryPath(dir));
  if (file === undefined) return new Map();
  if (file.version !== 1 || !Array.isArray(file.things)) {
    throw new CorruptCertsDirError(`${registryPath(dir)} is not a version 1 registry: delete ${dir} and run "npm run certs" again`);
  }
  return new Map(file.things.map((thing) => [thing.thingName, thing]));
}

/** Writes things sorted by name so the file diffs cleanly and reads the same on every machine. */
export function saveRegistry(dir: string, things: Iterable<ThingRecord>): void {
  const sorted = [...things].sort((a, b) => (a.thingName < b.thingName ? -1 : a.thingName > b.thingName ? 1 : 0));
  const file: RegistryFile = { version: 1, things: sorted };
  writeFileAtomic(registryPath(dir), `${JSON.stringify(file, null, 1)}\n`);
}

export function loadRevocations(dir: string): RevocationRecord[] {
  const list = readJson<RevocationRecord[]>(revocationsPath(dir));
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new CorruptCertsDirError(`${revocationsPath(dir)} is not a list of revocations`);
  return list;
}

export function saveRevocations(dir: string, list: readonly RevocationRecord[]): void {
  writeFileAtomic(revocationsPath(dir), `${JSON.stringify(list, null, 1)}\n`);
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new CorruptCertsDirError(`cannot read ${path}: delete it (or the whole certs dir) and run "npm run certs" again`, {
      cause: error,
    });
  }
}
