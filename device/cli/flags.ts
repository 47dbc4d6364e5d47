/**
 * Flag parsing for every CLI (npm start, fleet, monitor, certs, query, bench): Node's parseArgs with the
 * rough edges a user meets turned into plain messages. A negative number is a value (`--count -3` reaches
 * the command's own range check instead of "argument is ambiguous"); a misspelt flag gets "did you mean".
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad command line: the CLI prints the message and a pointer to --help, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

export function parseFlags<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const options = config.options ?? {};
  const args = joinNegativeValues([...(config.args ?? process.argv.slice(2))], options);
  try {
    return parseArgs({ ...config, args }) as ReturnType<typeof parseArgs<T>>;
  } catch (error) {
    throw new UsageError(explain(error as NodeJS.ErrnoException, args, Object.keys(options)), { cause: error });
  }
}

/** `--count -3` -> `--count=-3` for options that take a value, so the value is checked, not the syntax. */
function joinNegativeValues(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return [...out, ...args.slice(i)];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function explain(error: NodeJS.ErrnoException, args: string[], known: string[]): string {
  const quoted = /'(-[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flag = quoted ?? '?';
      const guess = closest(flag.replace(/^-+/, '').split('=')[0]!, known);
      return `unknown option ${flag}${guess ? `: did you mean --${guess}?` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted ?? '?';
      if (/does not take an argument/.test(error.message)) return `${flag} takes no value`;
      const next = args[args.indexOf(flag) + 1];
      return next === undefined ? `${flag} needs a value` : `${flag} needs a value (it is followed by ${next})`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(error.message)?.[1] ?? ''}: this command takes only options`.replace('  ', ' ');
    default:
      return error.message;
  }
}

/** The known flag a typo most likely meant: within two edits, or the only one it is a prefix of. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: { flag: string; distance: number } | undefined;
  for (const flag of known) {
    const distance = editDistance(name, flag);
    if (distance <= Math.min(2, Math.floor(flag.length / 2)) && (best === undefined || distance < best.distance)) best = { flag, distance };
  }
  if (best) return best.flag;
  const prefixed = known.filter((flag) => name.length >= 2 && flag.startsWith(name));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
