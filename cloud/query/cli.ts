/**
 * `npm run query`: runs Athena SQL over the local lake with DuckDB (DESIGN §6).
 *
 *   npm run query -- --list
 *   npm run query -- --named latest-vitals-per-bed [--format table|csv|json] [--lake data/lake]
 *   npm run query -- "SELECT ward, count(*) FROM vitals GROUP BY ward"
 *
 * Exit codes: 0 ok, 1 unexpected error, 2 bad usage or unknown named query, 3 empty lake, 4 SQL error.
 */
import { NAMED_QUERIES, findNamedQuery } from '../sql/named-queries.ts';
import { LakeEmptyError, SqlError, UnknownNamedQueryError } from './errors.ts';
import { formatResult, OUTPUT_FORMATS, type OutputFormat } from './format.ts';
import { openLake } from './lake.ts';
import { runIfEntryPoint } from '../../device/cli/entry-point.ts';
import { parseFlags } from '../../device/cli/flags.ts';

export const EXIT = { ok: 0, error: 1, usage: 2, emptyLake: 3, sql: 4 } as const;

const USAGE = `Usage: npm run query -- [options] ["<SQL>"]

Runs Athena SQL over the local lake's curated Parquet with DuckDB. Tables: curated_vitals (as written,
duplicates included) and vitals (one row per device_id, seq). The named queries are the ones deployed
to Athena.

Options:
  --named <name>     run a named query (see --list)
  --list             list the named queries
  --show             print the SQL of --named instead of running it
  --lake <dir>       lake directory (default: data/lake)
  --format <f>       table (default), csv or json
  -h, --help         this help

Examples:
  npm run query -- --named news2-escalations-by-ward-hour
  npm run query -- --format csv "SELECT device_id, max(seq) AS last_seq FROM vitals GROUP BY 1"

Exit codes: 0 ok, 1 unexpected error, 2 bad usage or unknown name, 3 lake empty, 4 SQL rejected.`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const consoleIo: CliIo = { out: (text) => console.log(text), err: (text) => console.error(text) };

export async function main(argv: string[], io: CliIo = consoleIo): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags({
      args: argv,
      allowPositionals: true,
      options: {
        named: { type: 'string' },
        list: { type: 'boolean', default: false },
        show: { type: 'boolean', default: false },
        lake: { type: 'string', default: 'data/lake' },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`query: ${error instanceof Error ? error.message : String(error)}\nRun npm run query -- --help for the options.`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  // Every flag is checked before anything runs: --list with a bad --format is a mistake, not a list.
  const format = values.format as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) {
    io.err(`query: --format must be one of ${OUTPUT_FORMATS.join(', ')}; got "${values.format}"`);
    return EXIT.usage;
  }
  if (values.list) {
    if (values.named !== undefined || positionals.length > 0) {
      io.err('query: --list takes no query: give --list alone, or --named <name> or SQL without --list.');
      return EXIT.usage;
    }
    const width = Math.max(...NAMED_QUERIES.map((query) => query.name.length));
    io.out(NAMED_QUERIES.map((query) => `${query.name.padEnd(width)}  ${query.description}`).join('\n'));
    return EXIT.ok;
  }
  if ((values.named === undefined) === (positionals.length === 0)) {
    io.err(`give either --named <name> or one SQL statement in quotes.\n\n${USAGE}`);
    return EXIT.usage;
  }
  let sql: string;
  if (values.named !== undefined) {
    const query = findNamedQuery(values.named);
    if (query === undefined) {
      io.err(new UnknownNamedQueryError(values.named, NAMED_QUERIES.map((q) => q.name)).message);
      return EXIT.usage;
    }
    if (values.show) {
      io.out(query.sql);
      return EXIT.ok;
    }
    sql = query.sql;
  } else {
    sql = positionals.join(' ');
  }

  let lake;
  try {
    lake = await openLake(values.lake);
  } catch (error) {
    if (error instanceof LakeEmptyError) {
      io.err(error.message);
      return EXIT.emptyLake;
    }
    throw error;
  }
  try {
    io.out(formatResult(await lake.query(sql), format));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof SqlError) {
      io.err(error.message);
      return EXIT.sql;
    }
    throw error;
  } finally {
    lake.close();
  }
}

runIfEntryPoint(import.meta.url, main);
