import { X509Certificate as NodeX509 } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  certificateCommonName,
  certificateFingerprint,
  certificateSerial,
  createCa,
  createCrl,
  issueDeviceCertificate,
  issueServerCertificate,
  loadCaSigner,
  serverHosts,
} from '../../../certs/local/x509.ts';

const NOW = new Date('2026-11-24T12:00:00Z');
const YEAR_MS = 365 * 86_400_000;

async function newCa() {
  const pem = await createCa(NOW);
  return { pem, signer: await loadCaSigner(pem.certPem, pem.keyPem) };
}

describe('local X.509 issuance', () => {
  it('creates a self-signed EC P-256 CA valid for ten years', async () => {
    const { pem } = await newCa();
    const ca = new NodeX509(pem.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(ca.validTo).getTime() - NOW.getTime()).toBeGreaterThan(9.9 * YEAR_MS);
    expect(pem.keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
  });

  it('issues a device certificate with CN = thing name and clientAuth, signed by the CA, for two years', async () => {
    const { pem, signer } = await newCa();
    const device = await issueDeviceCertificate(signer, 'bedside-0001', NOW);
    const cert = new NodeX509(device.certPem);
    const ca = new NodeX509(pem.certPem);
    expect(cert.subject).toBe('CN=bedside-0001');
    expect(certificateCommonName(device.certPem)).toBe('bedside-0001');
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    const years = (new Date(cert.validTo).getTime() - NOW.getTime()) / YEAR_MS;
    expect(years).toBeGreaterThan(1.99);
    expect(years).toBeLessThan(2.01);
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(NOW.getTime());
  });

  it('gives a certificate from another CA a chain that does not verify', async () => {
    const { pem } = await newCa();
    const other = await newCa();
    const stranger = await issueDeviceCertificate(other.signer, 'bedside-0001', NOW);
    expect(new NodeX509(stranger.certPem).verify(new NodeX509(pem.certPem).publicKey)).toBe(false);
  });

  it('issues the broker certificate for localhost, 127.0.0.1 and extra names, with serverAuth', async () => {
    const { signer } = await newCa();
    const server = await issueServerCertificate(signer, serverHosts(['broker.ward.local', '10.0.0.5']), NOW);
    const cert = new NodeX509(server.certPem);
    expect(cert.subject).toBe('CN=localhost');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('broker.ward.local')).toBe('broker.ward.local');
    expect(cert.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(cert.checkHost('example.com')).toBeUndefined();
  });

  it('lists localhost and 127.0.0.1 first and drops duplicate or blank hosts', () => {
    expect(serverHosts([' ', 'localhost', 'a.local', 'a.local'])).toEqual(['localhost', '127.0.0.1', 'a.local']);
  });

  it('fingerprints a certificate as lowercase SHA-256 hex of its DER, as Node does', async () => {
    const { pem } = await newCa();
    const expected = new NodeX509(pem.certPem).fingerprint256.replaceAll(':', '').toLowerCase();
    expect(certificateFingerprint(pem.certPem)).toBe(expected);
    expect(certificateSerial(pem.certPem)).toBe(new NodeX509(pem.certPem).serialNumber.toLowerCase());
  });

  it('writes a CA-signed CRL under the PEM label OpenSSL reads', async () => {
    const { signer } = await newCa();
    const device = await issueDeviceCertificate(signer, 'bedside-0007', NOW);
    const crl = await createCrl(signer, [{ serialNumber: certificateSerial(device.certPem), revokedAt: NOW.toISOString() }], NOW);
    expect(crl).toMatch(/^-----BEGIN X509 CRL-----\n/);
    expect(crl).toMatch(/\n-----END X509 CRL-----\n$/);
    const x509 = await import('@peculiar/x509');
    const parsed = new x509.X509Crl(crl.replaceAll('X509 CRL', 'CRL'));
    expect(parsed.entries.map((e) => e.serialNumber.toLowerCase())).toEqual([certificateSerial(device.certPem)]);
    expect(await parsed.verify({ publicKey: signer.cert.publicKey })).toBe(true);
  });
});
