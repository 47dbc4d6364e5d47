import { describe, expect, it } from 'vitest';
import { parseLine, parseLog } from '../../../../device/outbox/index.ts';

describe('outbox log format', () => {
  it('parses messages with spaces inside the payload and marks', () => {
    expect(parseLine('M bedside-0001 12 {"a": "b c"}')).toEqual({ kind: 'M', thing: 'bedside-0001', seq: 12, payload: '{"a": "b c"}' });
    expect(parseLine('A bedside-0001 12')).toEqual({ kind: 'A', thing: 'bedside-0001', seq: 12 });
    expect(parseLine('S bedside-0001 99')).toEqual({ kind: 'S', thing: 'bedside-0001', seq: 99 });
  });

  it('rejects malformed lines', () => {
    for (const line of ['', 'X a 1', 'A a', 'A a x', 'M a 1', 'A  1', 'A a -1']) expect(parseLine(line)).toBeUndefined();
  });

  it('counts only complete lines, so a torn last write can be truncated', () => {
    const text = 'A a 1\nA a 2\nM a 3 {"x"';
    const { records, completeBytes } = parseLog(text);
    expect(records).toHaveLength(2);
    expect(completeBytes).toBe(12);
  });
});
