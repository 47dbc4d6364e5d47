/**
 * The named queries (DESIGN §3: Athena SQL defined once): the CDK stack creates an Athena named query
 * from each, the local `npm run query -- --named <name>` runs the same text in DuckDB, and the dashboard
 * reads them too. The SQL lives in ./queries/<name>.sql so that it can be read, diffed and pasted into
 * the Athena console as is; it is read once, synchronously, when this module loads (a few small files
 * shipped next to it).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CURATED_COLUMNS, CURATED_PARTITIONS } from '../lake/curated-schema.ts';

export interface NamedQuery {
  name: string;
  description: string;
  sql: string;
}

const here = dirname(fileURLToPath(import.meta.url));

export function readSqlFile(relativePath: string): string {
  return readFileSync(join(here, relativePath), 'utf8').trim();
}

const DESCRIPTIONS = {
  'latest-vitals-per-bed': 'Latest reading of every bed heard from in the last hour, with its NEWS2 score',
  'news2-escalations-by-ward-hour': 'NEWS2 escalations into the medium/high band, per ward and UTC hour',
  'device-gaps-and-duplicates': 'Per monitor: missing seq ranges (gaps) and readings stored twice (duplicates)',
  'ingest-latency-percentiles': 'Device-to-lake latency percentiles per UTC hour',
  'hourly-aggregates-per-patient': 'Hourly vital-sign averages, minima and maxima per pseudonymous patient',
} as const;

export type NamedQueryName = keyof typeof DESCRIPTIONS;

export const NAMED_QUERIES: ReadonlyArray<NamedQuery> = Object.freeze(
  (Object.keys(DESCRIPTIONS) as NamedQueryName[]).map((name) => Object.freeze({
    name,
    description: DESCRIPTIONS[name],
    sql: readSqlFile(`queries/${name}.sql`),
  })),
);

/** `a, b, c,` lines of at most ~100 characters: a column list a person can read in the console. */
function columnList(names: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    if (line !== '' && line.length + name.length > 100) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += `${name}, `;
  }
  lines.push(line.replace(/, $/, ''));
  return lines.join('\n  ');
}

/**
 * The `vitals` view (cross-batch dedup), as CREATE OR REPLACE VIEW; the same text on both engines. Its
 * column list is the curated table's (and so follows the measurement registry).
 */
export const VITALS_VIEW_SQL: string = readSqlFile('views/vitals.sql')
  .replace('{{curated_columns}}', columnList([...CURATED_COLUMNS, ...CURATED_PARTITIONS].map((column) => column.name)));

export function findNamedQuery(name: string): NamedQuery | undefined {
  return NAMED_QUERIES.find((query) => query.name === name);
}
