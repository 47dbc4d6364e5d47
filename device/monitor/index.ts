/** The bedside monitor runtime: many monitors per process, one timer, durable outbox, shadow. */
export { MonitorHost, type MonitorHostOptions, type HostStats } from './host.ts';
export { Monitor, type MonitorSpec, type MonitorIdentity, type MonitorState } from './monitor.ts';
export { Histogram } from './histogram.ts';
export { ScheduleHeap } from './schedule-heap.ts';
export { reconnectDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
