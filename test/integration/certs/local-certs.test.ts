import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../certs/cli.ts';
import {
  caPaths,
  crlPath,
  deviceCredentialPaths,
  ensureDevices,
  ensureLocalCa,
  ensureServerCertificate,
  issueCertificate,
  loadRegistry,
  loadRevocations,
  revokeDevice,
  UnknownThingError,
} from '../../../certs/local/index.ts';

let dir: string;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'certs-test-'));
  dirs.push(d);
  return d;
};

beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('local certificates on disk', () => {
  it('creates the CA once and returns the same one afterwards', async () => {
    const first = await ensureLocalCa(dir);
    const again = await ensureLocalCa(dir);
    expect(again.certPem).toBe(first.certPem);
    expect(first.certPath).toBe(caPaths(dir).certPath);
    expect(statSync(first.keyPath).mode & 0o777).toBe(0o600);
  });

  it('issues devices with registry entries, keys readable only by the owner', async () => {
    const records = await ensureDevices(dir, 3);
    expect(records.map((r) => r.thingName)).toEqual(['bedside-0001', 'bedside-0002', 'bedside-0003']);
    const paths = deviceCredentialPaths(dir, 'bedside-0002');
    const cert = new X509Certificate(readFileSync(paths.cert));
    expect(cert.subject).toBe('CN=bedside-0002');
    expect(cert.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(records[1]!.certificateFingerprint);
    expect(readFileSync(paths.ca, 'utf8')).toBe(readFileSync(caPaths(dir).certPath, 'utf8'));
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(loadRegistry(dir).get('bedside-0003')?.attributes).toMatchObject({ ward: 'respiratory', bed: 'respiratory-001' });
  });

  it('never re-issues an existing device, and grows the fleet when asked for more', async () => {
    const before = readFileSync(deviceCredentialPaths(dir, 'bedside-0001').cert, 'utf8');
    const progress = vi.fn();
    const records = await ensureDevices(dir, 5, progress);
    expect(records).toHaveLength(5);
    expect(readFileSync(deviceCredentialPaths(dir, 'bedside-0001').cert, 'utf8')).toBe(before);
    expect(progress).toHaveBeenNthCalledWith(1, 3, 5);
    expect(progress).toHaveBeenLastCalledWith(5, 5);
    expect((await ensureDevices(dir, 2)).map((r) => r.thingName)).toEqual(['bedside-0001', 'bedside-0002']);
    expect(loadRegistry(dir).size).toBe(5);
  });

  it('issues each device once when two callers race on the same directory', async () => {
    const raceDir = tempDir();
    const [a, b] = await Promise.all([ensureDevices(raceDir, 4), ensureDevices(raceDir, 4)]);
    expect(a.map((r) => r.certificateFingerprint)).toEqual(b.map((r) => r.certificateFingerprint));
    const onDisk = new X509Certificate(readFileSync(deviceCredentialPaths(raceDir, 'bedside-0004').cert));
    expect(onDisk.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(a[3]!.certificateFingerprint);
  });

  it('returns an empty registry for a directory without one', () => {
    expect(loadRegistry(join(dir, 'nothing-here')).size).toBe(0);
  });

  it('revokes a device in the registry, the revocation list and the CRL, once', async () => {
    const crlBefore = readFileSync(crlPath(dir), 'utf8');
    await revokeDevice(dir, 'bedside-0002');
    await revokeDevice(dir, 'bedside-0002');
    expect(loadRegistry(dir).get('bedside-0002')?.revoked).toBe(true);
    expect(loadRegistry(dir).get('bedside-0001')?.revoked).toBe(false);
    const revocations = loadRevocations(dir);
    expect(revocations).toHaveLength(1);
    const cert = new X509Certificate(readFileSync(deviceCredentialPaths(dir, 'bedside-0002').cert));
    expect(revocations[0]).toMatchObject({ thingName: 'bedside-0002', serialNumber: cert.serialNumber.toLowerCase() });
    expect(readFileSync(crlPath(dir), 'utf8')).not.toBe(crlBefore);
  });

  it('refuses to revoke an unknown thing and says how to list the known ones', async () => {
    await expect(revokeDevice(dir, 'bedside-9999')).rejects.toThrow(UnknownThingError);
    await expect(revokeDevice(dir, 'bedside-9999')).rejects.toThrow(/--list/);
  });

  it('keeps the server certificate until a new host name is asked for', async () => {
    const first = await ensureServerCertificate(dir);
    const pem = readFileSync(first.certPath, 'utf8');
    await ensureServerCertificate(dir, ['127.0.0.1']);
    expect(readFileSync(first.certPath, 'utf8')).toBe(pem);
    await ensureServerCertificate(dir, ['broker.ward.local']);
    const reissued = new X509Certificate(readFileSync(first.certPath));
    expect(reissued.checkHost('broker.ward.local')).toBe('broker.ward.local');
    expect(reissued.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });
});

describe('mutual TLS with the generated certificates (node:tls, 127.0.0.1)', () => {
  let server: tls.Server;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    const { certPath, keyPath } = await ensureServerCertificate(dir);
    server = tls.createServer(
      {
        cert: readFileSync(certPath),
        key: readFileSync(keyPath),
        ca: readFileSync(caPaths(dir).certPath),
        crl: readFileSync(crlPath(dir)),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        seen.push(socket.getPeerCertificate().subject.CN as string);
        socket.end('ok');
      },
    );
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function connect(cert: string | Buffer, key: string | Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', cert, key, ca: readFileSync(caPaths(dir).certPath) });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('timed out'));
      }, 5_000);
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => {
        clearTimeout(timer);
        socket.end();
        data === 'ok' ? resolve(data) : reject(new Error('closed without a greeting'));
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  it('accepts a device certificate and the server sees the thing name as CN', async () => {
    const p = deviceCredentialPaths(dir, 'bedside-0001');
    await expect(connect(readFileSync(p.cert), readFileSync(p.key))).resolves.toBe('ok');
    expect(seen).toContain('bedside-0001');
  });

  it('rejects a certificate from another CA', async () => {
    const stranger = await issueCertificate({ dir, commonName: 'bedside-0001', caDir: tempDir() });
    await expect(connect(stranger.certPem, stranger.keyPem)).rejects.toThrow();
  });

  it('rejects a revoked device through the CRL', async () => {
    const p = deviceCredentialPaths(dir, 'bedside-0002');
    await expect(connect(readFileSync(p.cert), readFileSync(p.key))).rejects.toThrow();
  });
});

describe('npm run certs (main)', () => {
  it('creates devices, lists them and exits 0', async () => {
    const cliDir = tempDir();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['--count', '2', '--dir', cliDir])).toBe(0);
      expect(await main(['--dir', cliDir, '--list'])).toBe(0);
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/--count 2: issued 2 new devices .* bedside-0001..bedside-0002 ready/);
      expect(printed).toMatch(/bedside-0002\tcardiology\tcardiology-001\tMRN0000002\t-\t[0-9a-f]{64}/);
    } finally {
      log.mockRestore();
    }
    expect(loadRegistry(cliDir).size).toBe(2);
  });

  it('exits 1 with a clear message for an unknown device to revoke, 2 for bad flags', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(['--dir', tempDir(), '--revoke', 'bedside-0404', '--quiet'])).toBe(1);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/no thing named "bedside-0404"/);
      expect(await main(['--count', 'many'])).toBe(2);
      expect(await main(['--frobnicate'])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });

  it('prints usage for --help', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['--help'])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/--revoke THING/);
    } finally {
      log.mockRestore();
    }
  });
});
