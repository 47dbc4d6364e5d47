/**
 * The dashboard's port: what the server reads and listens to. The local stack implements it with
 * `createDashboardFeed` (feed.ts) and pushes broker, stream and query events into it; the server never
 * talks to the broker, the stream or DuckDB itself.
 */
import { MEASUREMENT_FIELDS, type Acvpu, type MeasurementField, type MeasurementValues, type QualityFlag } from '../../../device/contract/index.ts';
import type { News2Band } from '../../news2/news2.ts';

export type { News2Band };

/** The charted series of a bed (the registry's measurements, then NEWS2), in the order the ring buffer stores them. */
export type SeriesName = MeasurementField | 'news2';
export const SERIES: readonly SeriesName[] = [...MEASUREMENT_FIELDS, 'news2'];

/** What the dashboard keeps of a NEWS2 score (cloud/news2/news2.ts computes it). */
export interface News2Summary {
  total: number;
  band: News2Band;
  /** False when a parameter was missing (probe off): the total is then a lower bound, not a made-up 0. */
  complete: boolean;
  missing: readonly string[];
}

export type ShadowValue = string | number | boolean | null | ShadowValue[] | { [key: string]: ShadowValue };
export type ShadowReported = Readonly<Record<string, ShadowValue>>;

/** One row of the fleet page, like the IoT console's things list. */
export interface ThingSummary {
  thingName: string;
  ward: string | null;
  bed: string | null;
  model: string | null;
  firmware: string | null;
  connected: boolean;
  /** Last presence event or message, epoch ms (server clock). */
  lastSeenMs: number | null;
  disconnectReason: string | null;
  /** The device shadow's reported state, as last merged. */
  reported: ShadowReported;
  battery: number | null;
  messages: number;
  /** Messages the wire contract rejected (the ETL quarantines them). */
  rejected: number;
  /** Sessions of this thing pushed out by another connection with its client id (DUPLICATE_CLIENTID). */
  takeovers: number;
}

export interface LatestVitals extends MeasurementValues {
  timestampMs: number;
  on_oxygen: boolean | null;
  consciousness: Acvpu | null;
  quality: readonly QualityFlag[];
}

/** One tile of the ward board. */
export interface BedTile {
  thingName: string;
  ward: string | null;
  bed: string | null;
  connected: boolean;
  latest: LatestVitals | null;
  news2: News2Summary | null;
  /** Ground truth from the shadow's reported `scenario`: hidden on the board unless asked for. */
  scenario: string | null;
  /** Simulated time per wall-clock time, from the shadow's reported `speed` (null: not reported, real time). */
  speed: number | null;
}

/** Columnar recent history of one bed: `t` in epoch ms, each series aligned with it, null where missing. */
export interface VitalsSeries {
  thingName: string;
  t: number[];
  series: Record<SeriesName, (number | null)[]>;
}

export interface VitalsPoint {
  t: number;
  values: Record<SeriesName, number | null>;
}

export interface PipelineStats {
  asOfMs: number;
  /** Records/s entering the stream (from the rules engine), null when the stack does not say. */
  ingestMsgPerSec: number | null;
  /** Vitals/s the dashboard itself sees from the broker. */
  observedMsgPerSec: number;
  /** How far the ETL's reader is behind the stream's tip (MillisBehindLatest). */
  streamLagMs: number | null;
  /** Arrival in the stream to object written in the lake. */
  etlLagMs: number | null;
  /** Null when the stack does not report it (not zero: nobody counted). */
  quarantined: { total: number | null; byReason: Readonly<Record<string, number>> };
  /**
   * Measurement time on the device to queryable in the lake, in steady state: once the start-up burst is
   * over it is left out (during the burst these figures are the burst's).
   */
  latencyMs: { p50: number | null; p99: number | null };
  /** The stack's start-up burst, kept apart from the steady-state figures; null when the stack does not say. */
  startupBurst: StartupBurst | null;
  curatedRecords: number | null;
}

/**
 * The first seconds after the ETL's first batch: monitors connecting, outboxes and the stream's backlog
 * replaying old readings, a cold ETL. Its latency says little about the pipeline's steady state.
 */
export interface StartupBurst {
  fromMs: number;
  untilMs: number;
  /** p99 device -> queryable over the burst's batches (an upper bound: the p99 of their maxima). */
  latencyP99Ms: number | null;
}

/** One point of the pipeline page's rate chart; the feed keeps the last 5 minutes, about one a second. */
export interface PipelineSample {
  t: number;
  ingestMsgPerSec: number | null;
  observedMsgPerSec: number;
}

/** What the stack reports; the feed adds its own observations and fills the gaps with null. */
export type PipelineSourceStats = Partial<Omit<PipelineStats, 'asOfMs' | 'observedMsgPerSec'>>;

export interface NamedQueryInfo {
  name: string;
  description?: string;
}

export type QueryCell = string | number | boolean | null;

export interface QueryResult {
  name: string;
  columns: string[];
  rows: QueryCell[][];
  elapsedMs: number;
}

/** Runs the project's named queries (DuckDB locally); injected into the feed. */
export interface QueryRunner {
  list(): readonly NamedQueryInfo[] | Promise<readonly NamedQueryInfo[]>;
  run(name: string): Promise<{ columns: string[]; rows: readonly (readonly unknown[])[] }>;
}

/** Events a feed emits as things happen; the server batches them for the browser. */
export interface FeedEvents {
  presence: ThingSummary;
  shadow: ThingSummary;
  thing: ThingSummary;
  vitals: { thing: ThingSummary; tile: BedTile; point: VitalsPoint };
  pipeline: PipelineStats;
}
export type FeedEventName = keyof FeedEvents;

/** What a restore from the lake brought back. */
export interface HistoryLoad {
  beds: number;
  readings: number;
}

/** The read side the server consumes. */
export interface DashboardFeed {
  things(): ThingSummary[];
  tiles(): BedTile[];
  /** The tile of one thing, undefined until it has sent vitals. */
  tile(thingName: string): BedTile | undefined;
  recentVitals(thingName: string, sinceMs?: number): VitalsSeries | undefined;
  pipelineStats(): Promise<PipelineStats>;
  /** The rate chart's recent history (samples taken as pipeline figures are computed), oldest first. */
  pipelineHistory(sinceMs?: number): PipelineSample[];
  namedQueries(): Promise<readonly NamedQueryInfo[]>;
  runNamedQuery(name: string): Promise<QueryResult>;
  on<K extends FeedEventName>(event: K, listener: (payload: FeedEvents[K]) => void): () => void;
  /** Restores the last known readings (from the lake) once, as the server starts; optional. */
  loadHistory?(): Promise<HistoryLoad>;
}
