import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteCertificateCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  DeleteThingTypeCommand,
  DeprecateThingTypeCommand,
  DetachThingPrincipalCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { DeleteThingShadowCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deprovisionFleet, THING_TYPE_DEPRECATION_MS } from '../../../../certs/aws/deprovision.ts';
import { awsOutPaths, thingPaths } from '../../../../certs/aws/layout.ts';
import { memoryManifestStore } from '../../../../certs/aws/manifest.ts';
import { provisionFleet } from '../../../../certs/aws/provision.ts';
import { awsError, callNames, ENDPOINT, fakeClock, fakeIot, notFound, REGION } from './fake-iot.ts';

let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'aws-out-'));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

async function provisioned(count: number, sharedExist: boolean) {
  const iot = fakeIot({ sharedExist });
  const store = memoryManifestStore();
  await provisionFleet({ client: iot.client, count, prefix: 'bedside', region: REGION, outDir, store, clock: fakeClock(), concurrency: 1, createShared: !sharedExist });
  iot.mock.resetHistory();
  return { iot, store };
}

const PER_THING = ['RemoveThingFromThingGroup', 'DetachThingPrincipal', 'DetachPolicy', 'UpdateCertificate', 'DeleteCertificate', 'DeleteThing'];

describe('deprovisionFleet (mocked IoT)', () => {
  it('removes each thing in the order AWS requires and leaves the stack\'s shared resources alone', async () => {
    const { iot, store } = await provisioned(2, true);
    const result = await deprovisionFleet({ client: iot.client, outDir, store, clock: fakeClock(), concurrency: 1 });

    expect(callNames(iot.mock)).toEqual([...PER_THING, ...PER_THING]);
    expect(iot.mock.commandCalls(UpdateCertificateCommand)[0]!.args[0].input.newStatus).toBe('INACTIVE');
    expect(result).toEqual({ thingsRemoved: 2, complete: true });
    expect(existsSync(thingPaths(outDir, 'bedside-0001').dir)).toBe(false);
    expect(existsSync(awsOutPaths(outDir).endpoint)).toBe(false);
    expect(store.current!.things).toEqual({});
  });

  it('deletes each thing\'s shadow at the manifest\'s data endpoint before the thing, a missing shadow included (mocked IoT data plane)', async () => {
    const { iot, store } = await provisioned(2, true);
    const shadows = mockClient(IoTDataPlaneClient);
    shadows.on(DeleteThingShadowCommand, { thingName: 'bedside-0001' }).resolves({});
    shadows.on(DeleteThingShadowCommand, { thingName: 'bedside-0002' }).rejects(notFound('shadow'));
    const endpoints: string[] = [];
    const client = new IoTDataPlaneClient({ region: REGION });
    const result = await deprovisionFleet({
      client: iot.client, outDir, store, clock: fakeClock(), concurrency: 1,
      shadows: (endpoint) => (endpoints.push(endpoint), client),
    });
    expect(endpoints).toEqual([ENDPOINT]);
    expect(shadows.commandCalls(DeleteThingShadowCommand).map((c) => c.args[0].input.thingName)).toEqual(['bedside-0001', 'bedside-0002']);
    expect(result.thingsRemoved).toBe(2);
    shadows.restore();
  });

  it('touches nothing the manifest does not list', async () => {
    const { iot, store } = await provisioned(2, true);
    const manifest = store.current!;
    delete manifest.things['bedside-0002'];
    await deprovisionFleet({ client: iot.client, outDir, store: memoryManifestStore(manifest), clock: fakeClock(), concurrency: 1 });
    const named = iot.mock.calls().map((c) => JSON.stringify((c.args[0] as { input: unknown }).input));
    expect(named.some((input) => input.includes('bedside-0002') || input.includes('c2'.padStart(64, 'c')))).toBe(false);
  });

  it('deletes the shared resources it created, the thing type only after its five-minute deprecation', async () => {
    const { iot, store } = await provisioned(1, false);
    const clock = fakeClock();
    const first = await deprovisionFleet({ client: iot.client, outDir, store, clock, concurrency: 1 });
    expect(callNames(iot.mock).slice(PER_THING.length)).toEqual(['DeleteThingGroup', 'DeletePolicy', 'DeprecateThingType']);
    expect(first.complete).toBe(false);
    expect(Date.parse(first.thingTypeDeletableAt!)).toBe(clock.now() + THING_TYPE_DEPRECATION_MS);
    expect(existsSync(awsOutPaths(outDir).endpoint)).toBe(true);

    iot.mock.resetHistory();
    clock.t += THING_TYPE_DEPRECATION_MS;
    const second = await deprovisionFleet({ client: iot.client, outDir, store, clock, concurrency: 1 });
    expect(callNames(iot.mock)).toEqual(['DeleteThingType']);
    expect(second.complete).toBe(true);
    expect(iot.mock.commandCalls(DeprecateThingTypeCommand)).toHaveLength(0);
    expect(iot.mock.commandCalls(DeleteThingGroupCommand)).toHaveLength(0);
    expect(iot.mock.commandCalls(DeleteThingTypeCommand)).toHaveLength(1);
  });

  it('counts a resource already gone as removed', async () => {
    const { iot, store } = await provisioned(1, true);
    iot.mock.on(DetachThingPrincipalCommand).rejects(notFound('principal'));
    iot.mock.on(DeleteThingCommand).rejects(notFound('thing'));
    const result = await deprovisionFleet({ client: iot.client, outDir, store, clock: fakeClock(), concurrency: 1 });
    expect(result.complete).toBe(true);
  });

  it('retries a certificate delete that races the detach, and resumes after a hard failure', async () => {
    const { iot, store } = await provisioned(2, true);
    iot.mock.on(DeleteCertificateCommand).rejectsOnce(awsError('DeleteConflictException')).resolves({});
    iot.mock.on(DeleteThingCommand, { thingName: 'bedside-0002' }).rejects(awsError('UnauthorizedException'));
    await expect(deprovisionFleet({ client: iot.client, outDir, store, clock: fakeClock(), concurrency: 1 })).rejects.toThrow(/DeleteThing failed/);
    expect(Object.keys(store.current!.things)).toEqual(['bedside-0002']);
    expect(store.current!.things['bedside-0002']!.certificateId).toBeUndefined();

    const healthy = fakeIot({ sharedExist: true });
    await deprovisionFleet({ client: healthy.client, outDir, store, clock: fakeClock(), concurrency: 1 });
    expect(callNames(healthy.mock)).toEqual(['DeleteThing']);
    expect(store.current!.things).toEqual({});
  });
});
