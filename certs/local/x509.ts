/**
 * X.509 building blocks on @peculiar/x509 over Node's WebCrypto (no OpenSSL binary, no native addon).
 * No file I/O here: callers pass the clock and get PEM strings back.
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata';
import { createHash, createPrivateKey, generateKeyPairSync, webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Certificates start an hour in the past so a device whose clock runs a little behind still accepts them. */
const CLOCK_SKEW_MS = 3_600_000;

export const CA_VALIDITY_DAYS = 3_650;
export const DEVICE_VALIDITY_DAYS = 730;
export const SERVER_VALIDITY_DAYS = 730;
export const CA_COMMON_NAME = 'healthcare-realtime-datalake local CA';

/** A CA able to sign: its certificate and private key. */
export interface CaSigner {
  cert: x509.X509Certificate;
  certPem: string;
  privateKey: CryptoKey;
  /** Computed once: hashing the CA key for every device certificate was a visible share of the time. */
  authorityKeyIdentifier: x509.Extension;
}

export interface IssuedPem {
  certPem: string;
  keyPem: string;
}

async function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
}

/**
 * EC keys are written as SEC1 (`BEGIN EC PRIVATE KEY`), the form `openssl ecparam -genkey` produces:
 * Node, OpenSSL (mosquitto) and s2n (aws-crt, used by aws-iot-device-sdk-v2) all read it.
 */
async function privateKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'sec1' }).toString();
}

export async function importSigningKey(pem: string): Promise<CryptoKey> {
  const pkcs8 = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return crypto.subtle.importKey('pkcs8', pkcs8, EC_P256, false, ['sign']);
}

/** A positive, random 128-bit serial (RFC 5280 allows up to 20 octets; the top bit clear keeps it positive). */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f | 0x01;
  return Buffer.from(bytes).toString('hex');
}

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - CLOCK_SKEW_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

export async function createCa(now: Date, commonName = CA_COMMON_NAME): Promise<IssuedPem> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${commonName}, O=healthcare-realtime-datalake`,
    ...validity(now, CA_VALIDITY_DAYS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

export async function loadCaSigner(certPem: string, keyPem: string): Promise<CaSigner> {
  const cert = new x509.X509Certificate(certPem);
  return {
    cert,
    certPem,
    privateKey: await importSigningKey(keyPem),
    authorityKeyIdentifier: await x509.AuthorityKeyIdentifierExtension.create(cert, false),
  };
}

/**
 * A leaf key pair from Node's crypto directly: about 20x cheaper than WebCrypto generate + export +
 * re-encode, which dominated issuing a large fleet. The key never needs to be a CryptoKey: only the CA signs.
 */
function generateLeafKey(): { publicKey: x509.PublicKey; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    publicKey: new x509.PublicKey(publicKey.export({ type: 'spki', format: 'der' })),
    keyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
  };
}

async function issueLeaf(
  ca: CaSigner,
  now: Date,
  subject: string,
  days: number,
  purpose: 'client' | 'server',
  sans: x509.JsonGeneralNames = [],
): Promise<IssuedPem> {
  const key = generateLeafKey();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [purpose === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(key.publicKey),
    ca.authorityKeyIdentifier,
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: ca.cert.subject,
    ...validity(now, days),
    publicKey: key.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: SIGNING,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: key.keyPem };
}

/** A device (client) certificate: subject CN = thing name, clientAuth EKU, 2 years. */
export async function issueDeviceCertificate(ca: CaSigner, commonName: string, now: Date): Promise<IssuedPem> {
  return issueLeaf(ca, now, `CN=${escapeDnValue(commonName)}`, DEVICE_VALIDITY_DAYS, 'client');
}

/** The broker's certificate: CN localhost, SAN DNS:localhost and IP:127.0.0.1 plus any extra host or IP. */
export async function issueServerCertificate(ca: CaSigner, hosts: readonly string[], now: Date): Promise<IssuedPem> {
  const sans: x509.JsonGeneralNames = serverHosts(hosts).map((host) =>
    isIpAddress(host) ? { type: 'ip', value: host } : { type: 'dns', value: host },
  );
  return issueLeaf(ca, now, 'CN=localhost', SERVER_VALIDITY_DAYS, 'server', sans);
}

/** localhost and 127.0.0.1 always, then the extras in the order given, without duplicates. */
export function serverHosts(extra: readonly string[] = []): string[] {
  return [...new Set(['localhost', '127.0.0.1', ...extra.map((h) => h.trim()).filter((h) => h.length > 0)])];
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** RFC 4514 escaping, for CNs given on the command line (thing names never need it). */
function escapeDnValue(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

export interface RevokedSerial {
  serialNumber: string;
  revokedAt: string;
}

/** A CA-signed CRL (PEM) listing the revoked serials; valid 10 years since nothing republishes it on a timer. */
export async function createCrl(ca: CaSigner, revoked: readonly RevokedSerial[], now: Date): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subject,
    thisUpdate: new Date(now.getTime() - CLOCK_SKEW_MS),
    nextUpdate: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    entries: revoked.map((r) => ({
      serialNumber: r.serialNumber,
      revocationDate: new Date(r.revokedAt),
      reason: x509.X509CrlReason.keyCompromise,
    })),
    signingKey: ca.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [ca.authorityKeyIdentifier],
  });
  return pem('X509 CRL', crl.rawData);
}

/** RFC 7468 PEM. The library labels CRLs "CRL"; OpenSSL (Node's TLS, mosquitto) reads only "X509 CRL". */
function pem(label: string, der: ArrayBuffer): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** SHA-256 of the certificate's DER, lowercase hex without separators (AWS IoT's certificate id is the same). */
export function certificateFingerprint(certPem: string): string {
  return createHash('sha256').update(pemBody(certPem, 'CERTIFICATE')).digest('hex');
}

/** The serial in hex as OpenSSL prints it, lowercased (the CRL and revocations.json use this form). */
export function certificateSerial(certPem: string): string {
  return new NodeX509Certificate(certPem).serialNumber.toLowerCase();
}

/** The DER inside the first PEM block with this label (no ASN.1 parse: issuing 1,000 devices hashes 1,000). */
function pemBody(text: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  if (!match) throw new TypeError(`no PEM ${label} block found`);
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}

export function certificateCommonName(certPem: string): string | undefined {
  return new x509.X509Certificate(certPem).subjectName.getField('CN')[0];
}
