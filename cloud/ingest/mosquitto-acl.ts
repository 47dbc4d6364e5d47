/**
 * THE IoT policy (cloud/ingest/iot-policy.ts) translated for Eclipse mosquitto, so the same certificates
 * and isolation tests run against a broker we did not write (issue 3). Pure: strings in, strings out.
 *
 * Translation:
 * - `${iot:Connection.Thing.ThingName}` becomes `%u`: with `use_identity_as_username true` the username is
 *   the certificate CN, i.e. the thing the certificate belongs to, which is what the policy variable means.
 *   `${iot:ClientId}` becomes `%c`. Mosquitto cannot check client id = CN at CONNECT (IoT Core's
 *   iot:Connect statement); with `%u` a client that lies about its id still gets only its own topics.
 * - iot:Publish on topic/X becomes `pattern write X`; iot:Receive on topic/X plus iot:Subscribe on
 *   topicfilter/X become `pattern read X` (mosquitto's read covers both, so the two must agree).
 * - A trailing `/*` becomes `/#` (which, unlike the policy, also matches the parent level: a thing may
 *   receive on its own shadow request topics; kept so that devices can subscribe to `cmd/bedside/<me>/#`); a `*` that is a whole middle level becomes `+`, which is narrower than the
 *   policy (safe side). Anything mosquitto cannot express faithfully (Deny statements, conditions on
 *   publish/subscribe, `*` inside a level, `?`, literal `+`/`#`, other variables) throws
 *   UnsupportedPolicyError rather than producing an ACL that grants more than the policy.
 */
import { LOCAL_POLICY_SCOPE, type PolicyDocument, type PolicyScope } from './iot-policy.ts';
import { assertSupportedPolicy, UnsupportedPolicyError } from './policy-evaluator.ts';

export type MosquittoAccess = 'read' | 'write';

export interface MosquittoAclEntry {
  access: MosquittoAccess;
  /** Topic pattern with `%u` (certificate CN) / `%c` (client id) and MQTT wildcards. */
  pattern: string;
}

const THING_NAME = '${iot:Connection.Thing.ThingName}';
const CLIENT_ID = '${iot:ClientId}';

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** The ACL entries equivalent to the policy's publish/subscribe/receive grants, sorted and unique. */
export function mosquittoAclEntries(doc: PolicyDocument, scope: PolicyScope = LOCAL_POLICY_SCOPE): MosquittoAclEntry[] {
  assertSupportedPolicy(doc);
  const prefix = `arn:${scope.partition}:iot:${scope.region}:${scope.account}:`;
  const write = new Set<string>();
  const receive = new Set<string>();
  const subscribe = new Set<string>();
  for (const [i, statement] of doc.Statement.entries()) {
    const actions = asList(statement.Action).map((a) => a.toLowerCase());
    const where = `statement ${i + 1}`;
    if (actions.some((a) => a.includes('*'))) throw new UnsupportedPolicyError(`${where}: wildcard actions cannot be mapped to mosquitto ACL access types`);
    const messaging = actions.filter((a) => a !== 'iot:connect');
    if (messaging.length === 0) continue; // iot:Connect is enforced by require_certificate, not by the ACL
    if (statement.Effect === 'Deny') throw new UnsupportedPolicyError(`${where}: Deny statements are not translated to mosquitto (its deny lines have different precedence)`);
    if (statement.Condition !== undefined) throw new UnsupportedPolicyError(`${where}: conditions on ${messaging.join(', ')} cannot be expressed in a mosquitto ACL`);
    for (const resource of asList(statement.Resource)) {
      if (!resource.startsWith(prefix)) throw new UnsupportedPolicyError(`${where}: resource ${resource} is not in scope ${prefix}*`);
      const [kind, ...rest] = resource.slice(prefix.length).split('/');
      const pattern = toMosquittoPattern(rest.join('/'), where);
      for (const action of messaging) {
        if (action === 'iot:publish' && kind === 'topic') write.add(pattern);
        else if (action === 'iot:receive' && kind === 'topic') receive.add(pattern);
        else if (action === 'iot:subscribe' && kind === 'topicfilter') subscribe.add(pattern);
        else throw new UnsupportedPolicyError(`${where}: ${action} on a "${kind}" resource has no mosquitto equivalent`);
      }
    }
  }
  const onlyOne = [...receive].filter((p) => !subscribe.has(p)).concat([...subscribe].filter((p) => !receive.has(p)));
  if (onlyOne.length > 0) {
    throw new UnsupportedPolicyError(`mosquitto's "read" grants subscribe and receive together, but the policy grants only one of them on: ${onlyOne.join(', ')}`);
  }
  const entries: MosquittoAclEntry[] = [
    ...[...write].sort().map((pattern) => ({ access: 'write' as const, pattern })),
    ...[...receive].sort().map((pattern) => ({ access: 'read' as const, pattern })),
  ];
  return entries;
}

