/**
 * The chaos run behind `npm run bench -- chaos` and its short version in `npm test`: the real `npm start`
 * (cloud/local/cli/start.ts in its own process group, with its fleet's worker processes) is started,
 * interrupted as users and machines do (SIGKILL of the whole stack, SIGKILL of one fleet worker,
 * Ctrl-C to the process group), restarted with another --count, and faced with a second claimant of its
 * things, which must be refused. Each round ends with a clean Ctrl-C and a reconciliation of the lake
 * against every seq the monitors ever handed out:
 *
 *   lost                 a seq handed out (the outbox logs' S/M lines) that is neither in `vitals`, nor
 *                        still pending in an outbox, nor dropped by a full outbox (counted apart)
 *   duplicates_in_vitals rows of `vitals` beyond one per (device_id, seq)
 *   seq_reused           (device_id, seq) keys stored with two different readings (curated, or
 *                        quarantined as conflicting_duplicate)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { foldHistories, parseLog } from '../../device/outbox/index.ts';
import { openLake } from '../../cloud/query/lake.ts';

export type ChaosAction = 'sigkill-stack' | 'sigkill-worker' | 'ctrl-c';

export interface ChaosOptions {
  dataDir: string;
  rounds: number;
  /** Fleet sizes cycled through, one per start. */
  counts: readonly number[];
  intervalMs: number;
  /** How long a stack runs before the chaos action (uniform in [min, max]). */
  runMs: [number, number];
  seed: number;
  onProgress?: (line: string) => void;
}

export interface RoundResult {
  round: number;
  action: ChaosAction;
  counts: [number, number];
  claimantRefused: boolean;
  readingsInVitals: number;
  lost: number;
  duplicatesInVitals: number;
  seqReused: number;
  pendingInOutboxes: number;
  droppedByOutboxes: number;
  seconds: number;
}

const ROOT = new URL('../../', import.meta.url).pathname;
const ACTIONS: readonly ChaosAction[] = ['sigkill-stack', 'sigkill-worker', 'ctrl-c'];

