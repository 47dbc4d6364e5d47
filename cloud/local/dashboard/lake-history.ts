/**
 * What the lake remembers of each bed, for a dashboard that has just started: the feed lives in memory,
 * so after a restart the ward board would stay empty until every monitor had sent again. A history
 * source answers with recent readings as the ETL curated them (its NEWS2 score included: it used the
 * right SpO2 scale), and the feed restores tiles and charts from them.
 *
 * Two sources: `createLakeHistory` reads the `vitals` view (deduplicated) in DuckDB, each bed's last
 * window of readings; `namedQueryHistory` uses any query runner's `latest-vitals-per-bed` (the same SQL
 * Athena runs), which gives the newest reading of each bed heard from in the last hour.
 */
import { LakeEmptyError } from '../../query/errors.ts';
import { openLake, type Lake } from '../../query/lake.ts';
import { NEWS2_PARAMETERS, type News2Band } from '../../news2/news2.ts';
import { MEASUREMENT_FIELDS, measurementValues, type Acvpu, type MeasurementValues, type QualityFlag } from '../../../device/contract/index.ts';
import type { News2Summary, QueryRunner } from './feed-types.ts';

/** One reading as the lake holds it, in the shape the feed restores. */
export interface HistoryReading extends MeasurementValues {
  device_id: string;
  ward: string | null;
  bed: string | null;
  measured_at_ms: number;
  on_oxygen: boolean | null;
  consciousness: Acvpu | null;
  quality: QualityFlag[];
  battery_pct: number | null;
  news2: News2Summary;
}

/** Where a starting dashboard gets its last known readings from. */
export interface VitalsHistory {
  /** Readings measured at or after `sinceMs` (epoch ms); [] when there is nothing (no lake yet). */
  recent(sinceMs: number): Promise<HistoryReading[]>;
}

export interface LakeHistoryOptions {
  /** Per bed, readings within this long before its newest one; default 15 minutes (the bed page's window). */
  windowMs?: number;
  /** At most this many readings per bed (the feed's ring keeps no more); default 2,048. */
  maxPerBed?: number;
  /**
   * At most about this many readings in all, shared evenly by the beds (each keeps its newest); default
   * 100,000 (a hundred beds' 15 minutes at 1 Hz), so a big fleet's lake does not flood a ward-sized page.
   */
  maxReadings?: number;
}

export const LATEST_VITALS_QUERY = 'latest-vitals-per-bed';

const BANDS: ReadonlySet<string> = new Set<News2Band>(['low', 'low-medium', 'medium', 'high']);

/**
 * Each bed's last `windowMs` of readings since `sinceMs`, from the deduplicated `vitals` view. The partition
 * filter names the hours the window touches, so DuckDB opens only those files (as the named queries do).
 * DuckDB SQL (the dashboard is local only), not one of the Athena named queries.
 */
export function recentVitalsSql(sinceMs: number, options: LakeHistoryOptions = {}): string {
  const windowMs = Math.max(0, Math.round(options.windowMs ?? 15 * 60_000));
  const maxPerBed = Math.max(1, Math.round(options.maxPerBed ?? 2048));
  const maxReadings = Math.max(1, Math.round(options.maxReadings ?? 100_000));
  const since = new Date(Math.floor(sinceMs));
  if (Number.isNaN(since.getTime())) throw new RangeError(`sinceMs must be a time in ms (got ${sinceMs})`);
  const dt = since.toISOString().slice(0, 10);
  const hour = since.toISOString().slice(11, 13);
  const timestamp = since.toISOString().replace('T', ' ').replace('Z', '');
  return `
WITH recent AS (
  SELECT * FROM vitals
  WHERE (dt > '${dt}' OR (dt = '${dt}' AND hour >= '${hour}'))
    AND measured_at >= TIMESTAMP '${timestamp}'
), share AS (
  SELECT least(${maxPerBed}, greatest(1, CAST(floor(${maxReadings} / count(DISTINCT device_id)) AS BIGINT))) AS per_bed FROM recent
)
SELECT device_id, ward, bed, epoch_ms(measured_at) AS measured_at_ms,
  ${MEASUREMENT_FIELDS.join(', ')}, on_oxygen, consciousness,
  quality_flags, battery_pct, news2_total, news2_band, news2_complete, news2_missing
FROM (
  SELECT r.*,
    max(measured_at) OVER (PARTITION BY device_id) AS newest,
    row_number() OVER (PARTITION BY device_id ORDER BY measured_at DESC, seq DESC) AS recency
  FROM recent r
) AS ranked, share
WHERE recency <= share.per_bed AND measured_at > newest - INTERVAL ${windowMs} MILLISECOND
ORDER BY device_id, measured_at, recency DESC`;
}

