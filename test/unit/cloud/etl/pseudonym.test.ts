import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from '../../../../cloud/etl/pseudonym.ts';

describe('createPseudonymiser', () => {
  it('returns the HMAC-SHA256 of the patient id in hex, the same on every call', () => {
    const pseudonymise = createPseudonymiser(Buffer.alloc(32, 7));
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update('MRN-1').digest('hex');
    expect(pseudonymise('MRN-1')).toBe(expected);
    expect(pseudonymise('MRN-1')).toBe(expected);
  });

  it('gives different pseudonyms under different keys', () => {
    expect(createPseudonymiser('a'.repeat(16))('MRN-1')).not.toBe(createPseudonymiser('b'.repeat(16))('MRN-1'));
  });

  it('stays correct once the memo is full and cleared', () => {
    const pseudonymise = createPseudonymiser('k'.repeat(16), 2);
    const first = ['p1', 'p2', 'p3', 'p1'].map(pseudonymise);
    expect(first[3]).toBe(first[0]);
    expect(new Set(first).size).toBe(3);
  });

  it('refuses a key shorter than 16 bytes', () => {
    expect(() => createPseudonymiser('short')).toThrow(/at least 16/);
  });
});
