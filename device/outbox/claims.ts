/**
 * One owner per thing identity on this machine (DESIGN §6). Whatever runs a thing (npm start's fleet,
 * `npm run fleet`, `npm run monitor`) claims it in the outbox directory first; a second claimant is
 * refused at once with the owner's pid and command. Two owners would take each other's MQTT session
 * over and, worse, hand out the same seq for different readings.
 *
 * A claim is a JSON file `claims/<pid>-<n>.json`. Processes of one fleet share a group (a token the runner makes):
 * the runner claims the whole slice before it forks, each worker claims its share, so the things stay
 * claimed while a worker outlives a killed runner for a moment. A claim whose process has died is stale
 * and removed by the next claimant; one whose group leader died is an orphan worker about to exit, and a
 * claimant waits a few seconds for it.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sleepSync, withDirLock } from './dir-lock.ts';
import { OutboxError } from './outbox.ts';
import { processIsAlive, processStartTicks } from './process-identity.ts';

export interface ClaimOwner {
  pid: number;
  /** Start time of the process (Linux clock ticks), so that a reused pid is not taken for the owner. */
  startTicks?: number;
  /** The group's token: claims of one fleet (runner and workers) may overlap. */
  group: string;
  /** Pid of the process that leads the group (a fleet's runner; the process itself otherwise). */
  groupPid: number;
  command: string;
  startedAt: string;
}

interface ClaimFile extends ClaimOwner {
  things: string[];
}

export class ThingsClaimedError extends OutboxError {
  /** The owner's last thing (in name order, numbers compared as numbers): another range starts after it. */
  readonly ownerLast: string;

  constructor(readonly owner: ClaimOwner, readonly overlap: readonly string[], readonly orphan: boolean, ownerThings: readonly string[] = overlap) {
    const range = overlap.length === 1 ? overlap[0] : `${overlap[0]} ... ${overlap[overlap.length - 1]} (${overlap.length} things)`;
    super(orphan
      ? `${range} still run in process ${owner.pid}, a fleet worker whose runner is gone: it should exit by itself; if it does not, kill ${owner.pid}`
      : `${range} ${overlap.length === 1 ? 'is' : 'are'} already run by process ${owner.pid} (${owner.command}, since ${owner.startedAt}). `
        + 'A thing runs in one process at a time on this machine, so that its seq never repeats');
    this.ownerLast = [...ownerThings].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1) ?? overlap[overlap.length - 1]!;
  }
}

export interface ClaimOptions {
  /** The group to claim for (newClaimGroup() of the runner); default: a group of this claim alone. */
  group?: ClaimGroup;
  /** What the refusal shows another claimant; default: this process's command line. */
  command?: string;
  /** How long to wait for an orphan worker of a dead fleet to exit. */
  waitForOrphansMs?: number;
}

export interface ThingClaim {
  readonly path: string;
  readonly group: ClaimGroup;
  release(): void;
}

export interface ClaimGroup {
  token: string;
  pid: number;
}

const CLAIMS = 'claims';
let claimsMade = 0;

/** A new group led by this process (a fleet runner passes it on to its workers). */
export function newClaimGroup(): ClaimGroup {
  return { token: `${process.pid}-${randomBytes(6).toString('hex')}`, pid: process.pid };
}

export function commandLine(): string {
  const script = process.argv[1] ?? '';
  const npm = process.env.npm_lifecycle_event;
  return npm ? `npm ${npm === 'start' ? 'start' : `run ${npm}`}` : [script, ...process.argv.slice(2)].join(' ').trim();
}

function readClaims(dir: string): { path: string; claim: ClaimFile }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const claims: { path: string; claim: ClaimFile }[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      claims.push({ path, claim: JSON.parse(readFileSync(path, 'utf8')) as ClaimFile });
    } catch {
      // A claim file is written whole under the lock; an unreadable one is debris of a crash.
      rmSync(path, { force: true });
    }
  }
  return claims;
}

/** Claims `things` for this process in `outboxDir`, or throws ThingsClaimedError naming the owner. */
export function claimThings(outboxDir: string, things: readonly string[], options: ClaimOptions = {}): ThingClaim {
  const dir = join(outboxDir, CLAIMS);
  const wanted = new Set(things);
  const group = options.group ?? newClaimGroup();
  const deadline = Date.now() + (options.waitForOrphansMs ?? 5_000);
  const path = join(dir, `${process.pid}-${++claimsMade}.json`);
  for (;;) {
    const refusal = withDirLock(outboxDir, () => {
      for (const { path: other, claim } of readClaims(dir)) {
        if (other === path) continue;
        if (!processIsAlive(claim.pid, claim.startTicks)) {
          rmSync(other, { force: true });
          continue;
        }
        if (claim.group === group.token) continue;
        const overlap = claim.things.filter((thing) => wanted.has(thing));
        if (overlap.length > 0) return new ThingsClaimedError(claim, overlap, !processIsAlive(claim.groupPid), claim.things);
      }
      const own: ClaimFile = {
        pid: process.pid, startTicks: processStartTicks(process.pid), group: group.token, groupPid: group.pid,
        command: options.command ?? commandLine(), startedAt: new Date().toISOString(), things: [...wanted],
      };
      // Written and read under the lock only; a file torn by a crash is unreadable JSON and removed above.
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, JSON.stringify(own));
      return undefined;
    });
    if (!refusal) break;
    if (!refusal.orphan || Date.now() > deadline) throw refusal;
    sleepSync(100);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, group, release };
}
