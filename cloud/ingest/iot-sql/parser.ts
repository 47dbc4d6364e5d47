/**
 * Recursive-descent parser for the AWS IoT SQL subset (SQL version 2016-03-23) that the project's rule
 * uses: SELECT list (`*`, fields incl. nested `a.b`, literals, AS aliases, topic(n), topic(), timestamp(),
 * clientid(), encode(*, 'base64')), FROM '<topic filter>', WHERE with comparisons, AND/OR/NOT and
 * parentheses. Everything else raises UnsupportedSqlError naming the construct.
 */
import type { Expr, RuleAst, SelectItem } from './ast.ts';
import { UnsupportedSqlError } from './errors.ts';
import { tokenize, UNSUPPORTED_KEYWORDS, type Keyword, type Token } from './lexer.ts';

const SUPPORTED_FUNCTIONS = 'topic(), topic(n), timestamp(), clientid(), encode(*, \'base64\')';

export function parseRule(sql: string): RuleAst {
  return new Parser(sql).parseStatement();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly sql: string) {
    this.tokens = tokenize(sql);
  }

  parseStatement(): RuleAst {
    this.expectKeyword('SELECT');
    const select = this.parseSelectList();
    this.expectKeyword('FROM');
    const from = this.next();
    if (from.kind !== 'string') throw this.error(from, 'FROM needs a topic filter in single quotes, e.g. FROM \'dt/bedside/+/vitals\'');
    validateTopicFilter(from.value);
    let where: Expr | undefined;
    if (this.isKeyword('WHERE')) {
      this.next();
      where = this.parseExpr();
    }
    const end = this.next();
    if (end.kind !== 'eof') throw this.error(end, `unexpected ${describe(end)} after the end of the statement`);
    return where === undefined ? { select, topicFilter: from.value } : { select, topicFilter: from.value, where };
  }

  /** For parseExpression: the one SELECT expression of a synthetic statement, nothing else in it. */
  parseStatementExpression(): Expr {
    const ast = this.parseStatement();
    const item = ast.select[0];
    if (ast.select.length !== 1 || item?.type !== 'expr' || ast.where !== undefined) {
      throw new UnsupportedSqlError(`not a single expression: ${this.sql}`);
    }
    return item.expr;
  }

  private parseSelectList(): SelectItem[] {
    const items: SelectItem[] = [];
    const names = new Set<string>();
    do {
      if (this.isPunct('*')) {
        this.next();
        items.push({ type: 'star' });
        continue;
      }
      const start = this.peek();
      const expr = this.parseExpr();
      let name: string | undefined;
      if (this.isKeyword('AS')) {
        this.next();
        const alias = this.next();
        if (alias.kind !== 'ident') throw this.error(alias, 'AS needs a name, e.g. AS thing_name');
        name = alias.value;
      } else {
        name = implicitName(expr);
        if (name === undefined) throw this.error(start, 'this SELECT expression needs a name: add AS <name>');
      }
      if (names.has(name)) throw this.error(start, `SELECT names "${name}" twice`);
      names.add(name);
      items.push({ type: 'expr', expr, name });
    } while (this.isPunct(',') && this.next());
    return items;
  }

  private parseExpr(): Expr {
    let left = this.parseAnd();
    while (this.isKeyword('OR')) {
      this.next();
      left = { type: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isKeyword('AND')) {
      this.next();
      left = { type: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isKeyword('NOT')) {
      this.next();
      return { type: 'not', operand: this.parseNot() };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parsePrimary();
    const op = this.peek();
    if (op.kind === 'op') {
      this.next();
      const right = this.parsePrimary();
      const after = this.peek();
      if (after.kind === 'op') throw this.error(after, 'chained comparisons are not supported: combine them with AND');
      return { type: 'compare', op: op.value, left, right };
    }
    return left;
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'number':
      case 'string':
        return { type: 'literal', value: token.value };
      case 'keyword':
        if (token.value === 'TRUE' || token.value === 'FALSE') return { type: 'literal', value: token.value === 'TRUE' };
        if (token.value === 'NULL') return { type: 'literal', value: null };
        throw this.error(token, `unexpected ${token.value}`);
      case 'punct':
        if (token.value === '(') {
          const inner = this.parseExpr();
          this.expectPunct(')');
          return inner;
        }
        if (token.value === '*') throw this.error(token, '* is only allowed alone in the SELECT list or as encode(*, \'base64\')');
        throw this.error(token, `unexpected ${describe(token)}`);
      case 'ident': {
        if (UNSUPPORTED_KEYWORDS.has(token.value.toUpperCase())) {
          throw this.error(token, `${token.value.toUpperCase()} is not supported by the local IoT SQL evaluator`);
        }
        if (this.isPunct('(')) return this.parseCall(token);
        const path = [token.value];
        while (this.isPunct('.')) {
          this.next();
          const part = this.next();
          if (part.kind !== 'ident') throw this.error(part, 'a field path needs a name after "."');
          path.push(part.value);
        }
        if (this.isPunct('(')) throw this.error(this.peek(), `function ${path.join('.')}() is not supported (supported: ${SUPPORTED_FUNCTIONS})`);
        return { type: 'field', path };
      }
      default:
        throw this.error(token, `expected a value, found ${describe(token)}`);
    }
  }

  private parseCall(nameToken: Token & { kind: 'ident' }): Expr {
    const name = nameToken.value.toLowerCase();
    this.expectPunct('(');
    switch (name) {
      case 'timestamp':
      case 'clientid':
        this.expectPunct(')');
        return { type: 'call', name };
      case 'topic': {
        if (this.isPunct(')')) {
          this.next();
          return { type: 'call', name: 'topic' };
        }
        const level = this.next();
        if (level.kind !== 'number' || !Number.isInteger(level.value) || level.value < 1) {
          throw this.error(level, 'topic(n) needs a positive integer literal level, e.g. topic(3)');
        }
        this.expectPunct(')');
        return { type: 'call', name: 'topic', level: level.value };
      }
      case 'encode': {
        const what = this.next();
        if (what.kind !== 'punct' || what.value !== '*') {
          throw this.error(what, "encode() is supported only as encode(*, 'base64'), on the whole payload");
        }
        this.expectPunct(',');
        const encoding = this.next();
        if (encoding.kind !== 'string' || encoding.value !== 'base64') {
          throw this.error(encoding, "encode() supports only the 'base64' encoding");
        }
        this.expectPunct(')');
        return { type: 'call', name: 'encode', encoding: 'base64' };
      }
      default:
        throw this.error(nameToken, `function ${nameToken.value}() is not supported (supported: ${SUPPORTED_FUNCTIONS})`);
    }
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private isKeyword(value: Keyword): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.value === value;
  }

  private isPunct(value: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.value === value;
  }

  private expectKeyword(value: Keyword): void {
    const t = this.next();
    if (t.kind !== 'keyword' || t.value !== value) {
      if (t.kind === 'ident' && UNSUPPORTED_KEYWORDS.has(t.value.toUpperCase())) {
        throw this.error(t, `${t.value.toUpperCase()} is not supported by the local IoT SQL evaluator`);
      }
      throw this.error(t, `expected ${value}, found ${describe(t)}`);
    }
  }

  private expectPunct(value: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.value !== value) throw this.error(t, `expected "${value}", found ${describe(t)}`);
  }

  private error(token: Token, message: string): UnsupportedSqlError {
    return new UnsupportedSqlError(`${message} (at position ${token.pos + 1} of: ${this.sql})`);
  }
}

/** AWS names an unaliased field by its last path element and a function call by the function's name. */
function implicitName(expr: Expr): string | undefined {
  if (expr.type === 'field') return expr.path[expr.path.length - 1];
  if (expr.type === 'call') return expr.name;
  return undefined;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the statement';
    case 'string':
      return `'${token.value}'`;
    default:
      return `"${String(token.value)}"`;
  }
}

/** MQTT topic filter rules (MQTT 3.1.1 §4.7.1): `#` only as the last level, wildcards fill whole levels. */
function validateTopicFilter(filter: string): void {
  if (filter.length === 0) throw new UnsupportedSqlError('FROM has an empty topic filter');
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      throw new UnsupportedSqlError(`FROM '${filter}': "#" must be a whole level and the last one`);
    }
    if (level.includes('+') && level !== '+') throw new UnsupportedSqlError(`FROM '${filter}': "+" must be a whole level`);
  });
}

/** One expression on its own, for substitution templates: `${topic(3)}`, `${clientid()}`, `${a.b}`. */
export function parseExpression(text: string): Expr {
  return new Parser(`SELECT ${text} AS _ FROM '#'`).parseStatementExpression();
}