/** History from the local lake in DuckDB: a lake directory (opened per call) or an opener the caller shares. */
export function createLakeHistory(lake: string | (() => Promise<Lake>), options: LakeHistoryOptions = {}): VitalsHistory {
  return {
    async recent(sinceMs) {
      let opened: Lake;
      try {
        opened = typeof lake === 'string' ? await openLake(lake) : await lake();
      } catch (error) {
        if (error instanceof LakeEmptyError) return [];
        throw error;
      }
      try {
        const result = await opened.query(recentVitalsSql(sinceMs, options));
        return readingsFromRows(result.columns, result.rows);
      } finally {
        if (typeof lake === 'string') opened.close();
      }
    },
  };
}

/**
 * History from a query runner's `latest-vitals-per-bed`: the newest reading of each bed heard from in the
 * last hour (the query's own window; `sinceMs` trims it). No quality flags or battery in that query: a
 * restored tile shows the values and the lake's NEWS2, and "partial" where a value is missing.
 */
export function namedQueryHistory(queries: QueryRunner): VitalsHistory {
  return {
    async recent(sinceMs) {
      const known = await queries.list();
      if (!known.some((query) => query.name === LATEST_VITALS_QUERY)) return [];
      let result;
      try {
        result = await queries.run(LATEST_VITALS_QUERY);
      } catch (error) {
        if (error instanceof LakeEmptyError || (error instanceof Error && error.cause instanceof LakeEmptyError)) return [];
        throw error;
      }
      return readingsFromRows(result.columns, result.rows).filter((reading) => reading.measured_at_ms >= sinceMs);
    },
  };
}

/** Maps query rows by column name; rows without a device or a readable time are skipped. */
export function readingsFromRows(columns: readonly string[], rows: readonly (readonly unknown[])[]): HistoryReading[] {
  const index = new Map(columns.map((name, i) => [name, i]));
  const readings: HistoryReading[] = [];
  for (const row of rows) {
    const cell = (name: string): unknown => (index.has(name) ? row[index.get(name)!] : undefined);
    const num = (name: string): number | null => {
      const value = cell(name);
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      return Number.isFinite(number) ? number : null;
    };
    const text = (name: string): string | null => (typeof cell(name) === 'string' ? cell(name) as string : null);
    const list = (name: string): string[] => (text(name) ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
    const deviceId = text('device_id');
    const measuredAt = num('measured_at_ms') ?? parseUtcTimestamp(cell('measured_at'));
    if (deviceId === null || measuredAt === null) continue;
    const reading: Omit<HistoryReading, 'news2'> = {
      device_id: deviceId,
      ward: text('ward'),
      bed: text('bed'),
      measured_at_ms: measuredAt,
      ...measurementValues(num),
      on_oxygen: typeof cell('on_oxygen') === 'boolean' ? cell('on_oxygen') as boolean : null,
      consciousness: (text('consciousness') as Acvpu | null),
      quality: list('quality_flags') as QualityFlag[],
      battery_pct: num('battery_pct'),
    };
    const missing = index.has('news2_missing') ? list('news2_missing') : missingParameters(reading);
    const band = text('news2_band');
    readings.push({
      ...reading,
      news2: {
        total: num('news2_total') ?? 0,
        band: band !== null && BANDS.has(band) ? band as News2Band : 'low',
        complete: typeof cell('news2_complete') === 'boolean' ? cell('news2_complete') as boolean : missing.length === 0,
        missing,
      },
    });
  }
  return readings;
}

/** The NEWS2 parameters a reading lacks, in chart order (when the query does not say). */
function missingParameters(reading: Omit<HistoryReading, 'news2'>): string[] {
  const present: Record<string, boolean> = {
    respiration: reading.respiratory_rate !== null, spo2: reading.spo2 !== null, air_or_oxygen: reading.on_oxygen !== null,
    systolic_bp: reading.systolic_bp !== null, pulse: reading.heart_rate !== null, consciousness: reading.consciousness !== null,
    temperature: reading.temperature_c !== null,
  };
  return NEWS2_PARAMETERS.filter((parameter) => !present[parameter]);
}

/** DuckDB's JSON rows give TIMESTAMP as "YYYY-MM-DD HH:MM:SS[.fff]" in the session's zone (UTC). */
function parseUtcTimestamp(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const iso = value.includes('T') ? value : value.replace(' ', 'T');
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  return Number.isFinite(ms) ? ms : null;
}
