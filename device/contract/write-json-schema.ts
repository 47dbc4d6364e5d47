/** `npm run schema`: writes the contract's JSON Schema next to the contract, for docs and other tools. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { vitalsJsonSchema } from './vitals-v1.ts';
import { runIfEntryPoint } from '../cli/entry-point.ts';
import { parseFlags, UsageError } from '../cli/flags.ts';

export const JSON_SCHEMA_PATH = fileURLToPath(new URL('./vitals-v1.schema.json', import.meta.url));

const HELP = `Usage: npm run schema [-- --stdout]

Writes the JSON Schema of the vitals/1 wire contract (device/contract/vitals-v1.ts) to
device/contract/vitals-v1.schema.json, for docs and other tools. A test fails when the file is stale.

  --stdout      print the schema instead of writing the file
  -h, --help    this help`;

export function renderJsonSchema(): string {
  return `${JSON.stringify(vitalsJsonSchema(), null, 2)}\n`;
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({ args: argv, options: { stdout: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } }));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`schema: ${error.message}\nRun npm run schema -- --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.stdout) {
    process.stdout.write(renderJsonSchema());
    return 0;
  }
  writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
  console.log(`wrote ${JSON_SCHEMA_PATH}`);
  return 0;
}

runIfEntryPoint(import.meta.url, main);
