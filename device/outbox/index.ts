/** The durable outbox: write before send, replay in order, bounded, seq that never repeats. */
export { Outbox, OutboxError, DEFAULT_OUTBOX_LIMITS, type OutboxLimits, type OutboxStats } from './outbox.ts';
export { DeviceQueue, type OutboxEntry } from './device-queue.ts';
export { parseLog, parseLine, type LogRecord } from './log-format.ts';
export { openOutboxForThings, type OpenForThingsOptions, type OpenedOutbox } from './outbox-dir.ts';
export { claimThings, commandLine, newClaimGroup, ThingsClaimedError, type ClaimGroup, type ClaimOptions, type ClaimOwner, type ThingClaim } from './claims.ts';
export { foldHistories, historyText, type ThingHistory } from './thing-history.ts';
