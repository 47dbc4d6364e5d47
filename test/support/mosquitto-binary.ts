/**
 * Debian's mosquitto for the interoperability suites. On a developer's machine without it those suites
 * skip, with the reason in their title and a warning; in CI (`CI=true`, which .ci/run sets) a missing
 * mosquitto fails instead, so a green CI always means they ran.
 */
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'];

export function mosquittoBinary(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = CANDIDATES): string | undefined {
  const found = candidates.find((path) => spawnSync(path, ['-h']).error === undefined);
  if (found !== undefined) return found;
  if (env.CI === 'true') throw new Error(`mosquitto is not installed (looked in ${candidates.join(', ')}); CI must run the interop suites: apt-get install mosquitto`);
  console.warn(`mosquitto is not installed: its interop suites are skipped (apt-get install mosquitto runs them)`);
  return undefined;
}
