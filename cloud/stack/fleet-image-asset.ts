/**
 * The fleet's container image. Default: the repository's Dockerfile (cloud/fleet-image/Dockerfile) as a
 * CDK image asset, only built when the fleet is on. `cdk synth` stages the build context (what
 * .dockerignore lets through) without running Docker; `cdk deploy` builds it for linux/arm64 and pushes it
 * to the bootstrap ECR repository, so deploying needs Docker (with buildx for arm64 on an x86 machine).
 * Without Docker: push an image built elsewhere and pass `-c fleetImage=<ecr uri>`.
 */
import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FLEET_DOCKERFILE = 'cloud/fleet-image/Dockerfile';

export function fleetImage(scope: Construct, imageUri: string | undefined): ecs.ContainerImage {
  if (imageUri === undefined) return ecs.ContainerImage.fromAsset(REPOSITORY_ROOT, { file: FLEET_DOCKERFILE, platform: Platform.LINUX_ARM64 });
  const [repositoryPart, digest] = imageUri.split('@');
  const slash = repositoryPart!.indexOf('/');
  const colon = repositoryPart!.lastIndexOf(':');
  const name = colon > slash ? repositoryPart!.slice(slash + 1, colon) : repositoryPart!.slice(slash + 1);
  const tag = digest ?? (colon > slash ? repositoryPart!.slice(colon + 1) : 'latest');
  // fromEcrRepository grants the execution role pull on that repository only (not ecr:* on every repository).
  const repository = ecr.Repository.fromRepositoryAttributes(scope, 'FleetImageRepository', {
    repositoryName: name,
    repositoryArn: `arn:${Stack.of(scope).partition}:ecr:${repositoryPart!.split('.')[3]}:${repositoryPart!.slice(0, 12)}:repository/${name}`,
  });
  return ecs.ContainerImage.fromEcrRepository(repository, tag);
}
