/**
 * `npm run bench -- <name> [--quick]`: runs one benchmark (or all, in order) and prints its table and
 * JSON line. Benchmarks live next to this file as `<name>.bench.ts` and export `benchmark`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printReport, progressPrinter, type Benchmark } from './harness.ts';
import { runIfEntryPoint } from '../../device/cli/entry-point.ts';
import { parseFlags, UsageError } from '../../device/cli/flags.ts';

const here = dirname(fileURLToPath(import.meta.url));

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags({
      args: argv, allowPositionals: true,
      options: { quick: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}\nRun npm run bench -- --help for the options.`);
    return 2;
  }
  const { values, positionals } = parsed;
  const available = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', '')).sort();
  if (values.help) {
    console.log(`Usage: npm run bench -- [name ...] [--quick]\n\nBenchmarks: ${available.join(', ')}\nWith no name, runs them all. --quick runs a shorter, smaller version (for smoke checks): targets set for the full run's size are shown\nwithout a verdict (--), the others are checked. Progress goes to stderr.\nEach prints a table, then one JSON line of figures.`);
    return 0;
  }
  const unknown = positionals.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark: ${unknown.join(', ')}. Available: ${available.join(', ')}`);
    return 2;
  }
  for (const name of positionals.length > 0 ? positionals : available) {
    const module = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as { benchmark: Benchmark };
    const progress = progressPrinter(name);
    progress(`${values.quick ? 'quick run' : 'full run'}: ${module.benchmark.description}`);
    printReport(await module.benchmark.run({ quick: values.quick, progress }), { quick: values.quick });
  }
  return 0;
}

runIfEntryPoint(import.meta.url, main);
