/** `npm run schema`: writes the contract's JSON Schema next to the contract, for docs and other tools. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { vitalsJsonSchema } from './vitals-v1.ts';

export const JSON_SCHEMA_PATH = fileURLToPath(new URL('./vitals-v1.schema.json', import.meta.url));

export function renderJsonSchema(): string {
  return `${JSON.stringify(vitalsJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
  console.log(`wrote ${JSON_SCHEMA_PATH}`);
}
