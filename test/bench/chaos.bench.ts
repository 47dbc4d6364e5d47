/**
 * `npm run bench -- chaos`: rounds of the real `npm start` killed (whole stack, one worker), stopped with
 * Ctrl-C, restarted with another --count, and faced with a second claimant of its things; each round
 * reconciles the lake against every seq ever handed out (test/bench/chaos-run.ts). Targets (DESIGN §9):
 * over at least 20 rounds, 0 lost, 0 duplicates, 0 seq reuse. `--quick` runs 3 rounds (one of each action).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChaos } from './chaos-run.ts';
import type { Benchmark, BenchReport } from './harness.ts';

export const benchmark: Benchmark = {
  name: 'chaos',
  description: 'kills, Ctrl-C, resizes and identity clashes of npm start: lost, duplicates, seq reuse',
  async run({ quick }): Promise<BenchReport> {
    const rounds = quick ? 3 : 21;
    const dataDir = mkdtempSync(join(tmpdir(), 'hrd-bench-chaos-'));
    const started = Date.now();
    try {
      const results = await runChaos({
        dataDir, rounds, counts: [20, 12, 30, 8, 25], intervalMs: 250, runMs: [3_000, 7_000], seed: 12,
        onProgress: (line) => process.stderr.write(`${line}\n`),
      });
      const last = results.at(-1)!;
      const sum = (pick: (r: (typeof results)[number]) => number) => results.reduce((n, r) => n + pick(r), 0);
      const maxOf = (pick: (r: (typeof results)[number]) => number) => Math.max(...results.map(pick));
      const refused = results.filter((r) => r.claimantRefused).length;
      return {
        name: 'chaos',
        columns: ['round', 'action', '--count', 'readings', 'lost', 'duplicates', 'seq reused', 'pending', 'claimant', 'seconds'],
        rows: results.map((r) => [r.round, r.action, `${r.counts[0]} -> ${r.counts[1]}`, r.readingsInVitals, r.lost, r.duplicatesInVitals,
          r.seqReused, r.pendingInOutboxes, r.claimantRefused ? 'refused' : 'NOT refused', Number(r.seconds.toFixed(1))]),
        figures: {
          rounds, readings: last.readingsInVitals, lost: maxOf((r) => r.lost), duplicates_in_vitals: maxOf((r) => r.duplicatesInVitals),
          seq_reused: maxOf((r) => r.seqReused), claimants_refused: refused, dropped_by_outboxes: last.droppedByOutboxes,
          actions: Object.fromEntries(['sigkill-stack', 'sigkill-worker', 'ctrl-c'].map((a) => [a, results.filter((r) => r.action === a).length])),
          seconds: Math.round((Date.now() - started) / 1000), mean_round_seconds: Number((sum((r) => r.seconds) / rounds).toFixed(1)),
        },
        targets: [
          { what: `lost over ${rounds} rounds`, target: '0', actual: String(maxOf((r) => r.lost)), met: results.every((r) => r.lost === 0) },
          { what: 'duplicates in vitals', target: '0', actual: String(maxOf((r) => r.duplicatesInVitals)), met: results.every((r) => r.duplicatesInVitals === 0) },
          { what: 'seq reused', target: '0', actual: String(maxOf((r) => r.seqReused)), met: results.every((r) => r.seqReused === 0) },
          { what: 'second claimant refused', target: `${rounds}/${rounds}`, actual: `${refused}/${rounds}`, met: refused === rounds },
          ...(quick ? [] : [{ what: 'rounds', target: '>= 20', actual: String(rounds), met: rounds >= 20 }]),
        ],
      };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
