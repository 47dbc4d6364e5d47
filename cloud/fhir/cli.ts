/**
 * `npm run export`: the lake's `vitals` as FHIR R4 Bulk Data NDJSON (cloud/fhir/README.md).
 *
 *   npm run export -- --fhir --from 2026-12-05T08:00:00Z --to 2026-12-05T09:00:00Z [--ward W] [--lake data/lake] --out data/fhir
 *
 * Exit codes: 0 ok, 1 unexpected error, 2 bad usage, 3 empty lake or no readings in the window, 4 SQL error.
 */
import { runIfEntryPoint } from '../../device/cli/entry-point.ts';
import { parseFlags } from '../../device/cli/flags.ts';
import { LakeEmptyError, SqlError } from '../query/errors.ts';
import { openLake } from '../query/lake.ts';
import { NoReadingsError } from './errors.ts';
import { describeWindow, exportFhir, type ExportProgress, type ExportSummary } from './export.ts';
import { RESOURCE_TYPES } from './types.ts';
import type { ExportWindow } from './vitals-row.ts';

export const EXIT = { ok: 0, error: 1, usage: 2, empty: 3, sql: 4 } as const;

const USAGE = `Usage: npm run export -- --fhir --from <time> --to <time> [options] --out <dir>

Writes the readings of the lake's vitals view measured in [--from, --to) as FHIR R4 Bulk Data NDJSON:
<dir>/Patient.ndjson, Device.ndjson and Observation.ndjson (files replaced; resource ids are derived from
the reading, so a re-export gives the same ids). Patients are identified by pseudonym only.

Options:
  --fhir             the format (FHIR R4 NDJSON; the only one so far)
  --from <time>      start, inclusive: ISO-8601 with a zone, e.g. 2026-12-05T08:00:00Z
  --to <time>        end, exclusive
  --ward <ward>      only this ward
  --lake <dir>       lake directory (default: data/lake)
  --out <dir>        output directory (created if missing)
  -h, --help         this help

Exit codes: 0 ok, 1 unexpected error, 2 bad usage, 3 lake empty or no readings in the window, 4 SQL rejected.`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const consoleIo: CliIo = { out: (text) => console.log(text), err: (text) => console.error(text) };

/** A date-time with a zone (Z or ±hh:mm); a bare date or local time would depend on the machine. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseTime(flag: string, text: string | undefined): number | string {
  if (text === undefined) return `--${flag} is required (ISO-8601 with a zone, e.g. 2026-12-05T08:00:00Z)`;
  const ms = ISO_WITH_ZONE.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? `--${flag} must be an ISO-8601 time with a zone, e.g. 2026-12-05T08:00:00Z; got "${text}"` : ms;
}

function summaryText(summary: ExportSummary): string {
  const lines = RESOURCE_TYPES.map((type) => `  ${type.padEnd(12)} ${String(summary.resources[type]).padStart(9)}  ${summary.files[type]}`);
  return [`export: ${summary.readings} readings as FHIR R4 NDJSON`, ...lines].join('\n');
}

function progressLine(io: CliIo): (progress: ExportProgress) => void {
  let lastPercent = -1;
  return ({ readingsDone, readingsTotal }) => {
    const percent = Math.floor((100 * readingsDone) / readingsTotal);
    if (percent === lastPercent) return;
    lastPercent = percent;
    io.err(`export: ${readingsDone}/${readingsTotal} readings (${percent} %)`);
  };
}

export async function main(argv: string[], io: CliIo = consoleIo): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({
      args: argv,
      options: {
        fhir: { type: 'boolean', default: false },
        from: { type: 'string' },
        to: { type: 'string' },
        ward: { type: 'string' },
        lake: { type: 'string', default: 'data/lake' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    io.err(`export: ${error instanceof Error ? error.message : String(error)}\nRun npm run export -- --help for the options.`);
    return EXIT.usage;
  }
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  const fromMs = parseTime('from', values.from);
  const toMs = parseTime('to', values.to);
  const problems = [
    ...(values.fhir ? [] : ['give --fhir (FHIR R4 NDJSON is the only export format so far)']),
    ...(typeof fromMs === 'string' ? [fromMs] : []),
    ...(typeof toMs === 'string' ? [toMs] : []),
    ...(typeof fromMs === 'number' && typeof toMs === 'number' && toMs <= fromMs ? [`--to (${values.to}) must be after --from (${values.from})`] : []),
    ...(values.out === undefined || values.out === '' ? ['--out <dir> is required'] : []),
    ...(values.ward === '' ? ['--ward must not be empty'] : []),
  ];
  if (problems.length > 0) {
    io.err(`export: ${problems.join('; ')}\nRun npm run export -- --help for the options.`);
    return EXIT.usage;
  }
  const window: ExportWindow = { fromMs: fromMs as number, toMs: toMs as number, ...(values.ward === undefined ? {} : { ward: values.ward }) };

  let lake;
  try {
    lake = await openLake(values.lake);
  } catch (error) {
    if (error instanceof LakeEmptyError) {
      io.err(`export: ${error.message}`);
      return EXIT.empty;
    }
    throw error;
  }
  try {
    io.err(`export: FHIR R4 NDJSON of ${describeWindow(window)} from ${lake.lakeDir} to ${values.out}`);
    const summary = await exportFhir({ lake, window, outDir: values.out!, onProgress: progressLine(io) });
    io.out(summaryText(summary));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof NoReadingsError) {
      io.err(`export: ${error.message}`);
      return EXIT.empty;
    }
    if (error instanceof SqlError) {
      io.err(`export: ${error.message}`);
      return EXIT.sql;
    }
    throw error;
  } finally {
    lake.close();
  }
}

runIfEntryPoint(import.meta.url, main);
