/** One NDJSON file per resource type in a directory, as FHIR Bulk Data lays them out (<Type>.ndjson). */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RESOURCE_TYPES, type FhirResource, type FhirResourceType } from './types.ts';

export interface NdjsonWriter {
  write(resource: FhirResource): Promise<void>;
  close(): Promise<void>;
  readonly files: Readonly<Record<FhirResourceType, string>>;
}

/** Opens (and truncates) <dir>/<Type>.ndjson for every resource type, so a re-export replaces the files. */
export async function openNdjsonWriter(dir: string): Promise<NdjsonWriter> {
  await mkdir(dir, { recursive: true });
  const files = Object.fromEntries(RESOURCE_TYPES.map((type) => [type, join(dir, `${type}.ndjson`)])) as Record<FhirResourceType, string>;
  const streams = Object.fromEntries(RESOURCE_TYPES.map((type) => [type, createWriteStream(files[type])])) as Record<FhirResourceType, WriteStream>;
  return {
    files,
    async write(resource) {
      const stream = streams[resource.resourceType];
      if (!stream.write(`${JSON.stringify(resource)}\n`)) await once(stream, 'drain');
    },
    async close() {
      await Promise.all(Object.values(streams).map((stream) => new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(resolve);
      })));
    },
  };
}
