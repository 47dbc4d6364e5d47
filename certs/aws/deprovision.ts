/**
 * Removes exactly what the provisioning manifest lists, in the order AWS requires: out of the group,
 * detach principal and policy, certificate INACTIVE then deleted, thing deleted; then the shared
 * resources provisioning itself created (never the CDK stack's). Each step is saved, so an interrupted
 * run resumes; a resource already gone counts as removed.
 */
import {
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  DeleteThingTypeCommand,
  DeprecateThingTypeCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  type IoTClient,
  RemoveThingFromThingGroupCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { DeleteThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { rmSync } from 'node:fs';
import { ManifestError } from './errors.ts';
import { type CallerOptions, iotCaller, isNotFound } from './iot-calls.ts';
import { awsOutPaths, removeThingCredentials } from './layout.ts';
import type { ManifestStore } from './manifest.ts';
import { systemClock } from './pacing.ts';

/** AWS lets a thing type be deleted only after it has been deprecated for five minutes. */
export const THING_TYPE_DEPRECATION_MS = 5 * 60 * 1000;

export interface DeprovisionOptions extends CallerOptions {
  client: Pick<IoTClient, 'send'>;
  outDir: string;
  store: ManifestStore;
  /**
   * The Device Shadow service at the manifest's data endpoint: each thing's classic shadow is deleted with
   * it (a deleted thing's shadow stays otherwise, and a new thing of the same name would inherit it).
   */
  shadows?: (endpoint: string) => Pick<IoTDataPlaneClient, 'send'>;
  concurrency?: number;
  onProgress?: (done: number, total: number, thing: string) => void;
}

export interface DeprovisionResult {
  thingsRemoved: number;
  /** Set when the thing type still waits out its deprecation: run deprovision again after this time. */
  thingTypeDeletableAt?: string;
  complete: boolean;
}

export async function deprovisionFleet(options: DeprovisionOptions): Promise<DeprovisionResult> {
  const { client, outDir, store } = options;
  const clock = options.clock ?? systemClock;
  const manifest = store.load();
  if (!manifest) throw new ManifestError(`no manifest in ${outDir}: nothing was provisioned there (or use --out)`);
  const call = iotCaller(options);
  const save = () => store.save(manifest);
  /** Runs a removal; "not found" means someone removed it already, which is what we want. */
  const remove = async (api: string, send: () => Promise<unknown>, alsoRetry: readonly string[] = []) => {
    try {
      await call(api, send, alsoRetry);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  };
  const policyName = manifest.policy?.name;
  const groupName = manifest.thingGroup?.name;
  const shadows = manifest.endpoint && options.shadows ? options.shadows(manifest.endpoint) : undefined;

  const names = Object.keys(manifest.things).sort();
  let done = 0;
  const removeOne = async (name: string) => {
    const entry = manifest.things[name]!;
    if (entry.inGroup && groupName) {
      await remove('RemoveThingFromThingGroup', () => client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: groupName, thingName: name })));
      entry.inGroup = false;
      save();
    }
    if (entry.principalAttached && entry.certificateArn) {
      await remove('DetachThingPrincipal', () => client.send(new DetachThingPrincipalCommand({ thingName: name, principal: entry.certificateArn })));
      entry.principalAttached = false;
      save();
    }
    if (entry.policyAttached && entry.certificateArn && policyName) {
      await remove('DetachPolicy', () => client.send(new DetachPolicyCommand({ policyName, target: entry.certificateArn })));
      entry.policyAttached = false;
      save();
    }
    if (entry.certificateId) {
      const certificateId = entry.certificateId;
      await remove('UpdateCertificate', () => client.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })));
      // Detaching is eventually consistent: a delete right after may see the attachment still there.
      await remove('DeleteCertificate', () => client.send(new DeleteCertificateCommand({ certificateId })), ['DeleteConflictException']);
      delete entry.certificateArn;
      delete entry.certificateId;
      save();
    }
    if (entry.thingArn && shadows) {
      await remove('DeleteThingShadow', () => shadows.send(new DeleteThingShadowCommand({ thingName: name })));
    }
    if (entry.thingArn) {
      await remove('DeleteThing', () => client.send(new DeleteThingCommand({ thingName: name })), ['InvalidRequestException']);
      delete entry.thingArn;
    }
    removeThingCredentials(outDir, name);
    delete manifest.things[name];
    save();
    done += 1;
    options.onProgress?.(done, names.length, name);
  };

  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < names.length) {
      const name = names[next++]!;
      try {
        await removeOne(name);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency ?? 4), Math.max(1, names.length)) }, worker));
  if (failure !== undefined) throw failure;

  if (manifest.thingGroup?.created) {
    const name = manifest.thingGroup.name;
    await remove('DeleteThingGroup', () => client.send(new DeleteThingGroupCommand({ thingGroupName: name })));
  }
  delete manifest.thingGroup;
  save();
  if (manifest.policy?.created) {
    const name = manifest.policy.name;
    await remove('DeletePolicy', () => client.send(new DeletePolicyCommand({ policyName: name })), ['DeleteConflictException']);
  }
  delete manifest.policy;
  save();

  let thingTypeDeletableAt: string | undefined;
  if (manifest.thingType?.created) {
    const thingType = manifest.thingType;
    if (!thingType.deprecatedAt) {
      await remove('DeprecateThingType', () => client.send(new DeprecateThingTypeCommand({ thingTypeName: thingType.name })));
      thingType.deprecatedAt = new Date(clock.now()).toISOString();
      save();
    }
    const deletableAt = Date.parse(thingType.deprecatedAt) + THING_TYPE_DEPRECATION_MS;
    if (clock.now() >= deletableAt) {
      await remove('DeleteThingType', () => client.send(new DeleteThingTypeCommand({ thingTypeName: thingType.name })));
      delete manifest.thingType;
      save();
    } else {
      thingTypeDeletableAt = new Date(deletableAt).toISOString();
    }
  } else {
    delete manifest.thingType;
    save();
  }

  const complete = thingTypeDeletableAt === undefined;
  if (complete) {
    const paths = awsOutPaths(outDir);
    for (const file of [paths.endpoint, paths.rootCa, paths.legacyRootCa, paths.manifest]) rmSync(file, { force: true });
  }
  return { thingsRemoved: done, ...(thingTypeDeletableAt ? { thingTypeDeletableAt } : {}), complete };
}
