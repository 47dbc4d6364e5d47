/**
 * Expression evaluation with AWS IoT SQL's data semantics ("Data types", "Operators" pages of the AWS IoT
 * SQL reference): a missing field is Undefined, Undefined never compares, AND/OR/NOT take Booleans or the
 * strings "true"/"false", ordering comparisons convert numeric strings, and WHERE passes only on true.
 */
import type { Expr } from './ast.ts';
import { RuleEvaluationError } from './errors.ts';
import type { Operator } from './lexer.ts';

export const UNDEFINED: unique symbol = Symbol('Undefined');
export type SqlValue = string | number | boolean | null | SqlValue[] | { [key: string]: SqlValue } | typeof UNDEFINED;

export interface RuleContext {
  topic: string;
  payload: Buffer;
  clientId: string;
  timestampMs: number;
}

/** The payload, parsed at most once per message. */
export class MessageView {
  private parsed: { ok: true; value: unknown } | { ok: false } | undefined;

  constructor(readonly ctx: RuleContext) {}

  /** The JSON document, or undefined when the payload is not JSON. An empty payload counts as `{}`. */
  json(): unknown {
    if (this.parsed === undefined) {
      if (this.ctx.payload.length === 0) this.parsed = { ok: true, value: {} };
      else {
        try {
          this.parsed = { ok: true, value: JSON.parse(this.ctx.payload.toString('utf8')) };
        } catch {
          this.parsed = { ok: false };
        }
      }
    }
    return this.parsed.ok ? this.parsed.value : undefined;
  }

  isJsonObject(): boolean {
    const value = this.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

export type Clause = 'SELECT' | 'WHERE' | 'template';

export function evaluate(expr: Expr, message: MessageView, clause: Clause): SqlValue {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'field':
      return readField(expr.path, message, clause);
    case 'call':
      return callFunction(expr, message.ctx);
    case 'compare':
      return compare(expr.op, evaluate(expr.left, message, clause), evaluate(expr.right, message, clause));
    case 'and':
    case 'or': {
      const left = asBoolean(evaluate(expr.left, message, clause));
      const right = asBoolean(evaluate(expr.right, message, clause));
      if (left === UNDEFINED || right === UNDEFINED) return UNDEFINED;
      return expr.type === 'and' ? left && right : left || right;
    }
    case 'not': {
      const value = asBoolean(evaluate(expr.operand, message, clause));
      return value === UNDEFINED ? UNDEFINED : !value;
    }
  }
}

function readField(path: string[], message: MessageView, clause: Clause): SqlValue {
  const document = message.json();
  if (document === undefined) {
    // "Working with binary payloads": WHERE may name a field of a binary payload (it is Undefined), but a
    // SELECT cannot extract fields from it.
    if (clause === 'SELECT') {
      throw new RuleEvaluationError(
        `the payload on ${message.ctx.topic} is not JSON, so SELECT cannot read the field "${path.join('.')}"; ` +
          "select it whole with * or encode(*, 'base64')",
      );
    }
    return UNDEFINED;
  }
  let current: unknown = document;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) return UNDEFINED;
    current = (current as Record<string, unknown>)[key];
  }
  return current as SqlValue;
}

function callFunction(expr: Expr & { type: 'call' }, ctx: RuleContext): SqlValue {
  switch (expr.name) {
    case 'topic': {
      if (expr.level === undefined) return ctx.topic;
      return ctx.topic.split('/')[expr.level - 1] ?? UNDEFINED;
    }
    case 'timestamp':
      return ctx.timestampMs;
    case 'clientid':
      return ctx.clientId;
    case 'encode':
      return ctx.payload.toString('base64');
  }
}

function asBoolean(value: SqlValue): boolean | typeof UNDEFINED {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return UNDEFINED;
}

function asNumber(value: SqlValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function compare(op: Operator, left: SqlValue, right: SqlValue): SqlValue {
  if (left === UNDEFINED || right === UNDEFINED) return UNDEFINED;
  switch (op) {
    case '=':
      return equals(left, right);
    case '<>':
    case '!=':
      return !equals(left, right);
    default: {
      const l = asNumber(left);
      const r = asNumber(right);
      if (l !== undefined && r !== undefined) return order(op, l, r);
      if (typeof left === 'string' && typeof right === 'string') return order(op, left, right);
      return UNDEFINED;
    }
  }
}

function order<T extends number | string>(op: '<' | '<=' | '>' | '>=', l: T, r: T): boolean {
  switch (op) {
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    case '>=':
      return l >= r;
  }
}

function equals(left: SqlValue, right: SqlValue): boolean {
  if (typeof left === 'number' || typeof right === 'number') {
    const l = asNumber(left);
    const r = asNumber(right);
    return l !== undefined && r !== undefined && l === r;
  }
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return left === right;
  return JSON.stringify(left) === JSON.stringify(right);
}
