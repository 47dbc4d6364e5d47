/**
 * The local rules engine's SQL: a pure evaluator of the AWS IoT SQL subset the project's rule uses
 * (cloud/ingest/vitals-rule.ts). compileRule fails at start-up, with UnsupportedSqlError naming the
 * construct, for anything outside the subset, so the local engine never quietly differs from AWS.
 */
import type { Expr, RuleAst } from './ast.ts';
import { RuleEvaluationError, UnsupportedSqlError } from './errors.ts';
import { evaluate, MessageView, UNDEFINED, type RuleContext, type SqlValue } from './evaluate.ts';
import { parseExpression, parseRule } from './parser.ts';
import { topicMatchesFilter } from './topic-filter.ts';

export { IotSqlError, RuleEvaluationError, UnsupportedSqlError } from './errors.ts';
export type { RuleContext } from './evaluate.ts';
export { topicMatchesFilter } from './topic-filter.ts';

export interface CompiledRule {
  readonly sql: string;
  readonly topicFilter: string;
  matches(topic: string): boolean;
  /**
   * The rule's output for a message as a JSON object; undefined when the topic does not match or WHERE
   * is not true. Throws RuleEvaluationError when the message cannot be evaluated (a non-JSON payload
   * where the SELECT reads a field or adds fields to `*`).
   */
  evaluate(ctx: RuleContext): Record<string, unknown> | undefined;
  /**
   * The bytes an action receives: the JSON of evaluate(), or, for a plain `SELECT *` of a payload that is
   * not a JSON object, the payload untouched ("Working with binary payloads").
   */
  evaluatePayload(ctx: RuleContext): Buffer | undefined;
}

export function compileRule(sql: string): CompiledRule {
  const ast = parseRule(sql);
  const starOnly = ast.select.length === 1 && ast.select[0]!.type === 'star';
  const passes = (message: MessageView): boolean =>
    topicMatchesFilter(ast.topicFilter, message.ctx.topic) && (ast.where === undefined || evaluate(ast.where, message, 'WHERE') === true);
  return {
    sql,
    topicFilter: ast.topicFilter,
    matches: (topic) => topicMatchesFilter(ast.topicFilter, topic),
    evaluate(ctx) {
      const message = new MessageView(ctx);
      return passes(message) ? project(ast, message) : undefined;
    },
    evaluatePayload(ctx) {
      const message = new MessageView(ctx);
      if (!passes(message)) return undefined;
      if (starOnly && !message.isJsonObject() && ctx.payload.length > 0) return ctx.payload;
      return Buffer.from(JSON.stringify(project(ast, message)));
    },
  };
}

function project(ast: RuleAst, message: MessageView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of ast.select) {
    if (item.type === 'star') {
      if (!message.isJsonObject()) {
        throw new RuleEvaluationError(
          `the payload on ${message.ctx.topic} is not a JSON object: AWS IoT forwards it only as-is with a plain ` +
            "SELECT * (use evaluatePayload), and cannot add fields to it; encode(*, 'base64') carries any payload",
        );
      }
      Object.assign(out, message.json());
      continue;
    }
    const value = evaluate(item.expr, message, 'SELECT');
    // An Undefined result leaves the key out of the output, as AWS does for a missing field.
    if (value !== UNDEFINED) out[item.name] = value;
  }
  return out;
}

const templateCache = new Map<string, (string | Expr)[]>();

/**
 * Resolves an action parameter's substitution templates, e.g. the Kinesis partition key `${topic(3)}`,
 * `${clientid()}` or `${device_id}`, against the incoming message. An Undefined expression becomes ''.
 * Throws UnsupportedSqlError for an expression outside the subset.
 */
export function substituteTemplate(template: string, ctx: RuleContext): string {
  let parts = templateCache.get(template);
  if (parts === undefined) {
    parts = compileTemplate(template);
    if (templateCache.size > 1_000) templateCache.clear();
    templateCache.set(template, parts);
  }
  const message = new MessageView(ctx);
  return parts.map((part) => (typeof part === 'string' ? part : render(evaluate(part, message, 'template')))).join('');
}

/** Checks a template at start-up (the same errors substituteTemplate would raise on the first message). */
export function compileTemplate(template: string): (string | Expr)[] {
  const parts: (string | Expr)[] = [];
  let last = 0;
  for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
    parts.push(template.slice(last, match.index));
    try {
      parts.push(parseExpression(match[1]!));
    } catch (error) {
      throw new UnsupportedSqlError(`substitution template ${match[0]} in "${template}" is not supported`, { cause: error });
    }
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

function render(value: SqlValue): string {
  if (value === UNDEFINED) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
