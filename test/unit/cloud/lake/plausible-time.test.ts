import { describe, expect, it } from 'vitest';
import { curatedGlueTableInput, rollupGlueTableInput } from '../../../../cloud/sql/glue-table.ts';
import { DT_PROJECTION_RANGE, outsideWindow, PLAUSIBLE_TIME, plausibleWindow } from '../../../../cloud/lake/plausible-time.ts';

const NOW = Date.parse('2026-12-05T03:15:00.000Z');

describe('the plausible-time window', () => {
  it('is the range both Glue tables project dt over', () => {
    expect(DT_PROJECTION_RANGE).toBe(`NOW-${PLAUSIBLE_TIME.pastYears}YEARS,NOW+${PLAUSIBLE_TIME.futureDays}DAYS`);
    expect(curatedGlueTableInput('lake-bucket', 'db').parameters['projection.dt.range']).toBe(DT_PROJECTION_RANGE);
    expect(rollupGlueTableInput('lake-bucket', 'db').parameters['projection.dt.range']).toBe(DT_PROJECTION_RANGE);
  });

  it('runs from the first UTC midnight after now - 3 years to now + 1 day', () => {
    expect(plausibleWindow(NOW)).toEqual({ fromMs: Date.parse('2023-12-06T00:00:00.000Z'), toMs: Date.parse('2026-12-06T03:15:00.000Z') });
    // At midnight exactly the start is that midnight.
    expect(plausibleWindow(Date.parse('2026-12-05T00:00:00.000Z')).fromMs).toBe(Date.parse('2023-12-05T00:00:00.000Z'));
  });

  it('holds only dt partitions the projection lists at the time of the write', () => {
    const { fromMs, toMs } = plausibleWindow(NOW);
    // Athena lists the dates from NOW-3YEARS to NOW+1DAYS: every dt of the window is a whole date inside.
    const projectedFrom = Date.parse('2023-12-05T03:15:00.000Z');
    const dayOf = (ms: number): number => Date.parse(new Date(ms).toISOString().slice(0, 10));
    expect(dayOf(fromMs)).toBeGreaterThanOrEqual(projectedFrom);
    expect(dayOf(toMs)).toBeLessThanOrEqual(NOW + 86_400_000);
  });

  it('says which bound a time is outside and what the window is', () => {
    const window = plausibleWindow(NOW);
    expect(outsideWindow(window.fromMs, window)).toBeUndefined();
    expect(outsideWindow(window.toMs, window)).toBeUndefined();
    expect(outsideWindow(Date.parse('9999-12-31T00:00:00Z'), window)).toMatch(/^measured at 9999-12-31T00:00:00.000Z, after the plausible window's end 2026-12-06T03:15:00.000Z: .*NOW-3YEARS,NOW\+1DAYS/);
    expect(outsideWindow(Date.parse('0000-01-01T00:00:00Z'), window)).toMatch(/before the plausible window's start 2023-12-06T00:00:00.000Z/);
  });
});
