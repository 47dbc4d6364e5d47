import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { AddThingToThingGroupCommand, AttachPolicyCommand, AttachThingPrincipalCommand, CreatePolicyCommand, CreateThingCommand } from '@aws-sdk/client-iot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bedsideMonitorPolicy } from '../../../../cloud/ingest/iot-policy.ts';
import { INGESTION_DEFAULTS, stackNames } from '../../../../cloud/stack/defaults.ts';
import { IotCallError, StackMissingError } from '../../../../certs/aws/errors.ts';
import { AMAZON_ROOT_CAS, awsOutPaths, thingPaths } from '../../../../certs/aws/layout.ts';
import { memoryManifestStore } from '../../../../certs/aws/manifest.ts';
import { provisionFleet, type ProvisionOptions } from '../../../../certs/aws/provision.ts';
import { DEFAULT_RATES_PER_SECOND } from '../../../../certs/aws/quotas.ts';
import { ACCOUNT, awsError, callNames, ENDPOINT, fakeClock, fakeIot, REGION } from './fake-iot.ts';

let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'aws-out-'));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

function run(iot: ReturnType<typeof fakeIot>, store: ReturnType<typeof memoryManifestStore>, overrides: Partial<ProvisionOptions> = {}) {
  // createShared: most tests start from an account without the stack; the refusal has its own test.
  return provisionFleet({ client: iot.client, count: 3, prefix: 'bedside', region: REGION, outDir, store, clock: fakeClock(), random: () => 0, concurrency: 1, createShared: true, ...overrides });
}

const PER_THING = ['CreateThing', 'CreateKeysAndCertificate', 'AttachPolicy', 'AttachThingPrincipal', 'AddThingToThingGroup'];

