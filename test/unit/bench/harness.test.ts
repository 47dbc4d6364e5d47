import { describe, expect, it } from 'vitest';
import { formatReport, progressPrinter, type BenchReport } from '../../bench/harness.ts';

const report: BenchReport = {
  name: 'pipeline',
  columns: ['offered msg/s', 'lake msg/s'],
  rows: [[500, 555]],
  figures: { sustained_msg_per_s: 555 },
  targets: [
    { what: 'sustained into the lake', target: '>= 2,000 msg/s', actual: '555 msg/s (offered 500)', met: false, fullRunOnly: true },
    { what: 'lost', target: '0', actual: '0', met: true },
  ],
};

describe('bench report', () => {
  it('a quick run shows full-run targets without a verdict, and checks the others', () => {
    const lines = formatReport(report, { quick: true });
    expect(lines).toContain('--    sustained into the lake: 555 msg/s (offered 500) (full-run target >= 2,000 msg/s)');
    expect(lines).toContain('met   lost: 0 (target 0)');
    expect(lines.join('\n')).not.toMatch(/MISS/);
    expect(lines.join('\n')).toMatch(/1 target is set for the full run's size and not checked here/);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ bench: 'pipeline', quick: true, targets_met: true, targets_not_checked_quick: 1 });
  });

  it('a full run checks every target', () => {
    const lines = formatReport(report);
    expect(lines).toContain('MISS  sustained into the lake: 555 msg/s (offered 500) (target >= 2,000 msg/s)');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ quick: false, targets_met: false });
  });

  it('a quick run still reports a checked target it misses', () => {
    const lines = formatReport({ ...report, targets: [{ what: 'lost', target: '0', actual: '3', met: false }] }, { quick: true });
    expect(lines).toContain('MISS  lost: 3 (target 0)');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ targets_met: false });
  });

  it('prints progress lines timed from the start of the bench', () => {
    const lines: string[] = [];
    const progress = progressPrinter('fleet', (line) => lines.push(line));
    progress('baseline floor, 500 monitors');
    expect(lines).toEqual(['bench fleet [0 s] baseline floor, 500 monitors']);
  });
});
