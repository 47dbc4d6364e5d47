/**
 * How a fleet is laid out on Fargate (pure; the stack, the credentials packer and the cost model use it).
 *
 * Monitors per task (1 vCPU, 2 GB): measured on this repo's bench (issue 16, plain TCP, 1 Hz QoS 1, full
 * model and outbox), lite costs ~5 % of a core and ~45 KiB per 1,000 msg/s / per monitor, mqtt.js ~9 %
 * and ~91 KiB. To IoT Core every connection is TLS: counted as twice the CPU (record encryption; the
 * handshakes are paced by the connect quota) and +60 KiB per socket. So 5,000 lite monitors at 1 Hz need
 * ~0.5 vCPU and ~0.8 GB (260 MiB base + 5,000 x ~105 KiB); 2,500 mqtt.js monitors ~0.45 vCPU and ~0.65 GB.
 * Half the vCPU and more than half the memory stay free for reconnect storms and outbox replay. Not
 * measured on Fargate (no AWS account here): watch the per-task metrics of a first run.
 *
 * Quotas (AWS IoT Core defaults, per account and region): 100 connect requests/s (divided across shards),
 * < 100 publishes/s per connection (unchanged per shard: a connection belongs to one task), and inbound
 * publishes 20,000/s in us-east-1 (2,000 in smaller regions): a fleet above that publishes less often, so
 * the account-wide budget is divided across the monitors; raise the quota and pass it to go faster.
 */
import type { TransportKind } from '../../device/transport/index.ts';

export const FLEET_TASK = { cpu: 1024, memoryMiB: 2048, workers: 1 } as const;
export const MONITORS_PER_TASK: Readonly<Record<'lite' | 'mqtt', number>> = { lite: 5_000, mqtt: 2_500 };
export const IOT_QUOTAS = { connectsPerSecond: 100, publishesPerSecondPerConnection: 100, inboundPublishesPerSecond: 20_000 } as const;
/** Four resources per shard (task role, its policy, task definition, service) on ~90 others: under CloudFormation's 500. */
export const MAX_SHARDS = 80;

export type FleetTransport = Extract<TransportKind, 'lite' | 'mqtt'>;

export interface FleetLayout {
  monitors: number;
  transport: FleetTransport;
  shards: number;
  /** Per shard. */
  connectRatePerSecond: number;
  /** Per connection, as the runner paces replay. */
  publishRatePerSecond: number;
  /** Sampling interval of every monitor: 1 s unless the account's inbound publish quota needs longer. */
  intervalMs: number;
  /** The fleet's publishes per second at that interval. */
  publishesPerSecond: number;
}

export class FleetSizingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetSizingError';
  }
}

export function fleetLayout(monitors: number, transport: FleetTransport = 'lite', quotas: { connectsPerSecond?: number; inboundPublishesPerSecond?: number } = {}): FleetLayout {
  if (!Number.isSafeInteger(monitors) || monitors < 1) throw new FleetSizingError(`a fleet needs at least one monitor, got ${monitors}`);
  const shards = Math.ceil(monitors / MONITORS_PER_TASK[transport]);
  if (shards > MAX_SHARDS) {
    throw new FleetSizingError(`${monitors} ${transport} monitors need ${shards} tasks; one stack holds at most ${MAX_SHARDS} (${MAX_SHARDS * MONITORS_PER_TASK[transport]} monitors): deploy several stacks with --first, or use lite`);
  }
  const connects = quotas.connectsPerSecond ?? IOT_QUOTAS.connectsPerSecond;
  const inbound = quotas.inboundPublishesPerSecond ?? IOT_QUOTAS.inboundPublishesPerSecond;
  // Whole seconds: a reader of the lake sees "every 5 s", not "every 4.87 s".
  const intervalMs = Math.max(1_000, Math.ceil(monitors / inbound) * 1_000);
  return {
    monitors, transport, shards,
    connectRatePerSecond: Math.floor((connects / shards) * 100) / 100,
    publishRatePerSecond: Math.min(90, IOT_QUOTAS.publishesPerSecondPerConnection - 10),
    intervalMs,
    publishesPerSecond: Math.round((monitors * 1_000) / intervalMs),
  };
}
