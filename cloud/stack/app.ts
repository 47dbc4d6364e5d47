/**
 * The CDK app (`cdk.json`: `npx tsx cloud/stack/app.ts`). Builds the stack from context, runs the
 * cdk-nag AwsSolutions and HIPAA Security packs on it (an unacknowledged finding fails synthesis).
 */
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { readStackConfig, StackConfigError } from './config.ts';
import { DatalakeStack } from './datalake-stack.ts';
import { EtlBundleError } from './etl-bundle.ts';
import { sqlSources } from './sql-sources.ts';

/** The context of cdk.json: the CDK CLI passes it to the app; tests and scripts load it with this. */
export function cdkJsonContext(): Record<string, unknown> {
  const file = fileURLToPath(new URL('../../cdk.json', import.meta.url));
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

export interface BuildAppOptions {
  readonly context?: Record<string, unknown>;
  readonly outdir?: string;
  readonly etlEntry?: string;
  /** Register the cdk-nag packs as synthesis validations (default true; assertion tests that run nag separately turn it off). */
  readonly nag?: boolean;
  /** CDK's built-in CloudFormation rule validation at synthesis (default true; slow, so the assertion tests skip it). */
  readonly builtinValidation?: boolean;
}

export async function buildApp(options: BuildAppOptions = {}): Promise<{ app: App; stack: DatalakeStack }> {
  const app = new App({
    ...(options.context ? { context: options.context } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.builtinValidation === false ? { builtinCloudFormationValidation: false } : {}),
  });
  const config = readStackConfig((key) => app.node.tryGetContext(key));
  const sql = sqlSources();
  const stack = new DatalakeStack(app, config.names.stackName, {
    config,
    description: 'Healthcare realtime datalake: IoT Core -> Kinesis -> Lambda ETL -> S3 lake -> Glue/Athena',
    curatedTableInput: sql.curatedTableInput,
    rollupTableInput: sql.rollupTableInput,
    namedQueries: sql.namedQueries,
    ...(options.etlEntry ? { etlEntry: options.etlEntry } : {}),
  });
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  return { app, stack };
}

export async function main(): Promise<number> {
  try {
    const { app } = await buildApp();
    app.synth();
    return 0;
  } catch (error) {
    // Our own errors say what to fix; anything else (CDK, nag) keeps its full report.
    if (error instanceof StackConfigError || error instanceof EtlBundleError) {
      console.error(`${error.name}: ${error.message}${error.cause ? `\n  cause: ${String(error.cause)}` : ''}`);
      return 1;
    }
    throw error;
  }
}

// `cdk synth` runs this file as a program; tests import buildApp instead.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
