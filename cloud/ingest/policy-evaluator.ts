/**
 * A pure evaluator of AWS IoT Core policy documents, so the local broker authorizes with the very policy
 * that AWS enforces (DESIGN §8: "a device can connect only as itself and publish only to its own topics,
 * locally as on AWS"). Semantics follow the AWS IoT developer guide:
 * - explicit Deny wins over Allow; nothing allowed means denied (implicit deny);
 * - Action and Resource use the IAM wildcards `*` (any run of characters, `/` included) and `?` (one
 *   character); MQTT's `+` and `#` are ordinary characters in a policy ("AWS IoT Core policy variables");
 * - policy variables `${iot:ClientId}`, `${iot:Connection.Thing.ThingName}`,
 *   `${iot:Connection.Thing.Attributes[name]}`, `${iot:Connection.Thing.IsAttached}` and the escapes
 *   `${*}`, `${?}`, `${$}` are substituted from the connection; a value is always matched literally (a
 *   client id "*" matches only "*"); a variable that cannot be resolved (no attached thing, no such
 *   attribute) makes that resource or condition not match ("Thing policy examples": "this variable won't
 *   be resolved and will result in an access denied error");
 * - conditions: Bool, StringEquals, StringNotEquals, StringLike, StringNotLike over the same keys; a key
 *   absent from the request makes the condition false (for the Not operators too, as IAM does without
 *   IfExists).
 * Anything else in a document (NotAction, NotResource, other operators) is refused when the authorizer is
 * created, rather than guessed at: a misread Deny would fail open.
 */
import { LOCAL_POLICY_SCOPE, type PolicyDocument, type PolicyScope, type PolicyStatement } from './iot-policy.ts';

export type IotAction = 'iot:Connect' | 'iot:Publish' | 'iot:Subscribe' | 'iot:Receive';

export interface ConnectionContext {
  clientId: string;
  /** The thing attached to the certificate, when there is one. */
  thingName?: string;
  thingAttributes?: Record<string, string>;
  /** True when the certificate is attached to the thing whose name is the client id. */
  isAttached: boolean;
}

export interface PolicyDecision {
  decision: 'Allow' | 'Deny';
  reason: string;
}

export class UnsupportedPolicyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnsupportedPolicyError';
  }
}

/** The ARN AWS IoT authorizes for an action: client/<id>, topic/<topic> or topicfilter/<filter>. */
export function resourceArn(scope: PolicyScope, action: IotAction, target: string): string {
  const kind = action === 'iot:Connect' ? 'client' : action === 'iot:Subscribe' ? 'topicfilter' : 'topic';
  return `arn:${scope.partition}:iot:${scope.region}:${scope.account}:${kind}/${target}`;
}

const SUPPORTED_OPERATORS = new Set(['Bool', 'StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'Resource', 'Condition']);

/** Throws UnsupportedPolicyError naming the first construct this evaluator does not implement. */
export function assertSupportedPolicy(doc: PolicyDocument): void {
  if (!Array.isArray(doc.Statement)) throw new UnsupportedPolicyError('policy document has no Statement list');
  doc.Statement.forEach((statement, i) => {
    for (const key of Object.keys(statement)) {
      if (!STATEMENT_KEYS.has(key)) throw new UnsupportedPolicyError(`statement ${i + 1}: "${key}" is not supported by the local policy evaluator`);
    }
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw new UnsupportedPolicyError(`statement ${i + 1}: Effect must be "Allow" or "Deny", got ${JSON.stringify(statement.Effect)}`);
    }
    for (const operator of Object.keys(statement.Condition ?? {})) {
      if (!SUPPORTED_OPERATORS.has(operator)) {
        throw new UnsupportedPolicyError(
          `statement ${i + 1}: condition operator "${operator}" is not supported (supported: ${[...SUPPORTED_OPERATORS].join(', ')})`,
        );
      }
    }
  });
}

const VARIABLE = /\$\{([^}]*)\}/g;

