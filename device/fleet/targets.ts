/**
 * Where a fleet connects and with which identities: `local` (the local broker, mTLS, data/certs),
 * `aws` (IoT Core: certs/aws-out written by `npm run provision`), or an explicit mqtt(s)://host:port
 * (mqtts uses the local certificates; plain mqtt needs none, for benchmarks against any broker).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
// certs/local's file-reading modules only: its index also loads the X.509 toolkit, which a worker that
// just reads PEM files need not carry.
import { indexOfThingName, thingAttributesFor, thingNameFor, type ThingAttributes } from '../../certs/local/fleet-attributes.ts';
import { rootCaPathIn } from '../../certs/aws/layout.ts';
import { DEFAULT_CERTS_DIR, deviceCredentialPaths } from '../../certs/local/layout.ts';
import { loadRegistry } from '../../certs/local/registry.ts';
import type { TlsMaterial } from '../transport/index.ts';
import { FleetArgumentError, MissingCredentialsError, UnknownThingError } from './errors.ts';

export const DEFAULT_AWS_OUT_DIR = 'certs/aws-out';
export const LOCAL_BROKER_PORT = 8883;

export interface TargetSpec {
  /** 'local' | 'aws' | 'mqtt://host:port' | 'mqtts://host:port' */
  target: string;
  certsDir?: string;
  awsOutDir?: string;
}

export interface ThingIdentity {
  thing: string;
  attributes: ThingAttributes;
}

export interface ResolvedTarget {
  label: string;
  host: string;
  port: number;
  tls: boolean;
  /** Where credentials come from (for error messages), or undefined for plain MQTT. */
  credentialsDir: string | undefined;
  /** The first `count` things of this target, in a stable order. */
  things(count: number): ThingIdentity[];
  /**
   * The things at positions [first, last) of that order (a shard's slice). Only the AWS target overrides
   * `things(last).slice(first)`: a fleet task holds the credentials of its own shard, not of those before it.
   */
  slice?(first: number, last: number): ThingIdentity[];
  /** One thing by name. */
  thing(name: string): ThingIdentity;
  /** PEM material of a thing (read on each call: call it once per monitor). */
  credentials(thing: string): TlsMaterial | undefined;
}

