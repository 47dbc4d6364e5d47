/**
 * Local device identity (DESIGN §2, §6): a local CA, one certificate per monitor, a thing registry with
 * attributes, a broker certificate and revocation. The broker, the fleet runner and the dashboard use
 * this API; `npm run certs` is its command line.
 */
export { DEFAULT_CERTS_DIR, caPaths, crlPath, deviceCredentialPaths, registryPath, revocationsPath, serverPaths } from './layout.ts';
export type { DeviceCredentialPaths } from './layout.ts';
export { LOCAL_WARDS, indexOfThingName, thingAttributesFor, thingNameFor } from './fleet-attributes.ts';
export type { ThingAttributes } from './fleet-attributes.ts';
export { loadRegistry, loadRevocations } from './registry.ts';
export type { RevocationRecord, ThingRecord } from './registry.ts';
export { ensureLocalCa, ensureServerCertificate } from './authority.ts';
export { ensureDevices, issueCertificate, revokeDevice } from './devices.ts';
export { certificateCommonName, certificateFingerprint, certificateSerial } from './x509.ts';
export { CertsError, CorruptCertsDirError, RegistryLockTimeoutError, UnknownThingError } from './errors.ts';