function toMosquittoPattern(policyTopic: string, where: string): string {
  const substituted = policyTopic.split(THING_NAME).join('%u').split(CLIENT_ID).join('%c');
  if (/\$\{/.test(substituted)) throw new UnsupportedPolicyError(`${where}: policy variable in "${policyTopic}" has no mosquitto equivalent (only ThingName -> %u, ClientId -> %c)`);
  if (/[+#?]/.test(substituted)) throw new UnsupportedPolicyError(`${where}: "${policyTopic}" uses ?, or + / # as literal characters, which mosquitto would read as wildcards`);
  const levels = substituted.split('/');
  return levels
    .map((level, i) => {
      if (!level.includes('*')) return level;
      if (level !== '*') throw new UnsupportedPolicyError(`${where}: "*" inside the level "${level}" of "${policyTopic}" cannot be expressed in MQTT`);
      return i === levels.length - 1 ? '#' : '+';
    })
    .join('/');
}

/** The ACL file: pattern lines apply to every client, with %u/%c substituted per connection. */
export function renderMosquittoAcl(doc: PolicyDocument, scope: PolicyScope = LOCAL_POLICY_SCOPE): string {
  const lines = [
    '# Generated from the bedside monitor IoT policy by cloud/ingest/mosquitto-acl.ts: do not edit.',
    '# %u = certificate CN = thing name (use_identity_as_username), %c = MQTT client id.',
    ...mosquittoAclEntries(doc, scope).map((e) => `pattern ${e.access} ${e.pattern}`),
  ];
  return `${lines.join('\n')}\n`;
}

export interface MosquittoListenerOptions {
  port: number;
  host?: string;
  cafile: string;
  certfile: string;
  keyfile: string;
  aclFile: string;
  /** The CA's CRL (certs/local crlPath); given when devices may be revoked. */
  crlFile?: string;
}

/** A mosquitto.conf snippet for one mutual-TLS listener that enforces the ACL. */
export function renderMosquittoConf(o: MosquittoListenerOptions): string {
  const lines = [
    '# Generated by cloud/ingest/mosquitto-acl.ts',
    'per_listener_settings false',
    'allow_anonymous false',
    `acl_file ${o.aclFile}`,
    `listener ${o.port} ${o.host ?? '127.0.0.1'}`,
    `cafile ${o.cafile}`,
    `certfile ${o.certfile}`,
    `keyfile ${o.keyfile}`,
    'require_certificate true',
    'use_identity_as_username true',
    'tls_version tlsv1.2',
  ];
  if (o.crlFile !== undefined) lines.push(`crlfile ${o.crlFile}`);
  return `${lines.join('\n')}\n`;
}

export type MosquittoCheck = 'write' | 'read' | 'subscribe';

/**
 * What these entries let a client do on mosquitto 2 (a model, used to test the translation): %u/%c
 * substituted (identities containing + # / get nothing), then MQTT topic matching for read/write. For
 * 'subscribe' it answers "can this filter deliver only readable topics": mosquitto 2.0 acknowledges any
 * SUBSCRIBE and applies the read ACL to each message it would deliver, whereas IoT Core refuses the
 * SUBSCRIBE; what reaches the client is the same (test/integration/certs/mosquitto.test.ts).
 */
export function mosquittoAclAllows(
  entries: readonly MosquittoAclEntry[],
  identity: { username: string; clientId: string },
  check: MosquittoCheck,
  topic: string,
): boolean {
  return entries.some((entry) => {
    if (check === 'write' ? entry.access !== 'write' : entry.access !== 'read') return false;
    if (/[+#/]/.test(identity.username) && entry.pattern.includes('%u')) return false;
    if (/[+#/]/.test(identity.clientId) && entry.pattern.includes('%c')) return false;
    const pattern = entry.pattern.split('%u').join(identity.username).split('%c').join(identity.clientId);
    return check === 'subscribe' ? filterWithinPattern(pattern, topic) : topicMatches(pattern, topic);
  });
}

function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** A subscription filter is allowed when every topic it can match is matched by the ACL pattern. */
function filterWithinPattern(pattern: string, filter: string): boolean {
  const p = pattern.split('/');
  const s = filter.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= s.length) return false;
    if (p[i] === '+') {
      if (s[i] === '#') return false;
      continue;
    }
    if (s[i] !== p[i]) return false;
  }
  return p.length === s.length;
}