describe('provisionFleet (mocked IoT)', () => {
  it('creates shared resources, then each thing in the order AWS needs, and writes the fleet runner\'s files', async () => {
    const iot = fakeIot();
    const store = memoryManifestStore();
    const result = await run(iot, store, { count: 2 });

    expect(callNames(iot.mock)).toEqual([
      'DescribeThingType', 'CreateThingType', 'DescribeThingGroup', 'CreateThingGroup', 'GetPolicy', 'CreatePolicy', 'DescribeEndpoint',
      ...PER_THING, ...PER_THING,
    ]);
    expect(result).toEqual({ endpoint: ENDPOINT, things: ['bedside-0001', 'bedside-0002'], created: { things: 2, certificates: 2, shared: 3 } });
    expect(JSON.parse(readFileSync(awsOutPaths(outDir).endpoint, 'utf8'))).toEqual({ endpoint: ENDPOINT, port: 8883, region: REGION });
    expect(readFileSync(awsOutPaths(outDir).rootCa, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(readFileSync(thingPaths(outDir, 'bedside-0002').key, 'utf8')).toContain('key-2');
    expect(readFileSync(thingPaths(outDir, 'bedside-0002').cert, 'utf8')).toContain('cert-2');
  });

  it('refuses when the stack\'s thing type, group or policy is missing (stack not deployed in that region), and creates nothing', async () => {
    const iot = fakeIot();
    const store = memoryManifestStore();
    const failure = run(iot, store, { count: 1, createShared: false });
    await expect(failure).rejects.toBeInstanceOf(StackMissingError);
    await expect(failure).rejects.toThrow(/not deployed .*npm run deploy first/s);
    expect(callNames(iot.mock).filter((n) => n.startsWith('Create'))).toEqual([]);
  });

  it('uses the names of a prefixed stack copy, and refuses thing names its rule would not take', async () => {
    const iot = fakeIot({ sharedExist: true });
    const names = stackNames('ward7');
    await run(iot, memoryManifestStore(), { count: 1, names, prefix: 'ward7-bedside', createShared: false });
    expect(iot.mock.commandCalls(CreateThingCommand)[0]!.args[0].input).toMatchObject({ thingName: 'ward7-bedside-0001', thingTypeName: names.thingTypeName });
    expect(iot.mock.commandCalls(AddThingToThingGroupCommand)[0]!.args[0].input.thingGroupName).toBe(names.thingGroupName);
    expect(iot.mock.commandCalls(AttachPolicyCommand)[0]!.args[0].input.policyName).toBe(names.policyName);
    await expect(run(fakeIot({ sharedExist: true }), memoryManifestStore(), { names, prefix: 'bedside' })).rejects.toThrow(/ward7-/);
  });

  it('writes all four Amazon root CAs for the devices to trust', async () => {
    await run(fakeIot(), memoryManifestStore(), { count: 1 });
    const bundle = readFileSync(awsOutPaths(outDir).rootCa, 'utf8');
    const subjects = bundle.split(/(?<=-----END CERTIFICATE-----\n)/).filter(Boolean).map((pem) => new X509Certificate(pem).subject);
    expect(subjects.map((s) => /CN=(.*)/.exec(s)?.[1])).toEqual([...AMAZON_ROOT_CAS]);
  });

  it('creates the policy from the single source with the account\'s partition, region and account', async () => {
    const iot = fakeIot();
    await run(iot, memoryManifestStore(), { count: 1 });
    const [create] = iot.mock.commandCalls(CreatePolicyCommand);
    expect(JSON.parse(create!.args[0].input.policyDocument!)).toEqual(bedsideMonitorPolicy({ partition: 'aws', region: REGION, account: ACCOUNT }));
  });

  it('gives things their type and ward/bed attributes but never a patient id', async () => {
    const iot = fakeIot();
    await run(iot, memoryManifestStore(), { count: 1 });
    const [create] = iot.mock.commandCalls(CreateThingCommand);
    expect(create!.args[0].input).toEqual({
      thingName: 'bedside-0001',
      thingTypeName: INGESTION_DEFAULTS.thingTypeName,
      attributePayload: { attributes: { ward: 'icu', bed: 'icu-001', model: 'bsm-3000', firmware: '1.4.2' } },
    });
  });

  it('reuses the thing type, group and policy of the CDK stack and marks them as not its own', async () => {
    const iot = fakeIot({ sharedExist: true });
    const store = memoryManifestStore();
    await run(iot, store, { count: 1 });
    expect(callNames(iot.mock).filter((n) => /^Create(ThingType|ThingGroup|Policy)$/.test(n))).toEqual([]);
    expect([store.current!.thingType!.created, store.current!.thingGroup!.created, store.current!.policy!.created]).toEqual([false, false, false]);
  });

  it('creates nothing and calls nothing on a re-run of a complete provisioning', async () => {
    const iot = fakeIot();
    const store = memoryManifestStore();
    await run(iot, store);
    iot.mock.resetHistory();
    const again = await run(iot, store);
    expect(callNames(iot.mock)).toEqual([]);
    expect(again.created).toEqual({ things: 0, certificates: 0, shared: 0 });
  });

  it('adds only the new things when the count grows', async () => {
    const iot = fakeIot();
    const store = memoryManifestStore();
    await run(iot, store, { count: 2 });
    iot.mock.resetHistory();
    await run(iot, store, { count: 4 });
    expect(callNames(iot.mock)).toEqual([...PER_THING, ...PER_THING]);
    expect(iot.mock.commandCalls(CreateThingCommand).map((c) => c.args[0].input.thingName)).toEqual(['bedside-0003', 'bedside-0004']);
  });

  it('resumes after a failure halfway without creating a second certificate for the interrupted thing', async () => {
    const iot = fakeIot();
    const store = memoryManifestStore();
    iot.mock.on(AttachThingPrincipalCommand, { thingName: 'bedside-0002' }).rejects(awsError('InvalidRequestException'));
    await expect(run(iot, store)).rejects.toBeInstanceOf(IotCallError);
    expect(store.current!.things['bedside-0002']).toMatchObject({ policyAttached: true, filesWritten: true });
    expect(store.current!.things['bedside-0002']!.principalAttached).toBeUndefined();
    expect(store.current!.things['bedside-0003']).toBeUndefined();

    const healthy = fakeIot();
    const result = await run(healthy, store);
    expect(callNames(healthy.mock)).toEqual(['AttachThingPrincipal', 'AddThingToThingGroup', ...PER_THING]);
    expect(result.created).toEqual({ things: 1, certificates: 1, shared: 0 });
    expect(Object.values(store.current!.things).every((t) => t.inGroup && t.principalAttached && t.policyAttached)).toBe(true);
  });

  it('refuses to continue when a certificate\'s key is gone from disk', async () => {
    const iot = fakeIot();
    const store = memoryManifestStore();
    await run(iot, store, { count: 1 });
    rmSync(thingPaths(outDir, 'bedside-0001').dir, { recursive: true });
    const current = store.current!;
    delete current.things['bedside-0001']!.inGroup;
    await expect(run(iot, memoryManifestStore(current), { count: 1 })).rejects.toThrow(/key is gone.*deprovision/);
    expect(existsSync(thingPaths(outDir, 'bedside-0001').key)).toBe(false);
  });

  it('retries throttled calls with backoff and finishes', async () => {
    const iot = fakeIot();
    iot.mock
      .on(CreateThingCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .callsFake(({ thingName }) => ({ thingName, thingArn: `arn:aws:iot:${REGION}:${ACCOUNT}:thing/${thingName}` }));
    const clock = fakeClock();
    const result = await run(iot, memoryManifestStore(), { count: 1, clock });
    expect(result.created.things).toBe(1);
    expect(iot.mock.commandCalls(CreateThingCommand)).toHaveLength(3);
  });

  it('paces CreateThing under its rate: never more than the quota in any one-second window (fake clock)', async () => {
    const iot = fakeIot();
    const clock = fakeClock();
    const times: number[] = [];
    iot.mock.on(CreateThingCommand).callsFake(({ thingName }) => {
      times.push(clock.now());
      return { thingName, thingArn: `arn:aws:iot:${REGION}:${ACCOUNT}:thing/${thingName}` };
    });
    await run(iot, memoryManifestStore(), { count: 25, clock });
    const rate = DEFAULT_RATES_PER_SECOND.CreateThing!;
    for (let i = 0; i < times.length; i++) {
      expect(times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length).toBeLessThanOrEqual(rate);
    }
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((25 - 1) / rate) * 1000 - 1);
  });
});
