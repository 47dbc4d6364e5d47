/** The syntax tree of a rule in the supported AWS IoT SQL subset. */
import type { Operator } from './lexer.ts';

export type SqlFunctionName = 'topic' | 'timestamp' | 'clientid' | 'encode';

export type Expr =
  | { type: 'literal'; value: string | number | boolean | null }
  | { type: 'field'; path: string[] }
  | { type: 'call'; name: 'topic'; level?: number }
  | { type: 'call'; name: 'timestamp' | 'clientid' }
  | { type: 'call'; name: 'encode'; encoding: 'base64' }
  | { type: 'compare'; op: Operator; left: Expr; right: Expr }
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'not'; operand: Expr };

export type SelectItem = { type: 'star' } | { type: 'expr'; expr: Expr; name: string };

export interface RuleAst {
  select: SelectItem[];
  topicFilter: string;
  where?: Expr;
}
