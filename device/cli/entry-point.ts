/**
 * Runs a CLI module's `main(argv)` when the module is the program (npm scripts, tsx), never on import
 * (tests import the same modules). Symlinked checkouts compare by real path.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

export interface RunOptions {
  /** Exit as soon as main resolves, for programs whose children or sockets would keep Node alive. */
  exit?: boolean;
}

/** An error main did not turn into an exit code is a bug: print it whole and exit 1. */
export function runIfEntryPoint(moduleUrl: string, main: (argv: string[]) => Promise<number>, options: RunOptions = {}): void {
  if (!isEntryPoint(moduleUrl)) return;
  quietNodeVersionWarning();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      if (options.exit) process.exit(code);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
      if (options.exit) process.exit(1);
    },
  );
}

/**
 * On Node 20 the AWS SDK prints a 9-line warning (its releases after January 2027 need Node 22) from every
 * client it builds. The README and npm start --help say it once: Node 20 works, 22/24 are recommended.
 * This is the SDK's own switch; it is inherited by fleet workers, and vitest.config.ts sets it for tests.
 */
export function quietNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
