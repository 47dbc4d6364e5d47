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
  targets?: { what: string; target: string; actual: string; met: boolean }[];
}

export interface Benchmark {
  name: string;
  description: string;
  run(options: { quick: boolean }): Promise<BenchReport>;
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

export function printReport(report: BenchReport): void {
  console.log(`\n${report.name}`);
  console.log(formatTable(report.columns, report.rows));
  for (const target of report.targets ?? []) {
    console.log(`${target.met ? 'met ' : 'MISS'}  ${target.what}: ${target.actual} (target ${target.target})`);
  }
  console.log(JSON.stringify({ bench: report.name, machine: machine(), ...report.figures, targets_met: (report.targets ?? []).every((t) => t.met) }));
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
