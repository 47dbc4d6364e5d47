/**
 * The in-memory hub behind the dashboard: the local stack pushes registry, presence, shadow and vitals
 * events in; the server reads snapshots and listens to changes. Pure state plus injected functions
 * (clock, NEWS2 scorer, pipeline stats, query runner): no sockets, no files.
 */
import { measurementValues, type MeasurementField, type QualityFlag, type VitalsReading, type VitalsV1 } from '../../../device/contract/index.ts';
import { news2 } from '../../news2/news2.ts';
import { DashboardError, QueryFailedError, UnknownQueryError } from './errors.ts';
import { SERIES } from './feed-types.ts';
import type {
  BedTile, DashboardFeed, FeedEventName, FeedEvents, HistoryLoad, LatestVitals, NamedQueryInfo, News2Summary,
  PipelineSample, PipelineSourceStats, PipelineStats, QueryCell, QueryResult, QueryRunner, ShadowReported, ThingSummary, VitalsPoint,
  VitalsSeries,
} from './feed-types.ts';
import { namedQueryHistory, type HistoryReading, type VitalsHistory } from './lake-history.ts';
import { RateMeter } from './rate-meter.ts';
import { mergeReported, reportedBattery, reportedFirmware, reportedScenario, reportedSpeed } from './shadow-state.ts';
import { VitalsRing } from './vitals-ring.ts';

export type News2Scorer = (reading: VitalsReading) => News2Summary;

export interface DashboardFeedOptions {
  /** Scores each reading; default cloud/news2 (a reading has exactly the fields NEWS2 needs). */
  scoreNews2?: News2Scorer;
  /** Epoch ms; injected so tests control time. */
  clock?: () => number;
  /** History kept per bed for the bed page; default 15 minutes. */
  windowMs?: number;
  /** Cap on samples per bed (oldest overwritten); default 2,048 (15 min at over 2 Hz). */
  maxSamplesPerBed?: number;
  /** Figures from the event source, the rules engine and the lake. */
  pipelineStats?: () => PipelineSourceStats | Promise<PipelineSourceStats>;
  queries?: QueryRunner;
  /**
   * Where `loadHistory()` (called by startDashboard) finds the last known readings after a restart:
   * default the `latest-vitals-per-bed` named query of `queries` (newest reading per bed);
   * `createLakeHistory(lake)` also restores each bed's chart window; false: none.
   */
  history?: VitalsHistory | false;
  /** How far back `loadHistory()` looks; default 1 hour (the ward board's notion of a current bed). */
  historyLookbackMs?: number;
  /** How much of the pipeline's rate history `pipelineHistory()` keeps; default 5 minutes (the page's chart). */
  pipelineHistoryMs?: number;
}

/** A thing as the registry knows it (certs/ registry attributes). */
export interface ThingRegistration {
  thingName: string;
  ward?: string | null;
  bed?: string | null;
  model?: string | null;
  firmware?: string | null;
}

/** AWS IoT lifecycle event payload (`$aws/events/presence/...`), the fields the dashboard uses. */
export interface PresenceEventPayload {
  clientId: string;
  eventType: 'connected' | 'disconnected';
  /** Epoch ms. */
  timestamp?: number;
  disconnectReason?: string;
}

/** The push side, for whoever wires the stack; the server only needs `DashboardFeed`. */
export interface DashboardFeedHub extends DashboardFeed {
  upsertThing(registration: ThingRegistration): void;
  pushPresence(event: PresenceEventPayload): void;
  /** Merges a shadow `state.reported` update (`replace` for a full document, e.g. get/accepted). */
  pushShadowReported(thingName: string, reported: Readonly<Record<string, unknown>>, replace?: boolean): void;
  pushVitals(message: VitalsV1): void;
  pushReading(reading: VitalsReading): void;
  /** Counts a vitals message the contract rejected (the ETL quarantines it; the fleet page shows it). */
  countRejected(thingName: string): void;
  /** Emits fresh pipeline figures to listeners (for stacks that push rather than being polled). */
  publishPipelineStats(stats: PipelineSourceStats): PipelineStats;
  /**
   * Restores readings from the lake: tiles, charts, ward, bed, battery and last seen, not counted as
   * messages and not marking a thing connected. Readings at or after a thing's first live one are skipped.
   */
  restoreReadings(readings: readonly HistoryReading[]): HistoryLoad;
  /** Restores from the `history` source (see DashboardFeedOptions); the server calls it at start. */
  loadHistory(): Promise<HistoryLoad>;
}

