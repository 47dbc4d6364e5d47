/** The durable outbox: write before send, replay in order, bounded, seq that never repeats. */
export { Outbox, OutboxError, DEFAULT_OUTBOX_LIMITS, type OutboxLimits, type OutboxStats } from './outbox.ts';
export { DeviceQueue, type OutboxEntry } from './device-queue.ts';
export { parseLog, parseLine, type LogRecord } from './log-format.ts';
