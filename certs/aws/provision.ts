/**
 * Provisions a fleet of bedside monitors in AWS IoT: thing type, thing group and policy (reused when the
 * CDK stack made them, created from the single sources otherwise), then per thing: the thing with its
 * attributes, keys and certificate, policy and principal attachments, group membership. Every step is
 * recorded in the manifest before the next, so a re-run resumes and creates nothing twice.
 */
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DescribeEndpointCommand,
  DescribeThingGroupCommand,
  DescribeThingTypeCommand,
  GetPolicyCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { bedsideMonitorPolicy } from '../../cloud/ingest/iot-policy.ts';
import { stackNames, type StackNames } from '../../cloud/stack/defaults.ts';
import { thingAttributesFor } from '../local/index.ts';
import { ManifestError, ProvisioningError, StackMissingError } from './errors.ts';
import { type CallerOptions, iotCaller, isNotFound, type IotCaller } from './iot-calls.ts';
import { hasThingCredentials, writeEndpointFiles, writeThingCredentials } from './layout.ts';
import { emptyManifest, type Manifest, type ManifestStore, type SharedResource } from './manifest.ts';

export interface ProvisionOptions extends CallerOptions {
  client: Pick<IoTClient, 'send'>;
  count: number;
  prefix: string;
  region: string;
  outDir: string;
  store: ManifestStore;
  /** Names of the stack copy whose policy, thing type and group the things use (`-c prefix=`); default unprefixed. */
  names?: StackNames;
  /**
   * Create the policy, thing type and group when the stack has not (provisioning without `npm run deploy`,
   * e.g. to try devices against IoT Core alone). Off by default: a missing one means the stack is not
   * deployed in this region, and the devices' messages would go nowhere.
   */
  createShared?: boolean;
  /** Things provisioned at once (the pacer still caps every API's rate). */
  concurrency?: number;
  onProgress?: (done: number, total: number, thing: string) => void;
}

export interface ProvisionResult {
  endpoint: string;
  things: string[];
  /** Calls that created something in this run (0 on a complete re-run). */
  created: { things: number; certificates: number; shared: number };
}

