/**
 * Where provisioning writes, and where the fleet runner (`npm run fleet -- --target aws`) reads:
 *
 *   <out>/endpoint.json          {"endpoint": "<prefix>-ats.iot.<region>.amazonaws.com", "port": 8883, "region": ...}
 *   <out>/AmazonRootCA1.pem      the CA that signs IoT Core's server certificate
 *   <out>/<thing>/cert.pem       the device certificate issued by AWS IoT
 *   <out>/<thing>/key.pem        its private key (0600; exists nowhere else)
 *   <out>/manifest.json          everything created in AWS, for resume and deprovision
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { ProvisioningError } from './errors.ts';

export const DEFAULT_AWS_OUT_DIR = 'certs/aws-out';
export const IOT_DATA_PORT = 8883;

export const awsOutPaths = (outDir: string) => ({
  manifest: join(outDir, 'manifest.json'),
  endpoint: join(outDir, 'endpoint.json'),
  rootCa: join(outDir, 'AmazonRootCA1.pem'),
});

export const thingPaths = (outDir: string, thing: string) => ({
  dir: join(outDir, thing),
  cert: join(outDir, thing, 'cert.pem'),
  key: join(outDir, thing, 'key.pem'),
});

/**
 * Amazon Root CA 1 from the Mozilla CA store that Node ships (no download at run time). IoT Core's
 * iot:Data-ATS endpoints present certificates chaining to it.
 */
export function amazonRootCa1Pem(): string {
  const pem = rootCertificates.find((candidate) => new X509Certificate(candidate).subject.includes('CN=Amazon Root CA 1'));
  if (!pem) throw new ProvisioningError('this Node.js build has no Amazon Root CA 1 in tls.rootCertificates: save https://www.amazontrust.com/repository/AmazonRootCA1.pem into the out dir');
  return `${pem.trim()}\n`;
}

export function writeThingCredentials(outDir: string, thing: string, certificatePem: string, privateKey: string): void {
  const paths = thingPaths(outDir, thing);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.key, privateKey, { mode: 0o600 });
  writeFileSync(paths.cert, certificatePem, { mode: 0o644 });
}

export function hasThingCredentials(outDir: string, thing: string): boolean {
  const paths = thingPaths(outDir, thing);
  return existsSync(paths.cert) && existsSync(paths.key);
}

export function removeThingCredentials(outDir: string, thing: string): void {
  rmSync(thingPaths(outDir, thing).dir, { recursive: true, force: true });
}

export function writeEndpointFiles(outDir: string, endpoint: string, region: string): void {
  const paths = awsOutPaths(outDir);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(paths.endpoint, `${JSON.stringify({ endpoint, port: IOT_DATA_PORT, region }, null, 2)}\n`);
  writeFileSync(paths.rootCa, amazonRootCa1Pem());
}
