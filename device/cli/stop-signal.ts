/**
 * Ctrl-C and SIGTERM for long-running commands: the first one starts a graceful stop. Run through npm
 * (npm -> sh -> tsx -> node), one Ctrl-C can arrive twice within milliseconds (the terminal signals the
 * whole process group and tsx relays it too), so signals within `echoMs` of the first are taken for that
 * echo; a later one is the user insisting, and forces the exit.
 */
export interface StopSignalOptions {
  echoMs?: number;
  /** Printed when a second Ctrl-C forces the exit. */
  forceMessage?: string;
  exit?: (code: number) => void;
  write?: (line: string) => void;
}

/** Calls `onStop(reason)` once; returns a function that removes the handlers. */
export function onStopSignal(onStop: (reason: string) => void, options: StopSignalOptions = {}): () => void {
  const echoMs = options.echoMs ?? 1_500;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  let firstAt: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      onStop(signal === 'SIGINT' ? 'Ctrl-C' : signal);
      return;
    }
    if (now - firstAt < echoMs) return;
    write(options.forceMessage ?? 'stopping now, without waiting for the rest of the clean stop');
    exit(130);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return () => {
    process.removeListener('SIGINT', handle);
    process.removeListener('SIGTERM', handle);
  };
}
