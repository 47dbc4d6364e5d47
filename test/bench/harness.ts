/**
 * The benchmark harness shared by every `npm run bench -- <name>`: a readable table, then one JSON line
 * of figures (DESIGN §9) that scripts can track. Figures carry the machine they ran on.
 */
import { cpus, totalmem } from 'node:os';

export interface BenchReport {
  /** Benchmark name, e.g. "vitals". */
  name: string;
  /** Column headers of the readable table. */
  columns: string[];
  rows: (string | number)[][];
  /** Machine-readable figures; the JSON line. */
  figures: Record<string, unknown>;
  /** Targets checked, printed under the table. */
  targets?: BenchTarget[];
}

export interface BenchTarget {
  what: string;
  target: string;
  actual: string;
  met: boolean;
  /**
   * The target is set for the full run's size (10,000 monitors, 2,000 msg/s...): a --quick run prints the
   * figure without a verdict instead of a MISS that reads like a regression.
   */
  fullRunOnly?: boolean;
}

export interface BenchOptions {
  quick: boolean;
  /** One line per step on stderr, so a long bench is never silent (the table and JSON stay on stdout). */
  progress?: (step: string) => void;
}

export interface Benchmark {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchReport>;
}

/** `bench fleet [12 s] measuring lite, 500 monitors` on stderr, timed from the bench's start. */
export function progressPrinter(name: string, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): (step: string) => void {
  const started = Date.now();
  return (step) => write(`bench ${name} [${Math.round((Date.now() - started) / 1000)} s] ${step}`);
}

export function machine(): Record<string, string | number> {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function formatTable(columns: string[], rows: (string | number)[][]): string {
  const cells = [columns, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => String(row[i] ?? '').length)));
  const line = (row: (string | number)[]) =>
    row.map((cell, i) => (typeof cell === 'number' || /^[\d.,]+/.test(String(cell)) ? String(cell).padStart(widths[i]!) : String(cell).padEnd(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 3 : 1 });
}

/** The table, the targets and the JSON line; a quick run gives no verdict on full-run targets. */
export function formatReport(report: BenchReport, { quick = false }: { quick?: boolean } = {}): string[] {
  const targets = report.targets ?? [];
  const checked = targets.filter((t) => !(quick && t.fullRunOnly));
  const unchecked = targets.length - checked.length;
  const lines = [`\n${report.name}${quick ? ' (--quick)' : ''}`, formatTable(report.columns, report.rows)];
  if (unchecked > 0) lines.push(`--quick: ${unchecked} target${unchecked === 1 ? ' is' : 's are'} set for the full run's size and not checked here (--): run without --quick for a verdict.`);
  for (const target of targets) {
    const verdict = quick && target.fullRunOnly ? '--  ' : target.met ? 'met ' : 'MISS';
    const where = quick && target.fullRunOnly ? 'full-run target' : 'target';
    lines.push(`${verdict}  ${target.what}: ${target.actual} (${where} ${target.target})`);
  }
  lines.push(JSON.stringify({
    bench: report.name, machine: machine(), ...report.figures, quick,
    targets_met: checked.every((t) => t.met),
    ...(unchecked > 0 ? { targets_not_checked_quick: unchecked } : {}),
  }));
  return lines;
}

export function printReport(report: BenchReport, options: { quick?: boolean } = {}): void {
  for (const line of formatReport(report, options)) console.log(line);
}

/** Percentile of an unsorted sample (nearest-rank). */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Runs fn repeatedly for at least `ms` and returns operations per second (ops counted by fn's return). */
export function measureRate(fn: () => number, ms: number): { opsPerSecond: number; ops: number; seconds: number } {
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  do {
    ops += fn();
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  const seconds = Number(elapsed) / 1e9;
  return { opsPerSecond: ops / seconds, ops, seconds };
}
