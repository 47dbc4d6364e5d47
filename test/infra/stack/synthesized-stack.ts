/**
 * Synthesizes the real app (cdk.json context, the real ETL bundle) once per test file into a temp dir.
 * Helpers resolve CloudFormation references by following them, never by hashed logical ids.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, cdkJsonContext } from '../../../cloud/stack/app.ts';
import type { DatalakeStack } from '../../../cloud/stack/datalake-stack.ts';

export interface SynthesizedStack {
  app: App;
  stack: DatalakeStack;
  template: Template;
  resources: Record<string, CfnResourceJson>;
  dispose(): void;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export async function synthesizeStack(context: Record<string, unknown> = {}): Promise<SynthesizedStack> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-infra-test-'));
  // cdk-nag runs in nag.test.ts, and `npm run synth` runs both it and CDK's built-in CloudFormation rules
  // (a WebAssembly engine, ~30 s on a busy CI machine); the template asserted here is the same without them.
  const { app, stack } = await buildApp({ context: { ...cdkJsonContext(), ...context }, outdir, nag: false, builtinValidation: false });
  const template = Template.fromStack(stack);
  const resources = (template.toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources;
  return { app, stack, template, resources, dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at. */
export function referencedId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}

export function ofType(resources: Record<string, CfnResourceJson>, type: string): Array<[string, CfnResourceJson]> {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/**
 * Renders a CloudFormation string expression with placeholders for tokens, e.g.
 * `{Fn::Join: ['', ['arn:', {Ref: 'AWS::Partition'}, ':iot:...']]}` -> `arn:<AWS::Partition>:iot:...`.
 */
export function renderString(value: unknown): string {
  if (typeof value === 'string') return value;
  const id = referencedId(value);
  if (id) return `<${id}>`;
  if (value && typeof value === 'object' && 'Fn::Join' in value) {
    const [sep, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map(renderString).join(sep);
  }
  return JSON.stringify(value);
}
