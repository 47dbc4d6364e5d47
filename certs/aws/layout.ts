/**
 * Where provisioning writes, and where the fleet runner (`npm run fleet -- --target aws`) reads:
 *
 *   <out>/endpoint.json          {"endpoint": "<prefix>-ats.iot.<region>.amazonaws.com", "port": 8883, "region": ...}
 *   <out>/AmazonRootCAs.pem      Amazon Root CA 1-4, the CAs IoT Core's server certificates chain to
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
  rootCa: join(outDir, 'AmazonRootCAs.pem'),
  /** What provisioning wrote before it trusted every Amazon root; read when the bundle is absent. */
  legacyRootCa: join(outDir, 'AmazonRootCA1.pem'),
});

/** The CA file of an out dir the fleet runner reads: the bundle, or an older out dir's single root. */
export function rootCaPathIn(outDir: string): string {
  const paths = awsOutPaths(outDir);
  return !existsSync(paths.rootCa) && existsSync(paths.legacyRootCa) ? paths.legacyRootCa : paths.rootCa;
}

export const thingPaths = (outDir: string, thing: string) => ({
  dir: join(outDir, thing),
  cert: join(outDir, thing, 'cert.pem'),
  key: join(outDir, thing, 'key.pem'),
});

/**
 * Amazon Trust Services roots, all trusted as AWS recommends: an iot:Data-ATS endpoint presents an RSA chain
 * to Amazon Root CA 1 or, with ECC cipher suites, an ECDSA chain to Amazon Root CA 3; 2 and 4 are the
 * roots AWS may move to. A device trusting CA 1 alone fails the TLS handshake on an ECC chain.
 */
export const AMAZON_ROOT_CAS = ['Amazon Root CA 1', 'Amazon Root CA 2', 'Amazon Root CA 3', 'Amazon Root CA 4'] as const;

/** The Amazon roots from the Mozilla CA store that Node ships (no download at run time), one PEM bundle. */
export function amazonRootCasPem(roots: readonly string[] = rootCertificates): string {
  return AMAZON_ROOT_CAS.map((cn) => {
    const pem = roots.find((candidate) => new X509Certificate(candidate).subject.split('\n').includes(`CN=${cn}`));
    if (!pem) {
      throw new ProvisioningError(
        `this Node.js build has no ${cn} in tls.rootCertificates: append https://www.amazontrust.com/repository/${cn.replaceAll(' ', '')}.pem to the out dir's AmazonRootCAs.pem`,
      );
    }
    return `${pem.trim()}\n`;
  }).join('');
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
  writeFileSync(paths.rootCa, amazonRootCasPem());
  rmSync(paths.legacyRootCa, { force: true });
}
