/** Monitor specs for a slice of the fleet (pure apart from reading certificates through the target). */
import { assignScenario, deriveSeed, type ScenarioShare } from '../vitals/index.ts';
import type { MonitorSpec } from '../monitor/index.ts';
import type { ThingIdentity } from './targets.ts';

export interface SpecOptions {
  seed: number;
  mix: readonly ScenarioShare[];
  intervalMs: number;
}

/** `fleetIndex` is the 0-based position of the thing in the whole fleet (stable across shards/workers). */
export function monitorSpec(identity: ThingIdentity, fleetIndex: number, options: SpecOptions): MonitorSpec {
  const { attributes } = identity;
  return {
    thing: identity.thing,
    patientId: attributes.patient_id,
    ward: attributes.ward,
    bed: attributes.bed,
    firmware: attributes.firmware,
    scenario: assignScenario(options.mix, fleetIndex, options.seed),
    seed: deriveSeed(options.seed, fleetIndex),
    intervalMs: options.intervalMs,
    // Spread first samples evenly over the interval (golden-ratio sequence): no lockstep publishing.
    phaseMs: ((fleetIndex * 0.6180339887498949) % 1) * options.intervalMs,
  };
}

/** Above this many local connections, source addresses are spread over 127.0.0.x (ephemeral ports). */
export const SPREAD_SOURCE_ADDRESSES_ABOVE = 25_000;

export function localSourceAddress(fleetIndex: number, fleetSize: number, host: string): string | undefined {
  if (fleetSize <= SPREAD_SOURCE_ADDRESSES_ABOVE || !/^127\./.test(host)) return undefined;
  // 127.0.0.1 .. 127.0.0.250: each address has its own ~28,000 ephemeral ports towards the broker.
  return `127.0.0.${1 + (fleetIndex % 250)}`;
}