const DEFAULT_WINDOW_MS = 15 * 60_000;
const DEFAULT_MAX_SAMPLES = 2048;
const DEFAULT_HISTORY_LOOKBACK_MS = 60 * 60_000;
const DEFAULT_PIPELINE_HISTORY_MS = 5 * 60_000;
/** Figures computed more often than this (several pages, a page's own fetch) add no sample. */
const PIPELINE_SAMPLE_MIN_GAP_MS = 500;

/** The fields a stored reading needs, live (VitalsReading) or restored (HistoryReading). */
type StoredReading = Pick<HistoryReading, 'measured_at_ms' | MeasurementField | 'on_oxygen' | 'consciousness'> & { quality: readonly QualityFlag[] };

interface ThingState {
  thingName: string;
  ward: string | null;
  bed: string | null;
  model: string | null;
  registeredFirmware: string | null;
  connected: boolean;
  lastSeenMs: number | null;
  disconnectReason: string | null;
  reported: ShadowReported;
  battery: number | null;
  messages: number;
  rejected: number;
  takeovers: number;
  latest: LatestVitals | null;
  news2: News2Summary | null;
  ring: VitalsRing | null;
  /** Measurement time of the first reading that arrived live (Infinity until one does). */
  firstLiveMs: number;
}

export function createDashboardFeed(options: DashboardFeedOptions = {}): DashboardFeedHub {
  const scoreNews2 = options.scoreNews2 ?? news2;
  const clock = options.clock ?? Date.now;
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const maxSamples = options.maxSamplesPerBed ?? DEFAULT_MAX_SAMPLES;
  const state = new Map<string, ThingState>();
  const listeners = new Map<FeedEventName, Set<(payload: never) => void>>();
  const observed = new RateMeter(5);
  const pipelineHistoryMs = options.pipelineHistoryMs ?? DEFAULT_PIPELINE_HISTORY_MS;
  const pipelineSamples: PipelineSample[] = [];
  let lastPublished: PipelineSourceStats = {};

  function emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void {
    for (const listener of listeners.get(event) ?? []) {
      // A broken listener (a closed browser) must not stop the stack's event loop.
      try { (listener as (value: FeedEvents[K]) => void)(payload); } catch { /* listener's own problem */ }
    }
  }

  function thingState(thingName: string): ThingState {
    let thing = state.get(thingName);
    if (thing === undefined) {
      thing = {
        thingName, ward: null, bed: null, model: null, registeredFirmware: null, connected: false,
        lastSeenMs: null, disconnectReason: null, reported: {}, battery: null, messages: 0, rejected: 0, takeovers: 0,
        latest: null, news2: null, ring: null, firstLiveMs: Number.POSITIVE_INFINITY,
      };
      state.set(thingName, thing);
    }
    return thing;
  }

  function summary(thing: ThingState): ThingSummary {
    return {
      thingName: thing.thingName,
      ward: thing.ward,
      bed: thing.bed,
      model: thing.model,
      firmware: reportedFirmware(thing.reported) ?? thing.registeredFirmware,
      connected: thing.connected,
      lastSeenMs: thing.lastSeenMs,
      disconnectReason: thing.disconnectReason,
      reported: thing.reported,
      battery: thing.battery ?? reportedBattery(thing.reported),
      messages: thing.messages,
      rejected: thing.rejected,
      takeovers: thing.takeovers,
    };
  }

  function tile(thing: ThingState): BedTile {
    return {
      thingName: thing.thingName,
      ward: thing.ward,
      bed: thing.bed,
      connected: thing.connected,
      latest: thing.latest,
      news2: thing.news2,
      scenario: reportedScenario(thing.reported),
      speed: reportedSpeed(thing.reported),
    };
  }

  function pushReading(reading: VitalsReading): void {
    const now = clock();
    observed.count(now);
    const thing = thingState(reading.device_id);
    thing.messages += 1;
    thing.lastSeenMs = now;
    // A monitor that publishes is connected, even if its presence event has not reached us yet.
    thing.connected = true;
    thing.ward = reading.ward ?? thing.ward;
    thing.bed = reading.bed ?? thing.bed;
    if (reading.battery_pct !== null) thing.battery = reading.battery_pct;
    if (reading.measured_at_ms < thing.firstLiveMs) thing.firstLiveMs = reading.measured_at_ms;
    const score = scoreNews2(reading);
    const point = store(thing, reading, { total: score.total, band: score.band, complete: score.complete, missing: score.missing });
    emit('vitals', { thing: summary(thing), tile: tile(thing), point });
  }

  /** Into the bed's ring, and onto its tile when it is the newest measurement. */
  function store(thing: ThingState, reading: StoredReading, score: News2Summary): VitalsPoint {
    const point: VitalsPoint = {
      t: reading.measured_at_ms,
      values: { ...measurementValues((name) => reading[name]), news2: score.total },
    };
    thing.ring ??= new VitalsRing(maxSamples);
    thing.ring.push(point);
    // Outbox replays carry old readings: the tile shows the newest measurement, not the last to arrive.
    if (thing.latest === null || reading.measured_at_ms >= thing.latest.timestampMs) {
      thing.latest = {
        timestampMs: reading.measured_at_ms,
        ...measurementValues((name) => reading[name]),
        on_oxygen: reading.on_oxygen,
        consciousness: reading.consciousness,
        quality: reading.quality,
      };
      thing.news2 = score;
    }
    return point;
  }

  function restoreReadings(readings: readonly HistoryReading[]): HistoryLoad {
    const touched = new Set<ThingState>();
    let restored = 0;
    for (const reading of [...readings].sort((a, b) => a.measured_at_ms - b.measured_at_ms)) {
      const thing = thingState(reading.device_id);
      // From its first live reading on, a bed's own messages say it all; older lake rows fill in before.
      if (!(reading.measured_at_ms < thing.firstLiveMs)) continue;
      thing.ward ??= reading.ward;
      thing.bed ??= reading.bed;
      if (thing.firstLiveMs === Number.POSITIVE_INFINITY && reading.battery_pct !== null) thing.battery = reading.battery_pct;
      if (thing.lastSeenMs === null || reading.measured_at_ms > thing.lastSeenMs) thing.lastSeenMs = reading.measured_at_ms;
      store(thing, reading, reading.news2);
      touched.add(thing);
      restored += 1;
    }
    for (const thing of touched) emit('thing', summary(thing));
    return { beds: touched.size, readings: restored };
  }

  async function pipelineStats(): Promise<PipelineStats> {
    // A stack that pushes its figures (publishPipelineStats) is answered with the last ones it pushed.
    const source = options.pipelineStats === undefined ? lastPublished : await options.pipelineStats();
    return completeStats(source);
  }

  function completeStats(source: PipelineSourceStats): PipelineStats {
    const stats: PipelineStats = {
      asOfMs: clock(),
      ingestMsgPerSec: source.ingestMsgPerSec ?? null,
      observedMsgPerSec: observed.perSecond(clock()),
      streamLagMs: source.streamLagMs ?? null,
      etlLagMs: source.etlLagMs ?? null,
      quarantined: source.quarantined ?? { total: null, byReason: {} },
      latencyMs: source.latencyMs ?? { p50: null, p99: null },
      startupBurst: source.startupBurst ?? null,
      curatedRecords: source.curatedRecords ?? null,
    };
    recordSample(stats);
    return stats;
  }

  /** The rate chart's history lives here, so a page loaded now shows the last minutes, not an empty chart. */
  function recordSample(stats: PipelineStats): void {
    const last = pipelineSamples.at(-1);
    if (last !== undefined && stats.asOfMs - last.t < PIPELINE_SAMPLE_MIN_GAP_MS) return;
    pipelineSamples.push({ t: stats.asOfMs, ingestMsgPerSec: stats.ingestMsgPerSec, observedMsgPerSec: stats.observedMsgPerSec });
    while (pipelineSamples.length > 0 && pipelineSamples[0]!.t < stats.asOfMs - pipelineHistoryMs) pipelineSamples.shift();
  }

  async function namedQueries(): Promise<readonly NamedQueryInfo[]> {
    return options.queries === undefined ? [] : await options.queries.list();
  }

  return {
    things: () => [...state.values()].map(summary),
    tiles: () => [...state.values()].filter((thing) => thing.latest !== null).map(tile),
    tile(thingName) {
      const thing = state.get(thingName);
      return thing === undefined || thing.latest === null ? undefined : tile(thing);
    },
    recentVitals(thingName, sinceMs = Number.NEGATIVE_INFINITY): VitalsSeries | undefined {
      const thing = state.get(thingName);
      if (thing === undefined) return undefined;
      if (thing.ring === null) return { thingName, t: [], series: emptySeries() };
      return { thingName, ...thing.ring.read(sinceMs, windowMs) };
    },
    pipelineStats,
    pipelineHistory: (sinceMs = Number.NEGATIVE_INFINITY) => pipelineSamples.filter((sample) => sample.t >= sinceMs),
    namedQueries,
    async runNamedQuery(name): Promise<QueryResult> {
      const known = (await namedQueries()).map((query) => query.name);
      if (options.queries === undefined || !known.includes(name)) throw new UnknownQueryError(name, known);
      const started = clock();
      try {
        const result = await options.queries.run(name);
        return { name, columns: result.columns, rows: result.rows.map((row) => row.map(toCell)), elapsedMs: clock() - started };
      } catch (error) {
        throw error instanceof DashboardError ? error : new QueryFailedError(name, error);
      }
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) listeners.set(event, (set = new Set()));
      const stored = listener as (payload: never) => void;
      set.add(stored);
      return () => { set.delete(stored); };
    },
    upsertThing(registration) {
      const thing = thingState(registration.thingName);
      thing.ward = registration.ward ?? thing.ward;
      thing.bed = registration.bed ?? thing.bed;
      thing.model = registration.model ?? thing.model;
      thing.registeredFirmware = registration.firmware ?? thing.registeredFirmware;
      emit('thing', summary(thing));
    },
    pushPresence(event) {
      const thing = thingState(event.clientId);
      thing.connected = event.eventType === 'connected';
      thing.lastSeenMs = event.timestamp ?? clock();
      thing.disconnectReason = event.eventType === 'disconnected' ? (event.disconnectReason ?? 'UNKNOWN') : null;
      // Another connection with this client id pushed this session out: the thing runs in two places.
      if (thing.disconnectReason === 'DUPLICATE_CLIENTID') thing.takeovers++;
      emit('presence', summary(thing));
    },
    pushShadowReported(thingName, reported, replace = false) {
      const thing = thingState(thingName);
      thing.reported = mergeReported(replace ? {} : thing.reported, reported);
      emit('shadow', summary(thing));
    },
    pushVitals(message) {
      const measuredAt = Date.parse(message.timestamp);
      if (!Number.isFinite(measuredAt)) throw new RangeError(`vitals from ${message.device_id} have an unreadable timestamp "${message.timestamp}"`);
      pushReading({
        ...message,
        ...measurementValues((name) => message[name]),
        source_schema: message.schema,
        time_scale: message.time_scale ?? 1,
        timestamp: new Date(measuredAt).toISOString(),
        measured_at_ms: measuredAt,
        spo2_scale: message.spo2_scale ?? 1,
        quality: message.quality ?? [],
      });
    },
    pushReading,
    countRejected(thingName) {
      const thing = thingState(thingName);
      thing.rejected += 1;
      thing.lastSeenMs = clock();
    },
    publishPipelineStats(source) {
      lastPublished = source;
      const stats = completeStats(source);
      emit('pipeline', stats);
      return stats;
    },
    restoreReadings,
    async loadHistory() {
      const source = options.history === false ? undefined
        : options.history ?? (options.queries === undefined ? undefined : namedQueryHistory(options.queries));
      if (source === undefined) return { beds: 0, readings: 0 };
      const since = clock() - (options.historyLookbackMs ?? DEFAULT_HISTORY_LOOKBACK_MS);
      return restoreReadings(await source.recent(since));
    },
  };
}

function emptySeries(): VitalsSeries['series'] {
  return Object.fromEntries(SERIES.map((name) => [name, []])) as unknown as VitalsSeries['series'];
}

/** DuckDB hands back BigInt, Date and nested values: make every cell JSON-safe. */
function toCell(value: unknown): QueryCell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string': case 'boolean': return value;
    case 'number': return Number.isFinite(value) ? value : String(value);
    case 'bigint': return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    default:
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
      return typeof (value as { toString?: unknown }).toString === 'function' && (value as object).toString !== Object.prototype.toString
        ? String(value)
        : JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  }
}
