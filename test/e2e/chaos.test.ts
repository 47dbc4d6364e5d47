/**
 * The chaos run's short version (the bench runs 21 rounds: npm run bench -- chaos): the real npm start
 * killed with SIGKILL, then a fleet worker killed, each restarted with another --count and faced with a
 * second claimant of its things; the lake reconciled against every seq the monitors handed out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChaos } from '../bench/chaos-run.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'chaos-e2e-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start under kills, restarts with another --count and identity clashes', () => {
  it('loses nothing, duplicates nothing and never reuses a seq, and refuses the second claimant', async () => {
    const rounds = await runChaos({ dataDir, rounds: 2, counts: [12, 6, 16], intervalMs: 250, runMs: [2_500, 4_000], seed: 5 });
    expect(rounds.map((r) => r.action)).toEqual(['sigkill-stack', 'sigkill-worker']);
    for (const round of rounds) {
      expect(round).toMatchObject({ lost: 0, duplicatesInVitals: 0, seqReused: 0, claimantRefused: true });
    }
    expect(rounds.at(-1)!.readingsInVitals).toBeGreaterThan(200);
  }, 240_000);
});