export function resolveTarget(spec: TargetSpec): ResolvedTarget {
  const certsDir = spec.certsDir ?? DEFAULT_CERTS_DIR;
  if (spec.target === 'local') return localTarget('local', '127.0.0.1', LOCAL_BROKER_PORT, certsDir);
  if (spec.target === 'aws') return awsTarget(spec.awsOutDir ?? DEFAULT_AWS_OUT_DIR);
  let url: URL;
  try {
    url = new URL(spec.target);
  } catch {
    throw new FleetArgumentError(`--target "${spec.target}" is not local, aws or mqtt(s)://host:port`);
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') {
    throw new FleetArgumentError(`--target "${spec.target}": use mqtt://host:port (plain) or mqtts://host:port (TLS with the local certificates)`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'mqtts:') return localTarget(spec.target, host, Number(url.port || 8883), certsDir);
  return plainTarget(spec.target, host, Number(url.port || 1883));
}

function readTls(paths: { cert: string; key: string; ca: string }, fix: string): TlsMaterial {
  for (const path of [paths.cert, paths.key, paths.ca]) {
    if (!existsSync(path)) throw new MissingCredentialsError(`missing ${path}: ${fix}`);
  }
  return {
    cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8'), ca: readFileSync(paths.ca, 'utf8'),
    certPath: paths.cert, keyPath: paths.key, caPath: paths.ca,
  };
}

function localTarget(label: string, host: string, port: number, certsDir: string): ResolvedTarget {
  let registry: ReturnType<typeof loadRegistry> | undefined;
  const load = () => (registry ??= loadRegistry(certsDir));
  const fix = (count: number) => `run npm run certs -- --count ${count}`;
  return {
    label, host, port, tls: true, credentialsDir: certsDir,
    things(count) {
      const things = [...load().values()].filter((t) => !t.revoked).sort((a, b) => a.thingName.localeCompare(b.thingName, 'en', { numeric: true }));
      if (things.length < count) {
        throw new MissingCredentialsError(`${certsDir} has certificates for ${things.length} monitors, ${count} asked for: ${fix(count)}`);
      }
      return things.slice(0, count).map((t) => ({ thing: t.thingName, attributes: t.attributes }));
    },
    thing(name) {
      const record = load().get(name);
      if (!record) {
        const known = load().size;
        throw new UnknownThingError(known === 0
          ? `no certificates in ${certsDir}: run npm run certs -- --count N`
          : `unknown thing "${name}": ${certsDir} holds ${known} things (bedside-0001 ...); run npm run certs -- --count N to add more`);
      }
      if (record.revoked) throw new UnknownThingError(`thing "${name}" has a revoked certificate: issue a new one with npm run certs`);
      return { thing: record.thingName, attributes: record.attributes };
    },
    credentials: (thing) => readTls(deviceCredentialPaths(certsDir, thing), fix(indexOfThingName(thing) ?? 1)),
  };
}

function plainTarget(label: string, host: string, port: number): ResolvedTarget {
  const identity = (index: number): ThingIdentity => ({ thing: thingNameFor(index), attributes: thingAttributesFor(index) });
  return {
    label, host, port, tls: false, credentialsDir: undefined,
    things: (count) => Array.from({ length: count }, (_, i) => identity(i + 1)),
    thing(name) {
      const index = indexOfThingName(name);
      if (index === undefined) throw new UnknownThingError(`"${name}" is not a bedside-NNNN thing name`);
      return identity(index);
    },
    credentials: () => undefined,
  };
}

interface EndpointFile {
  endpoint: string;
  port?: number;
}

function awsTarget(dir: string): ResolvedTarget {
  const fix = 'run npm run provision -- --count N first';
  const endpointPath = join(dir, 'endpoint.json');
  if (!existsSync(endpointPath)) throw new MissingCredentialsError(`missing ${endpointPath}: ${fix}`);
  let endpoint: EndpointFile;
  try {
    endpoint = JSON.parse(readFileSync(endpointPath, 'utf8')) as EndpointFile;
  } catch (error) {
    throw new MissingCredentialsError(`${endpointPath} is not JSON: ${fix}`, { cause: error });
  }
  if (typeof endpoint.endpoint !== 'string') throw new MissingCredentialsError(`${endpointPath} has no "endpoint": ${fix}`);
  const caPath = rootCaPathIn(dir);
  const names = () => readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'cert.pem')))
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const identity = (name: string): ThingIdentity => {
    const index = indexOfThingName(name);
    return { thing: name, attributes: index === undefined
      ? { ward: 'general', bed: name, model: 'bsm-3000', firmware: '1.4.2', patient_id: `MRN-${name}` }
      : thingAttributesFor(index) };
  };
  return {
    label: 'aws', host: endpoint.endpoint, port: endpoint.port ?? 8883, tls: true, credentialsDir: dir,
    things(count) {
      const all = names();
      if (all.length < count) throw new MissingCredentialsError(`${dir} has ${all.length} provisioned things, ${count} asked for: run npm run provision -- --count ${count} first`);
      return all.slice(0, count).map(identity);
    },
    slice(first, last) {
      // bedside-NNNN things are positional by their number: a directory holding exactly a shard's things
      // (cloud/fleet-image) serves that shard; otherwise the first `last` provisioned things, as above.
      const wanted = Array.from({ length: last - first }, (_, i) => thingNameFor(first + i + 1));
      if (wanted.every((name) => existsSync(join(dir, name, 'cert.pem')))) return wanted.map(identity);
      return this.things(last).slice(first);
    },
    thing(name) {
      if (!existsSync(join(dir, name, 'cert.pem'))) throw new UnknownThingError(`thing "${name}" is not provisioned in ${dir}: ${fix}`);
      return identity(name);
    },
    credentials: (thing) => readTls({ cert: join(dir, thing, 'cert.pem'), key: join(dir, thing, 'key.pem'), ca: caPath }, fix),
  };
}
