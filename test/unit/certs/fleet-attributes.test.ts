import { describe, expect, it } from 'vitest';
import { isValidThingName } from '../../../device/contract/index.ts';
import { indexOfThingName, LOCAL_WARDS, thingAttributesFor, thingNameFor } from '../../../certs/local/fleet-attributes.ts';

describe('local fleet names and attributes', () => {
  it('names devices bedside-0001 onwards, widening past 9999, always valid thing names', () => {
    expect(thingNameFor(1)).toBe('bedside-0001');
    expect(thingNameFor(42)).toBe('bedside-0042');
    expect(thingNameFor(9999)).toBe('bedside-9999');
    expect(thingNameFor(10000)).toBe('bedside-10000');
    for (const i of [1, 9999, 10000, 123456]) expect(isValidThingName(thingNameFor(i))).toBe(true);
  });

  it('maps names back to their index and rejects names that are not ours', () => {
    expect(indexOfThingName('bedside-0007')).toBe(7);
    expect(indexOfThingName('bedside-10000')).toBe(10000);
    expect(indexOfThingName('bedside-7')).toBeUndefined();
    expect(indexOfThingName('bedside-0000')).toBeUndefined();
    expect(indexOfThingName('monitor-0001')).toBeUndefined();
  });

  it('spreads devices round-robin over four wards with numbered beds', () => {
    expect(thingAttributesFor(1)).toEqual({ ward: 'icu', bed: 'icu-001', model: 'bsm-3000', firmware: '1.4.2', patient_id: 'MRN0000001' });
    expect(thingAttributesFor(2).ward).toBe('cardiology');
    expect(thingAttributesFor(5)).toMatchObject({ ward: 'icu', bed: 'icu-002' });
    const perWard = new Map<string, number>();
    for (let i = 1; i <= 400; i++) perWard.set(thingAttributesFor(i).ward, (perWard.get(thingAttributesFor(i).ward) ?? 0) + 1);
    expect([...perWard.keys()].sort()).toEqual([...LOCAL_WARDS].sort());
    expect([...perWard.values()]).toEqual([100, 100, 100, 100]);
  });

  it('gives every device its own bed and patient', () => {
    const beds = new Set<string>();
    const patients = new Set<string>();
    for (let i = 1; i <= 1000; i++) {
      const a = thingAttributesFor(i);
      beds.add(a.bed);
      patients.add(a.patient_id);
    }
    expect(beds.size).toBe(1000);
    expect(patients.size).toBe(1000);
  });

  it('rejects indexes that are not positive integers', () => {
    expect(() => thingNameFor(0)).toThrow(RangeError);
    expect(() => thingAttributesFor(1.5)).toThrow(RangeError);
  });
});
