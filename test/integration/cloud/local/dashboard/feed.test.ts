import { describe, expect, it } from 'vitest';
import { VITALS_SCHEMA_ID, type VitalsV1 } from '../../../../../device/contract/index.ts';
import { QueryFailedError, UnknownQueryError } from '../../../../../cloud/local/dashboard/errors.ts';
import { createDashboardFeed } from '../../../../../cloud/local/dashboard/feed.ts';
import type { FeedEvents } from '../../../../../cloud/local/dashboard/feed-types.ts';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');

function vitals(overrides: Partial<VitalsV1> & { atMs: number; seq: number }): VitalsV1 {
  const { atMs, ...rest } = overrides;
  return {
    schema: VITALS_SCHEMA_ID, device_id: 'bedside-0001', patient_id: 'MRN1', timestamp: new Date(atMs).toISOString(),
    heart_rate: 72, spo2: 98, respiratory_rate: 14, systolic_bp: 124, diastolic_bp: 78, temperature_c: 36.8,
    on_oxygen: false, ward: 'Ward A', bed: '3', consciousness: 'A', battery_pct: 90, ...rest,
  };
}

function clockAt(start: number): { now: () => number; set(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => { now = ms; } };
}

describe('createDashboardFeed', () => {
  it('scores NEWS2 on every reading and puts the band on the tile', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    feed.pushVitals(vitals({ atMs: T0, seq: 0 }));
    expect(feed.tile('bedside-0001')?.news2).toEqual({ total: 0, band: 'low', complete: true, missing: [] });
    // RR 26 (3) + SpO2 90 (3) + oxygen (2) + HR 125 (2) = 10: high.
    feed.pushVitals(vitals({ atMs: T0 + 1000, seq: 1, respiratory_rate: 26, spo2: 90, on_oxygen: true, heart_rate: 125 }));
    const tile = feed.tile('bedside-0001');
    expect(tile?.news2).toMatchObject({ total: 10, band: 'high', complete: true });
    expect(tile?.latest).toMatchObject({ heart_rate: 125, spo2: 90, on_oxygen: true });
    expect(feed.recentVitals('bedside-0001')?.series.news2).toEqual([0, 10]);
  });

  it('scores a reading with the probe off as partial and charts the gap as null', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    feed.pushVitals(vitals({ atMs: T0, seq: 0, spo2: null, quality: ['spo2_probe_off'] }));
    expect(feed.tile('bedside-0001')?.news2).toMatchObject({ complete: false, missing: ['spo2'] });
    expect(feed.recentVitals('bedside-0001')?.series.spo2).toEqual([null]);
  });

  it('keeps the last 15 minutes of a bed and answers only what is newer than `since`', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    for (let s = 0; s <= 20 * 60; s += 10) feed.pushVitals(vitals({ atMs: T0 + s * 1000, seq: s, heart_rate: 60 + (s % 50) }));
    const all = feed.recentVitals('bedside-0001')!;
    expect(all.t[0]).toBe(T0 + 5 * 60_000);
    expect(all.t.at(-1)).toBe(T0 + 20 * 60_000);
    expect(all.t).toHaveLength(91);
    expect(all.series.heart_rate).toHaveLength(91);
    const recent = feed.recentVitals('bedside-0001', T0 + 19 * 60_000)!;
    expect(recent.t).toEqual([T0 + 19 * 60_000 + 10_000, T0 + 19 * 60_000 + 20_000, T0 + 19 * 60_000 + 30_000,
      T0 + 19 * 60_000 + 40_000, T0 + 19 * 60_000 + 50_000, T0 + 20 * 60_000]);
  });

  it('overwrites the oldest sample when a bed reaches its cap', () => {
    const feed = createDashboardFeed({ clock: () => T0, maxSamplesPerBed: 100 });
    for (let i = 0; i < 250; i += 1) feed.pushVitals(vitals({ atMs: T0 + i * 100, seq: i }));
    const series = feed.recentVitals('bedside-0001')!;
    expect(series.t).toHaveLength(100);
    expect(series.t[0]).toBe(T0 + 150 * 100);
  });

  it('shows the newest measurement when an outbox replay arrives late, and charts it in time order', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    feed.pushVitals(vitals({ atMs: T0 + 3000, seq: 3, heart_rate: 90 }));
    feed.pushVitals(vitals({ atMs: T0 + 1000, seq: 1, heart_rate: 70 }));
    feed.pushVitals(vitals({ atMs: T0 + 2000, seq: 2, heart_rate: 80 }));
    expect(feed.tile('bedside-0001')?.latest?.heart_rate).toBe(90);
    expect(feed.recentVitals('bedside-0001')?.series.heart_rate).toEqual([70, 80, 90]);
  });

  it('tracks presence: a disconnect event marks the thing disconnected with its reason', () => {
    const clock = clockAt(T0);
    const feed = createDashboardFeed({ clock: clock.now });
    const events: FeedEvents['presence'][] = [];
    feed.on('presence', (thing) => events.push(thing));
    feed.upsertThing({ thingName: 'bedside-0007', ward: 'Ward B', bed: '7', model: 'BM-100', firmware: '1.0.0' });
    feed.pushPresence({ clientId: 'bedside-0007', eventType: 'connected', timestamp: T0 });
    feed.pushPresence({ clientId: 'bedside-0007', eventType: 'disconnected', timestamp: T0 + 5000, disconnectReason: 'CONNECTION_LOST' });
    const [thing] = feed.things();
    expect(thing).toMatchObject({ thingName: 'bedside-0007', ward: 'Ward B', model: 'BM-100', firmware: '1.0.0', connected: false, lastSeenMs: T0 + 5000, disconnectReason: 'CONNECTION_LOST' });
    expect(events.map((event) => event.connected)).toEqual([true, false]);
    expect(thing?.takeovers).toBe(0);
    feed.pushPresence({ clientId: 'bedside-0007', eventType: 'disconnected', timestamp: T0 + 6000, disconnectReason: 'DUPLICATE_CLIENTID' });
    feed.pushPresence({ clientId: 'bedside-0007', eventType: 'disconnected', timestamp: T0 + 7000, disconnectReason: 'DUPLICATE_CLIENTID' });
    expect(feed.things()[0]?.takeovers).toBe(2);
  });

  it('merges shadow reported state as AWS does and takes firmware and scenario from it', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    feed.upsertThing({ thingName: 'bedside-0002', firmware: '1.0.0' });
    feed.pushShadowReported('bedside-0002', { firmware: '2.0.0', interval_ms: 1000, scenario: { name: 'sepsis', onset_s: 600 }, extra: 1 });
    feed.pushShadowReported('bedside-0002', { interval_ms: 500, extra: null });
    const [thing] = feed.things();
    expect(thing?.reported).toEqual({ firmware: '2.0.0', interval_ms: 500, scenario: { name: 'sepsis', onset_s: 600 } });
    expect(thing?.firmware).toBe('2.0.0');
    feed.pushVitals(vitals({ atMs: T0, seq: 0, device_id: 'bedside-0002' }));
    expect(feed.tile('bedside-0002')?.scenario).toBe('sepsis');
  });

  it('counts messages per thing and the rate it observes over whole seconds', () => {
    const clock = clockAt(T0);
    const feed = createDashboardFeed({ clock: clock.now });
    for (let second = 0; second < 5; second += 1) {
      for (let i = 0; i < 40; i += 1) {
        clock.set(T0 + second * 1000 + i * 20);
        feed.pushVitals(vitals({ atMs: clock.now(), seq: second * 40 + i }));
      }
    }
    clock.set(T0 + 5000);
    expect(feed.things()[0]?.messages).toBe(200);
    return feed.pipelineStats().then((stats) => {
      expect(stats.observedMsgPerSec).toBe(40);
      expect(stats.ingestMsgPerSec).toBeNull();
      expect(stats.quarantined.total).toBeNull();
    });
  });

  it('merges the stack’s pipeline figures with its own', async () => {
    const feed = createDashboardFeed({
      clock: () => T0,
      pipelineStats: async () => ({ ingestMsgPerSec: 2100, streamLagMs: 120, quarantined: { total: 3, byReason: { not_json: 3 } }, latencyMs: { p50: 800, p99: 2400 } }),
    });
    await expect(feed.pipelineStats()).resolves.toEqual({
      asOfMs: T0, ingestMsgPerSec: 2100, observedMsgPerSec: 0, streamLagMs: 120, etlLagMs: null,
      quarantined: { total: 3, byReason: { not_json: 3 } }, latencyMs: { p50: 800, p99: 2400 }, startupBurst: null, curatedRecords: null,
    });
  });

  it('keeps the last 5 minutes of pipeline rates, about one sample a second, for a page that opens later', async () => {
    let now = T0;
    let ingest = 0;
    const feed = createDashboardFeed({ clock: () => now, pipelineStats: () => ({ ingestMsgPerSec: (ingest += 1) }) });
    for (let second = 0; second < 400; second += 1) {
      now = T0 + second * 1000;
      await feed.pipelineStats();
      now += 100; // a page's own fetch a moment later adds no second sample
      await feed.pipelineStats();
    }
    const history = feed.pipelineHistory();
    expect(history).toHaveLength(301);
    expect(history[0]).toEqual({ t: T0 + 99_000, ingestMsgPerSec: 199, observedMsgPerSec: 0 });
    expect(history.at(-1)).toEqual({ t: T0 + 399_000, ingestMsgPerSec: 799, observedMsgPerSec: 0 });
    expect(feed.pipelineHistory(T0 + 390_000)).toHaveLength(10);
    // A stack that pushes its figures fills the history too.
    now = T0 + 400_000;
    feed.publishPipelineStats({ ingestMsgPerSec: 5 });
    expect(feed.pipelineHistory().at(-1)).toEqual({ t: T0 + 400_000, ingestMsgPerSec: 5, observedMsgPerSec: 0 });
  });

  it('runs a named query and makes DuckDB values JSON-safe', async () => {
    const feed = createDashboardFeed({
      queries: {
        list: () => [{ name: 'latest_vitals_per_bed', description: 'Latest reading per bed' }],
        run: async () => ({ columns: ['bed', 'readings', 'at', 'big', 'list'], rows: [['3', 42n, new Date(T0), 2n ** 70n, [1n, 'a']]] }),
      },
    });
    const result = await feed.runNamedQuery('latest_vitals_per_bed');
    expect(result.rows).toEqual([['3', 42, new Date(T0).toISOString(), (2n ** 70n).toString(), '["1","a"]']]);
    expect(result.columns).toEqual(['bed', 'readings', 'at', 'big', 'list']);
  });

  it('refuses an unknown query name and wraps a runner failure with its cause', async () => {
    const cause = new Error('No files found that match the pattern "data/lake/curated/**"');
    const feed = createDashboardFeed({ queries: { list: () => [{ name: 'q' }], run: async () => { throw cause; } } });
    await expect(feed.runNamedQuery('drop_table')).rejects.toBeInstanceOf(UnknownQueryError);
    const failure = await feed.runNamedQuery('q').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError).cause).toBe(cause);
    await expect(createDashboardFeed().runNamedQuery('q')).rejects.toThrow(/no query runner is wired/);
  });

  it('keeps emitting to other listeners when one throws, and stops after unsubscribe', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    const seen: number[] = [];
    feed.on('vitals', () => { throw new Error('closed tab'); });
    const off = feed.on('vitals', ({ point }) => seen.push(point.t));
    feed.pushVitals(vitals({ atMs: T0, seq: 0 }));
    off();
    feed.pushVitals(vitals({ atMs: T0 + 1000, seq: 1 }));
    expect(seen).toEqual([T0]);
  });
});
