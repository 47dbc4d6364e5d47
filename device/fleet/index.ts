/** The fleet runner: many monitors over worker processes, one programmatic API. */
export { runFleet, type FleetOptions, type FleetHandle } from './run-fleet.ts';
export { outboxLocation, identityNamespace, type OutboxLocation } from './outbox-location.ts';
export { formatProgress, formatSummary, type FleetProgress, type FleetSummary } from './summary.ts';
export { resolveTarget, DEFAULT_AWS_OUT_DIR, LOCAL_BROKER_PORT, type ResolvedTarget, type ThingIdentity } from './targets.ts';
export * from './errors.ts';
export type { WorkerStats, HistogramData } from './protocol.ts';