/** The value of a policy variable or condition key for this connection; undefined when it cannot be resolved. */
function resolveKey(name: string, c: ConnectionContext): string | undefined {
  switch (name) {
    case '*':
    case '?':
    case '$':
      return name;
    case 'iot:ClientId':
      return c.clientId;
    case 'iot:Connection.Thing.ThingName':
      return c.isAttached ? c.thingName : undefined;
    case 'iot:Connection.Thing.IsAttached':
      return String(c.isAttached);
  }
  const attribute = /^iot:Connection\.Thing\.Attributes\[([^\]]+)\]$/.exec(name);
  if (attribute && c.isAttached) return c.thingAttributes?.[attribute[1]!];
  return undefined;
}

const regexCache = new Map<string, RegExp>();
const REGEX_CACHE_LIMIT = 10_000;
/** Patterns split once into regex source for the literal parts and the names of their variables. */
const templateCache = new Map<string, (string | { variable: string })[]>();

function patternTemplate(pattern: string): (string | { variable: string })[] {
  let parts = templateCache.get(pattern);
  if (parts === undefined) {
    parts = [];
    let last = 0;
    for (const match of pattern.matchAll(VARIABLE)) {
      parts.push(globToRegex(pattern.slice(last, match.index)), { variable: match[1]!.trim() });
      last = match.index + match[0].length;
    }
    parts.push(globToRegex(pattern.slice(last)));
    if (templateCache.size >= REGEX_CACHE_LIMIT) templateCache.clear();
    templateCache.set(pattern, parts);
  }
  return parts;
}

/**
 * A pattern with policy variables as a regular expression: literal text gets the `*`/`?` wildcards,
 * substituted values are escaped. Undefined when a variable cannot be resolved.
 */
function patternRegex(pattern: string, c: ConnectionContext, caseInsensitive = false): RegExp | undefined {
  let source = caseInsensitive ? 'i^' : 's^';
  for (const part of patternTemplate(pattern)) {
    if (typeof part === 'string') source += part;
    else {
      const value = resolveKey(part.variable, c);
      if (value === undefined) return undefined;
      source += escapeRegex(value);
    }
  }
  source += '$';
  let regex = regexCache.get(source);
  if (regex === undefined) {
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    regex = new RegExp(source.slice(1), caseInsensitive ? 'is' : 's');
    regexCache.set(source, regex);
  }
  return regex;
}

function globToRegex(text: string): string {
  return [...text].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : escapeRegex(ch))).join('');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A condition value with its variables substituted (literal comparison); undefined when unresolvable. */
function substitute(value: string, c: ConnectionContext): string | undefined {
  let unresolved = false;
  const out = value.replace(VARIABLE, (_, name: string) => {
    const v = resolveKey(name.trim(), c);
    if (v === undefined) unresolved = true;
    return v ?? '';
  });
  return unresolved ? undefined : out;
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function conditionsHold(statement: PolicyStatement, c: ConnectionContext): boolean {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(entries as Record<string, string | string[]>)) {
      const actual = resolveKey(key, c);
      if (actual === undefined) return false;
      const values = asList(expected);
      let holds: boolean;
      switch (operator) {
        case 'Bool':
          holds = values.some((v) => v.toLowerCase() === actual.toLowerCase());
          break;
        case 'StringEquals':
          holds = values.some((v) => substitute(v, c) === actual);
          break;
        case 'StringNotEquals':
          holds = values.every((v) => substitute(v, c) !== actual);
          break;
        case 'StringLike':
          holds = values.some((v) => patternRegex(v, c)?.test(actual) ?? false);
          break;
        case 'StringNotLike':
          holds = values.every((v) => !(patternRegex(v, c)?.test(actual) ?? false));
          break;
        default:
          throw new UnsupportedPolicyError(`condition operator "${operator}" is not supported`);
      }
      if (!holds) return false;
    }
  }
  return true;
}

const ALL_ACTIONS: readonly IotAction[] = ['iot:Connect', 'iot:Publish', 'iot:Subscribe', 'iot:Receive'];

/** A statement with what does not depend on the connection worked out once. */
interface CompiledStatement {
  statement: PolicyStatement;
  label: string;
  /** Which of the four IoT actions the Action patterns cover (IAM action names are case-insensitive). */
  actions: ReadonlySet<IotAction>;
}

/** A statement bound to one connection: its conditions decided, its resource patterns as regexes. */
interface BoundStatement extends CompiledStatement {
  resources: RegExp[];
}

