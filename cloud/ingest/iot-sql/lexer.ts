/** Tokens of the AWS IoT SQL subset. Anything else is rejected here with its position. */
import { UnsupportedSqlError } from './errors.ts';

export type Token =
  | { kind: 'ident'; value: string; pos: number }
  | { kind: 'keyword'; value: Keyword; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'op'; value: Operator; pos: number }
  | { kind: 'punct'; value: '(' | ')' | ',' | '.' | '*'; pos: number }
  | { kind: 'eof'; pos: number };

export type Keyword = 'SELECT' | 'FROM' | 'WHERE' | 'AS' | 'AND' | 'OR' | 'NOT' | 'TRUE' | 'FALSE' | 'NULL';
export type Operator = '=' | '<>' | '!=' | '<' | '<=' | '>' | '>=';

const KEYWORDS = new Set<string>(['SELECT', 'FROM', 'WHERE', 'AS', 'AND', 'OR', 'NOT', 'TRUE', 'FALSE', 'NULL']);
/** Reserved words of the full AWS IoT SQL that this subset does not implement: named in the error. */
export const UNSUPPORTED_KEYWORDS = new Set(['SET', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'IN', 'LIKE', 'IS', 'BETWEEN', 'GROUP', 'ORDER', 'LIMIT', 'JOIN', 'UNION', 'VALUE', 'DISTINCT', 'HAVING', 'EXISTS']);

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(ch)) {
      while (i < sql.length && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      const word = sql.slice(start, i);
      const upper = word.toUpperCase();
      if (UNSUPPORTED_KEYWORDS.has(upper)) {
        throw new UnsupportedSqlError(`${upper} (position ${start + 1}) is not supported by the local IoT SQL evaluator`);
      }
      if (KEYWORDS.has(upper)) tokens.push({ kind: 'keyword', value: upper as Keyword, pos: start });
      else tokens.push({ kind: 'ident', value: word, pos: start });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(sql[i + 1] ?? '') && followsOperand(tokens) === false)) {
      i++;
      while (i < sql.length && /[0-9]/.test(sql[i]!)) i++;
      if (sql[i] === '.' && /[0-9]/.test(sql[i + 1] ?? '')) {
        i++;
        while (i < sql.length && /[0-9]/.test(sql[i]!)) i++;
      }
      if (/[eE]/.test(sql[i] ?? '')) {
        const exponent = /^[eE][+-]?[0-9]+/.exec(sql.slice(i));
        if (exponent) i += exponent[0].length;
      }
      tokens.push({ kind: 'number', value: Number(sql.slice(start, i)), pos: start });
      continue;
    }
    if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new UnsupportedSqlError(`unterminated string literal starting at position ${start + 1}`);
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i];
        i++;
      }
      tokens.push({ kind: 'string', value, pos: start });
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (two === '<>' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', value: two, pos: start });
      i += 2;
      continue;
    }
    if (ch === '=' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', value: ch, pos: start });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === '.' || ch === '*') {
      tokens.push({ kind: 'punct', value: ch, pos: start });
      i++;
      continue;
    }
    const what = ch === '"' || ch === '`' ? 'quoted identifiers' : `the character "${ch}" (arithmetic, arrays and objects are not in the subset)`;
    throw new UnsupportedSqlError(`unsupported SQL at position ${start + 1}: ${what}`);
  }
  tokens.push({ kind: 'eof', pos: sql.length });
  return tokens;
}

/** A '-' right after an operand would be subtraction (unsupported); elsewhere it starts a negative number. */
function followsOperand(tokens: Token[]): boolean {
  const last = tokens[tokens.length - 1];
  if (last === undefined) return false;
  return last.kind === 'ident' || last.kind === 'number' || last.kind === 'string' || (last.kind === 'punct' && last.value === ')');
}
