/**
 * Deterministic thing names and attributes for the local fleet (pure). Device n always gets the same
 * name, ward, bed and patient, so a fleet grown from 100 to 1,000 keeps its first 100 monitors as they were.
 */
export interface ThingAttributes {
  ward: string;
  bed: string;
  model: string;
  firmware: string;
  patient_id: string;
}

/** Four wards, filled round-robin so that any fleet size spreads evenly across them. */
export const LOCAL_WARDS = ['icu', 'cardiology', 'respiratory', 'surgical'] as const;
export const LOCAL_MONITOR_MODEL = 'bsm-3000';
export const LOCAL_MONITOR_FIRMWARE = '1.4.2';

/** `bedside-0001` ... `bedside-9999`, then `bedside-10000` and on (names stay valid and unique). */
export function thingNameFor(index: number): string {
  assertIndex(index);
  return `bedside-${String(index).padStart(4, '0')}`;
}

/** The 1-based fleet index of a local thing name, or undefined when the name is not one of ours. */
export function indexOfThingName(thingName: string): number | undefined {
  const match = /^bedside-(\d{4,})$/.exec(thingName);
  if (!match) return undefined;
  const index = Number(match[1]);
  return Number.isSafeInteger(index) && index >= 1 && thingNameFor(index) === thingName ? index : undefined;
}

export function thingAttributesFor(index: number): ThingAttributes {
  assertIndex(index);
  const ward = LOCAL_WARDS[(index - 1) % LOCAL_WARDS.length]!;
  const bedNumber = Math.floor((index - 1) / LOCAL_WARDS.length) + 1;
  return {
    ward,
    bed: `${ward}-${String(bedNumber).padStart(3, '0')}`,
    model: LOCAL_MONITOR_MODEL,
    firmware: LOCAL_MONITOR_FIRMWARE,
    // A synthetic medical record number: never a real patient, but shaped like PHI so it is treated as such.
    patient_id: `MRN${String(index).padStart(7, '0')}`,
  };
}

function assertIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 1) {
    throw new RangeError(`device index must be a positive integer, got ${index}`);
  }
}