/** mulberry32: the run's choices are reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunningStart {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function tsx(script: string, args: string[], detached: boolean): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--no-deprecation', join(ROOT, script), ...args], {
    cwd: ROOT, detached, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
}

async function startStack(dataDir: string, count: number, intervalMs: number): Promise<RunningStart> {
  const child = tsx('cloud/local/cli/start.ts', [
    '--data-dir', dataDir, '--count', String(count), '--interval', String(intervalMs), '--port', '0', '--dashboard-port', '0',
  ], true);
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!text.includes('local pipeline up')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${text}`);
    await sleep(100);
  }
  return { child, output: () => text, exited };
}

/** The fleet's worker processes: the children of the stack's process. */
function childPids(pid: number): number[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((candidate) => {
      try {
        const stat = readFileSync(`/proc/${candidate}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

async function stopGracefully(stack: RunningStart, timeoutMs = 60_000): Promise<void> {
  process.kill(-stack.child.pid!, 'SIGINT');
  const code = await Promise.race([stack.exited, sleep(timeoutMs).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    process.kill(-stack.child.pid!, 'SIGKILL');
    throw new Error(`npm start did not stop within ${timeoutMs} ms after Ctrl-C:\n${stack.output().slice(-2000)}`);
  }
  if (!stack.output().includes('data kept in')) throw new Error(`npm start stopped without its reconciliation:\n${stack.output().slice(-2000)}`);
}

/** A second fleet on the same things while the stack runs: must be refused at once, naming the owner. */
async function secondClaimant(dataDir: string): Promise<boolean> {
  const child = tsx('device/cli/fleet.ts', ['--count', '3', '--target', 'local', '--data-dir', dataDir, '--certs-dir', join(dataDir, 'certs'), '--duration', '5s'], false);
  let text = '';
  child.stderr!.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  child.stdout!.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return code === 2 && /already run by process \d+/.test(text);
}

interface OutboxTruth {
  lastSeq: Map<string, number>;
  pending: Map<string, Set<number>>;
  dropped: Map<string, Set<number>>;
}

function readOutboxes(dir: string): OutboxTruth {
  const logs = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.log')).map((name) => parseLog(readFileSync(join(dir, name), 'utf8')).records) : [];
  const histories = foldHistories(logs);
  const dropped = new Map<string, Set<number>>();
  for (const record of logs.flat()) {
    if (record.kind !== 'D') continue;
    if (!dropped.has(record.thing)) dropped.set(record.thing, new Set());
    dropped.get(record.thing)!.add(record.seq);
  }
  return {
    lastSeq: new Map([...histories].map(([thing, h]) => [thing, h.lastSeq])),
    pending: new Map([...histories].map(([thing, h]) => [thing, new Set(h.pending.keys())])),
    dropped,
  };
}

function conflictingQuarantined(lakeDir: string): number {
  const root = join(lakeDir, 'quarantine');
  if (!existsSync(root)) return 0;
  let count = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.jsonl.gz')) {
        for (const line of gunzipSync(readFileSync(path)).toString().split('\n')) {
          if (line.includes('conflicting_duplicate')) count++;
        }
      }
    }
  };
  walk(root);
  return count;
}

export async function reconcile(dataDir: string): Promise<Omit<RoundResult, 'round' | 'action' | 'counts' | 'claimantRefused' | 'seconds'>> {
  const truth = readOutboxes(join(dataDir, 'outbox', 'local'));
  const lake = await openLake(join(dataDir, 'lake'));
  try {
    const stored = await lake.query('SELECT device_id, seq FROM vitals');
    const inVitals = new Map<string, Set<number>>();
    for (const [device, seq] of stored.rows as [string, number | bigint][]) {
      if (!inVitals.has(device)) inVitals.set(device, new Set());
      inVitals.get(device)!.add(Number(seq));
    }
    const duplicates = stored.rows.length - [...inVitals.values()].reduce((n, set) => n + set.size, 0);
    const reusedCurated = await lake.query(`
      SELECT count(*) FROM (
        SELECT device_id, seq FROM curated_vitals GROUP BY device_id, seq
        HAVING count(DISTINCT measured_at) > 1 OR count(DISTINCT coalesce(heart_rate, -1)) > 1
      ) AS keys`);
    let lost = 0;
    let pendingTotal = 0;
    let droppedTotal = 0;
    for (const [thing, lastSeq] of truth.lastSeq) {
      const present = inVitals.get(thing) ?? new Set<number>();
      const pending = truth.pending.get(thing) ?? new Set<number>();
      const dropped = truth.dropped.get(thing) ?? new Set<number>();
      pendingTotal += pending.size;
      droppedTotal += dropped.size;
      for (let seq = 1; seq <= lastSeq; seq++) {
        if (!present.has(seq) && !pending.has(seq) && !dropped.has(seq)) lost++;
      }
    }
    return {
      readingsInVitals: stored.rows.length,
      lost,
      duplicatesInVitals: duplicates,
      seqReused: Number((reusedCurated.rows[0] as [number | bigint])[0]) + conflictingQuarantined(join(dataDir, 'lake')),
      pendingInOutboxes: pendingTotal,
      droppedByOutboxes: droppedTotal,
    };
  } finally {
    lake.close();
  }
}

export async function runChaos(options: ChaosOptions): Promise<RoundResult[]> {
  const random = rng(options.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const between = ([min, max]: [number, number]) => min + random() * (max - min);
  const results: RoundResult[] = [];
  let starts = 0;
  const nextCount = () => options.counts[starts++ % options.counts.length]!;
  for (let round = 1; round <= options.rounds; round++) {
    const began = Date.now();
    const action = ACTIONS[(round - 1) % ACTIONS.length] ?? pick(ACTIONS);
    const firstCount = nextCount();
    let stack = await startStack(options.dataDir, firstCount, options.intervalMs);
    const claimant = secondClaimant(options.dataDir);
    await sleep(between(options.runMs));
    const claimantRefused = await claimant;
    if (action === 'sigkill-stack') {
      process.kill(-stack.child.pid!, 'SIGKILL');
      await stack.exited;
    } else if (action === 'sigkill-worker') {
      const workers = childPids(stack.child.pid!);
      if (workers.length > 0) process.kill(pick(workers), 'SIGKILL');
      // The supervisor restarts it; let it run a little, then Ctrl-C.
      await sleep(3_000);
      await stopGracefully(stack);
    } else {
      await stopGracefully(stack);
    }
    const secondCount = nextCount();
    stack = await startStack(options.dataDir, secondCount, options.intervalMs);
    await sleep(between(options.runMs) / 2);
    await stopGracefully(stack);
    const figures = await reconcile(options.dataDir);
    const result: RoundResult = { round, action, counts: [firstCount, secondCount], claimantRefused, ...figures, seconds: (Date.now() - began) / 1000 };
    results.push(result);
    options.onProgress?.(`round ${round}/${options.rounds}: ${action}, --count ${firstCount} then ${secondCount}: `
      + `${figures.readingsInVitals} readings, lost ${figures.lost}, duplicates ${figures.duplicatesInVitals}, seq reused ${figures.seqReused}, `
      + `second claimant ${claimantRefused ? 'refused' : 'NOT refused'} (${result.seconds.toFixed(1)} s)`);
  }
  return results;
}