export function thingName(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(4, '0')}`;
}

/** Registry attributes: ward, bed, model, firmware. The patient id stays out of the IoT registry (PHI). */
export function registryAttributes(index: number): Record<string, string> {
  const { ward, bed, model, firmware } = thingAttributesFor(index);
  return { ward, bed, model, firmware };
}

/** partition, region and account from an IoT ARN (arn:aws:iot:eu-west-2:123456789012:thingtype/x). */
export function arnScope(arn: string): { partition: string; region: string; account: string } {
  const [, partition, , region, account] = arn.split(':');
  if (!partition || !region || !account) throw new ProvisioningError(`unexpected ARN from AWS IoT: ${arn}`);
  return { partition, region, account };
}

export async function provisionFleet(options: ProvisionOptions): Promise<ProvisionResult> {
  const { client, count, prefix, region, outDir, store } = options;
  if (!Number.isInteger(count) || count < 1) throw new ProvisioningError(`count must be a positive integer, got ${count}`);
  const call = iotCaller(options);
  const manifest = store.load() ?? emptyManifest(region, prefix);
  if (manifest.region !== region || manifest.prefix !== prefix) {
    throw new ManifestError(
      `the manifest in ${outDir} is for region ${manifest.region} and prefix ${manifest.prefix}: use those, or another --out`,
    );
  }
  const save = () => store.save(manifest);
  const created = { things: 0, certificates: 0, shared: 0 };
  const stack = options.names ?? stackNames();
  if (stack.thingNamePrefix && !prefix.startsWith(stack.thingNamePrefix)) {
    throw new ProvisioningError(
      `the stack ${stack.stackName} takes only things named ${stack.thingNamePrefix}...: use --prefix ${stack.thingNamePrefix}bedside (or another prefix starting so)`,
    );
  }
  const d = { thingTypeName: stack.thingTypeName, thingGroupName: stack.thingGroupName, policyName: stack.policyName };
  const ensure = (name: string, spec: SharedSpec) => ensureShared(call, name, created, spec, options.createShared === true, stack.stackName, region);

  manifest.thingType ??= await ensure(d.thingTypeName, {
    describe: async () => (await client.send(new DescribeThingTypeCommand({ thingTypeName: d.thingTypeName }))).thingTypeArn,
    create: async () =>
      (await client.send(new CreateThingTypeCommand({
        thingTypeName: d.thingTypeName,
        thingTypeProperties: { thingTypeDescription: 'Simulated hospital bedside vitals monitor', searchableAttributes: ['ward', 'bed', 'model'] },
      }))).thingTypeArn,
    api: 'ThingType',
  });
  save();
  manifest.thingGroup ??= await ensure(d.thingGroupName, {
    describe: async () => (await client.send(new DescribeThingGroupCommand({ thingGroupName: d.thingGroupName }))).thingGroupArn,
    create: async () =>
      (await client.send(new CreateThingGroupCommand({
        thingGroupName: d.thingGroupName,
        thingGroupProperties: { thingGroupDescription: 'All bedside monitors of the data lake fleet' },
      }))).thingGroupArn,
    api: 'ThingGroup',
  });
  save();
  const scope = arnScope(manifest.thingType.arn ?? manifest.thingGroup.arn ?? '');
  manifest.policy ??= await ensure(d.policyName, {
    describe: async () => (await client.send(new GetPolicyCommand({ policyName: d.policyName }))).policyArn,
    create: async () =>
      (await client.send(new CreatePolicyCommand({ policyName: d.policyName, policyDocument: JSON.stringify(bedsideMonitorPolicy(scope)) }))).policyArn,
    api: 'Policy',
    describeApi: 'GetPolicy',
  });
  save();

  if (!manifest.endpoint) {
    const response = await call('DescribeEndpoint', () => client.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })));
    if (!response.endpointAddress) throw new ProvisioningError('DescribeEndpoint returned no address for iot:Data-ATS');
    manifest.endpoint = response.endpointAddress;
    save();
  }
  writeEndpointFiles(outDir, manifest.endpoint, region);

  const names = Array.from({ length: count }, (_, i) => thingName(prefix, i + 1));
  let done = 0;
  const provisionOne = async (index: number) => {
    const name = names[index - 1]!;
    const entry = (manifest.things[name] ??= {});
    if (!entry.thingArn) {
      const response = await call('CreateThing', () =>
        client.send(new CreateThingCommand({ thingName: name, thingTypeName: d.thingTypeName, attributePayload: { attributes: registryAttributes(index) } })),
      );
      entry.thingArn = response.thingArn;
      created.things += 1;
      save();
    }
    if (!entry.certificateArn) {
      const response = await call('CreateKeysAndCertificate', () => client.send(new CreateKeysAndCertificateCommand({ setAsActive: true })));
      if (!response.certificateArn || !response.certificatePem || !response.keyPair?.PrivateKey) {
        throw new ProvisioningError(`CreateKeysAndCertificate for ${name} returned no certificate or key`);
      }
      // The private key exists only in this response: on disk before the manifest says the step is done.
      writeThingCredentials(outDir, name, response.certificatePem, response.keyPair.PrivateKey);
      Object.assign(entry, { certificateArn: response.certificateArn, certificateId: response.certificateId, filesWritten: true });
      created.certificates += 1;
      save();
    } else if (!hasThingCredentials(outDir, name)) {
      throw new ProvisioningError(
        `${name} has certificate ${entry.certificateId} in AWS but its key is gone from ${outDir}: run npm run deprovision, then provision again`,
      );
    }
    if (!entry.policyAttached) {
      await call('AttachPolicy', () => client.send(new AttachPolicyCommand({ policyName: d.policyName, target: entry.certificateArn })));
      entry.policyAttached = true;
      save();
    }
    if (!entry.principalAttached) {
      await call('AttachThingPrincipal', () => client.send(new AttachThingPrincipalCommand({ thingName: name, principal: entry.certificateArn })));
      entry.principalAttached = true;
      save();
    }
    if (!entry.inGroup) {
      await call('AddThingToThingGroup', () => client.send(new AddThingToThingGroupCommand({ thingGroupName: d.thingGroupName, thingName: name })));
      entry.inGroup = true;
      save();
    }
    done += 1;
    options.onProgress?.(done, count, name);
  };

  await runPool(count, Math.max(1, options.concurrency ?? 4), provisionOne);
  return { endpoint: manifest.endpoint, things: names, created };
}

interface SharedSpec {
  describe: () => Promise<string | undefined>;
  create: () => Promise<string | undefined>;
  api: 'ThingType' | 'ThingGroup' | 'Policy';
  describeApi?: string;
}

/**
 * Reuses a resource that exists (the CDK stack's). A missing one means the stack is not deployed in this
 * region: refused, unless asked to create it (then the manifest says so, and deprovision deletes it).
 */
async function ensureShared(
  call: IotCaller, name: string, created: ProvisionResult['created'], spec: SharedSpec,
  createShared: boolean, stackName: string, region: string,
): Promise<SharedResource> {
  try {
    const arn = await call(spec.describeApi ?? `Describe${spec.api}`, spec.describe);
    return { name, ...(arn ? { arn } : {}), created: false };
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (!createShared) {
      throw new StackMissingError(
        `${spec.api} "${name}" does not exist in ${region}: the stack ${stackName} is not deployed there. ` +
          `Run npm run deploy first (or check --region / --stack-prefix); --without-stack creates the IoT resources without the pipeline`,
        { cause: error },
      );
    }
  }
  const arn = await call(`Create${spec.api}`, spec.create);
  created.shared += 1;
  return { name, ...(arn ? { arn } : {}), created: true };
}

/** Runs work(1..count) with at most `concurrency` in flight; the first failure stops new work and is thrown. */
async function runPool(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 1;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next <= count) {
      const index = next++;
      try {
        await work(index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure !== undefined) throw failure;
}

export type { Manifest };
