/**
 * cdk-nag AwsSolutions and HIPAA Security over the real stack: no finding left unacknowledged, and every
 * acknowledgement carries a reason. A deliberately insecure stack proves the checks do report.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, cdkJsonContext } from '../../../cloud/stack/app.ts';
import type { DatalakeStack } from '../../../cloud/stack/datalake-stack.ts';
import { QuickSightDashboards } from '../../../cloud/stack/quicksight.ts';

let stack: DatalakeStack;
const outdir = mkdtempSync(join(tmpdir(), 'cdk-nag-test-'));

beforeAll(async () => {
  ({ stack } = await buildApp({ context: cdkJsonContext(), outdir }));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function findings(scope: IConstruct) {
  return [new AwsSolutionsChecks(), new HIPAASecurityChecks()].flatMap((pack) =>
    pack.validateScope(scope).violations.map((v) => ({
      rule: v.ruleName,
      at: v.violatingResources.map((r) => ('constructPath' in r ? String(r.constructPath) : '?')),
    })),
  );
}

function acknowledgements(scope: IConstruct): Array<{ id: string; reason: string; path: string }> {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason, path: c.node.path }))),
  );
}

describe('cdk-nag', () => {
  it('reports no unacknowledged AwsSolutions or HIPAA Security finding on the stack', () => {
    expect(findings(stack)).toEqual([]);
  });

  it('gives every acknowledgement a reason of at least a sentence', () => {
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(10);
    for (const ack of acks) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
  });

  it('acknowledges nothing at stack level (each finding on its own construct)', () => {
    expect(acknowledgements(stack).filter((a) => a.path === stack.node.path)).toEqual([]);
  });

  it.each([
    ['retainData=false', { retainData: 'false' }],
    ['the trial profile', { profile: 'trial' }],
    ['a Fargate fleet of 100,000 monitors', { fleet: '100000' }],
    ['a Fargate fleet on mqtt.js from a pushed image', { fleet: '6000', fleetTransport: 'mqtt', fleetImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/healthcare-fleet:v1' }],
    ['QuickSight, a prefix and reserved ETL concurrency', {
      quicksight: 'true', quicksightPrincipalArn: 'arn:aws:quicksight:eu-west-2:123456789012:user/default/analyst', prefix: 'ward7', etlReservedConcurrency: '5',
    }],
  ])('reports no unacknowledged finding with %s', async (_label, context) => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk-nag-variant-'));
    try {
      const { stack: variant } = await buildApp({ context: { ...cdkJsonContext(), ...context }, outdir: dir, nag: false, builtinValidation: false });
      expect(findings(variant)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports no finding on the opt-in QuickSight constructs', () => {
    const bare = new Stack(new App(), 'QuickSightOnly');
    new QuickSightDashboards(bare, 'QuickSight', {
      principalArn: 'arn:aws:quicksight:eu-west-1:123456789012:user/default/analyst',
      workGroupName: 'wg',
      databaseName: 'db',
      lakeKey: new kms.Key(bare, 'LakeKey', { enableKeyRotation: true }),
      serviceRoleName: 'aws-quicksight-service-role-v0',
    });
    expect(findings(bare)).toEqual([]);
  });

  it('reports findings on an insecure bucket (the checks are live)', () => {
    const bare = new Stack(new App(), 'Insecure');
    new s3.Bucket(bare, 'Plain', { enforceSSL: false, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY });
    const rules = findings(bare).map((f) => f.rule);
    expect(rules).toContain('AwsSolutions-S10');
    expect(rules).toContain('HIPAA.Security-S3BucketSSLRequestsOnly');
  });
});
