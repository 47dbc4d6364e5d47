/**
 * The patient pseudonym of the curated layer (DESIGN §8): HMAC-SHA256 of the patient id under a secret
 * key, hex. Memoised per patient id because it is on the hot path and a ward has few patients; the memo
 * is bounded so that a long-lived Lambda container cannot grow without limit.
 */
import { createHmac } from 'node:crypto';

export type Pseudonymiser = (patientId: string) => string;

const MIN_KEY_BYTES = 16;

export function createPseudonymiser(key: Buffer | string, maxMemo = 100_000): Pseudonymiser {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (keyBytes.byteLength < MIN_KEY_BYTES) {
    throw new RangeError(`the HMAC key is ${keyBytes.byteLength} bytes; use at least ${MIN_KEY_BYTES} random bytes`);
  }
  const memo = new Map<string, string>();
  return (patientId) => {
    let pseudonym = memo.get(patientId);
    if (pseudonym === undefined) {
      pseudonym = createHmac('sha256', keyBytes).update(patientId, 'utf8').digest('hex');
      if (memo.size >= maxMemo) memo.clear();
      memo.set(patientId, pseudonym);
    }
    return pseudonym;
  };
}
