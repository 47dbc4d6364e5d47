/** The local dashboard: a feed the stack pushes into, and the server that shows it. See README.md. */
export {
  createDashboardFeed, type DashboardFeedHub, type DashboardFeedOptions, type News2Scorer,
  type PresenceEventPayload, type ThingRegistration,
} from './feed.ts';
export { routeBrokerMessage, type RouteOutcome } from './broker-routing.ts';
export { createLakeQueryRunner } from './lake-queries.ts';
export {
  createLakeHistory, namedQueryHistory, recentVitalsSql, type HistoryReading, type LakeHistoryOptions, type VitalsHistory,
} from './lake-history.ts';
export { startDashboard, type DashboardOptions, type RunningDashboard } from './server.ts';
export { createSimulatedWard, DEMO_SCENARIO_MIX, type SimulatedWard, type SimulatedWardOptions } from './simulated-ward.ts';
export { DashboardError, DashboardStartError, QueryFailedError, UnknownQueryError } from './errors.ts';
export type * from './feed-types.ts';