function compilePolicy(doc: PolicyDocument): CompiledStatement[] {
  const nobody: ConnectionContext = { clientId: '', isAttached: false };
  return doc.Statement.map((statement, i) => ({
    statement,
    label: describe(statement, i),
    actions: new Set(ALL_ACTIONS.filter((action) => asList(statement.Action).some((p) => patternRegex(p, nobody, true)?.test(action) ?? false))),
  }));
}

function bindPolicy(compiled: readonly CompiledStatement[], c: ConnectionContext): BoundStatement[] {
  return compiled
    .filter((s) => s.actions.size > 0 && conditionsHold(s.statement, c))
    .map((s) => ({
      ...s,
      // A resource whose variables cannot be resolved for this connection never matches.
      resources: asList(s.statement.Resource).flatMap((pattern) => patternRegex(pattern, c) ?? []),
    }));
}

function describe(statement: PolicyStatement, index: number): string {
  return `statement ${index + 1} (${statement.Effect} ${asList(statement.Action).join(',')})`;
}

export function evaluatePolicy(
  doc: PolicyDocument,
  request: { action: IotAction; resource: string; connection: ConnectionContext },
): PolicyDecision {
  assertSupportedPolicy(doc);
  return decide(bindPolicy(compilePolicy(doc), request.connection), request.action, request.resource, request.connection);
}

function decide(bound: readonly BoundStatement[], action: IotAction, resource: string, c: ConnectionContext): PolicyDecision {
  let allowedBy: string | undefined;
  for (const s of bound) {
    if (!s.actions.has(action) || !s.resources.some((regex) => regex.test(resource))) continue;
    if (s.statement.Effect === 'Deny') {
      return { decision: 'Deny', reason: `${action} on ${resource} is explicitly denied by ${s.label}` };
    }
    allowedBy ??= s.label;
  }
  if (allowedBy !== undefined) return { decision: 'Allow', reason: `${action} on ${resource} is allowed by ${allowedBy}` };
  return { decision: 'Deny', reason: `no statement allows ${action} on ${resource} for client "${c.clientId}" (implicit deny)` };
}

export interface Authorizer {
  canConnect(c: ConnectionContext): boolean;
  canPublish(c: ConnectionContext, topic: string): boolean;
  canSubscribe(c: ConnectionContext, topicFilter: string): boolean;
  canReceive(c: ConnectionContext, topic: string): boolean;
  /** The decision with its reason, e.g. for the broker's log line when it refuses something. */
  decide(action: IotAction, c: ConnectionContext, target?: string): PolicyDecision;
  explain(action: IotAction, c: ConnectionContext, target?: string): string;
}

/**
 * An authorizer bound to one policy and ARN scope, for the broker's hooks. The target of iot:Connect is
 * the client id itself; for the others it is the topic or topic filter. About 1 µs per check once a
 * connection's context object has been seen (the policy is bound to each context object once).
 */
export function createAuthorizer(doc: PolicyDocument, scope: PolicyScope = LOCAL_POLICY_SCOPE): Authorizer {
  assertSupportedPolicy(doc);
  const compiled = compilePolicy(structuredClone(doc));
  // The broker asks about the same connection for every message: bind the policy to it once. Contexts are
  // treated as immutable; a connection whose identity changes is a new context object.
  const bindings = new WeakMap<ConnectionContext, BoundStatement[]>();
  const boundFor = (c: ConnectionContext): BoundStatement[] => {
    let bound = bindings.get(c);
    if (bound === undefined) {
      bound = bindPolicy(compiled, c);
      bindings.set(c, bound);
    }
    return bound;
  };
  const decideFor = (action: IotAction, c: ConnectionContext, target?: string): PolicyDecision =>
    decide(boundFor(c), action, resourceArn(scope, action, action === 'iot:Connect' ? c.clientId : (target ?? '')), c);
  return {
    canConnect: (c) => decideFor('iot:Connect', c).decision === 'Allow',
    canPublish: (c, topic) => decideFor('iot:Publish', c, topic).decision === 'Allow',
    canSubscribe: (c, filter) => decideFor('iot:Subscribe', c, filter).decision === 'Allow',
    canReceive: (c, topic) => decideFor('iot:Receive', c, topic).decision === 'Allow',
    decide: decideFor,
    explain: (action, c, target) => {
      const d = decideFor(action, c, target);
      return `${d.decision}: ${d.reason}`;
    },
  };
}
