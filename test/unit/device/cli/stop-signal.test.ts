import { afterEach, describe, expect, it } from 'vitest';
import { onStopSignal } from '../../../../device/cli/stop-signal.ts';

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

describe('onStopSignal', () => {
  it('stops gracefully on the first Ctrl-C and takes the echo npm and tsx relay for the same Ctrl-C', () => {
    const reasons: string[] = [];
    const exits: number[] = [];
    dispose = onStopSignal((reason) => reasons.push(reason), { exit: (code) => exits.push(code), write: () => {} });
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(reasons).toEqual(['Ctrl-C']);
    expect(exits).toEqual([]);
  });

  it('forces the exit when Ctrl-C comes again after the echo window', async () => {
    const exits: number[] = [];
    const lines: string[] = [];
    dispose = onStopSignal(() => {}, { echoMs: 20, exit: (code) => exits.push(code), write: (line) => lines.push(line), forceMessage: 'forced' });
    process.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 40));
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([130]);
    expect(lines).toEqual(['forced']);
  });
});
