/**
 * The provisioning manifest: everything `npm run provision` created in AWS IoT, written after every
 * step (atomically), so a re-run resumes where it stopped and creates nothing twice, and
 * `npm run deprovision` removes exactly what is listed here and nothing else.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ManifestError } from './errors.ts';

export const MANIFEST_VERSION = 1;

/** A shared resource (thing type, group, policy): `created` says whether provisioning made it (and may delete it). */
export interface SharedResource {
  name: string;
  arn?: string;
  created: boolean;
  /** Thing types must stay deprecated 5 minutes before AWS lets them be deleted. */
  deprecatedAt?: string;
}

export interface ThingEntry {
  thingArn?: string;
  certificateArn?: string;
  certificateId?: string;
  /** cert.pem and key.pem are on disk (the key exists nowhere else). */
  filesWritten?: boolean;
  policyAttached?: boolean;
  principalAttached?: boolean;
  inGroup?: boolean;
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  region: string;
  prefix: string;
  endpoint?: string;
  thingType?: SharedResource;
  thingGroup?: SharedResource;
  policy?: SharedResource;
  things: Record<string, ThingEntry>;
}

export interface ManifestStore {
  load(): Manifest | undefined;
  save(manifest: Manifest): void;
}

export function emptyManifest(region: string, prefix: string): Manifest {
  return { version: MANIFEST_VERSION, region, prefix, things: {} };
}

export function fileManifestStore(path: string): ManifestStore {
  return {
    load() {
      if (!existsSync(path)) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new ManifestError(`${path} is not JSON: restore it, or delete the listed resources by hand before provisioning again`, { cause: error });
      }
      const manifest = parsed as Partial<Manifest>;
      if (manifest.version !== MANIFEST_VERSION || typeof manifest.things !== 'object' || manifest.things === null) {
        throw new ManifestError(`${path} is not a version ${MANIFEST_VERSION} provisioning manifest`);
      }
      return manifest as Manifest;
    },
    save(manifest) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, path);
    },
  };
}

/** In memory, for tests and dry runs. Saves a deep copy so later mutation cannot fake a save. */
export function memoryManifestStore(initial?: Manifest): ManifestStore & { saves: number; current: Manifest | undefined } {
  const store = {
    saves: 0,
    current: initial ? structuredClone(initial) : undefined,
    load: () => (store.current ? structuredClone(store.current) : undefined),
    save: (manifest: Manifest) => {
      store.saves += 1;
      store.current = structuredClone(manifest);
    },
  };
  return store;
}
