/**
 * The plausible-time window (DESIGN §5), defined once: the ETL curates a reading only if its measurement
 * time lies inside it, and the Glue tables' partition projection (cloud/sql/glue-table.ts) projects the
 * same range, so the lake never holds a curated row that Athena cannot see (DuckDB would show a
 * dt=9999-12-31 partition; Athena's projection never lists it). A reading outside is quarantined as
 * bad_timestamp.
 */

export const PLAUSIBLE_TIME = {
  /** How far back a measurement may be: a monitor's outbox drains late, never years late. */
  pastYears: 3,
  /** How far ahead: a device clock a little fast, a day at most. */
  futureDays: 1,
} as const;

/** The dt projection range of the Glue tables (Athena evaluates NOW when it plans a query). */
export const DT_PROJECTION_RANGE = `NOW-${PLAUSIBLE_TIME.pastYears}YEARS,NOW+${PLAUSIBLE_TIME.futureDays}DAYS`;

const DAY_MS = 86_400_000;

export interface TimeWindow {
  /** First plausible instant, epoch ms (inclusive). */
  fromMs: number;
  /** Last plausible instant, epoch ms (inclusive). */
  toMs: number;
}

/**
 * The window at `nowMs`. The start is the first UTC midnight at or after now - 3 years: the projection
 * compares whole dt dates with NOW-3YEARS, so a reading from earlier that day could fall in a dt the
 * projection leaves out. The end is now + 1 day: its dt is never after NOW+1DAYS's date, and NOW only
 * grows after the write. (Older rows leave Athena's view as NOW moves on: the projection is a retention
 * horizon as well.)
 */
export function plausibleWindow(nowMs: number): TimeWindow {
  const start = new Date(nowMs);
  start.setUTCFullYear(start.getUTCFullYear() - PLAUSIBLE_TIME.pastYears);
  const startMs = start.getTime();
  const fromMs = Math.ceil(startMs / DAY_MS) * DAY_MS;
  return { fromMs, toMs: nowMs + PLAUSIBLE_TIME.futureDays * DAY_MS };
}

/** Why `measuredAtMs` is outside `window`, or undefined when it is inside. */
export function outsideWindow(measuredAtMs: number, window: TimeWindow): string | undefined {
  if (measuredAtMs >= window.fromMs && measuredAtMs <= window.toMs) return undefined;
  const bound = measuredAtMs < window.fromMs ? `before the plausible window's start ${iso(window.fromMs)}` : `after the plausible window's end ${iso(window.toMs)}`;
  return `measured at ${iso(measuredAtMs)}, ${bound}: readings are curated from ${iso(window.fromMs)} to ${iso(window.toMs)} `
    + `(ingest time - ${PLAUSIBLE_TIME.pastYears} years, from the next UTC midnight, to + ${PLAUSIBLE_TIME.futureDays} day: `
    + `the Glue partition projection's range ${DT_PROJECTION_RANGE})`;
}

/** ISO-8601 of an instant; a value beyond Date's range (no reading reaches it) shown as the number. */
function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}
