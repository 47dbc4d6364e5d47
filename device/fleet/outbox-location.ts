/**
 * Where the outboxes of a target's things live: one directory per identity namespace, not per target
 * string. `local` and `mqtts://127.0.0.1:8883` reach the same things (the local CA's certificates), so
 * npm start's fleet, `npm run fleet -- --target local` and `npm run monitor` share one directory, and with
 * it each thing's seq and its single-owner claim.
 */
import { join } from 'node:path';
import type { ResolvedTarget } from './targets.ts';

export interface OutboxLocation {
  dir: string;
  /** Directories of the layout before namespaces (one per target string) whose logs are adopted. */
  adoptFrom: string[];
}

const safeName = (text: string) => text.replace(/[^a-zA-Z0-9.-]+/g, '_');

export function identityNamespace(target: Pick<ResolvedTarget, 'label' | 'tls' | 'credentialsDir'>): string {
  if (target.label === 'aws') return 'aws';
  // mTLS with local certificates: the local CA's things, whichever host or port they dial.
  if (target.tls && target.credentialsDir !== undefined) return 'local';
  return safeName(target.label);
}

export function outboxLocation(dataDir: string, target: Pick<ResolvedTarget, 'label' | 'tls' | 'credentialsDir'>): OutboxLocation {
  const root = join(dataDir, 'outbox');
  const dir = join(root, identityNamespace(target));
  const before = join(root, safeName(target.label));
  return { dir, adoptFrom: before === dir ? [] : [before] };
}
