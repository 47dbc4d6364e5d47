import { get, request, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VITALS_SCHEMA_ID, type VitalsV1 } from '../../../../../device/contract/index.ts';
import { createDashboardFeed, type DashboardFeedHub } from '../../../../../cloud/local/dashboard/feed.ts';
import type { BedTile, QueryRunner, ThingSummary } from '../../../../../cloud/local/dashboard/feed-types.ts';
import { startDashboard, type RunningDashboard } from '../../../../../cloud/local/dashboard/server.ts';
import { openEventStream, type SseClient } from './event-stream-client.ts';

const running: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.close();
});

function reading(thing: number, seq: number, atMs: number, heartRate = 80): VitalsV1 {
  const name = `bedside-${String(thing).padStart(4, '0')}`;
  return {
    schema: VITALS_SCHEMA_ID, device_id: name, patient_id: `MRN${thing}`, seq, timestamp: new Date(atMs).toISOString(),
    heart_rate: heartRate, spo2: 97, respiratory_rate: 16, systolic_bp: 120, diastolic_bp: 75, temperature_c: 36.9,
    on_oxygen: false, ward: 'Ward A', bed: String(thing), consciousness: 'A', battery_pct: 80,
  };
}

async function start(options: { queries?: QueryRunner; flushIntervalMs?: number; thingsIntervalMs?: number } = {}): Promise<{ feed: DashboardFeedHub; dashboard: RunningDashboard }> {
  const feed = createDashboardFeed({ ...(options.queries ? { queries: options.queries } : {}) });
  const dashboard = await startDashboard({
    feed, host: '127.0.0.1', port: 0, flushIntervalMs: options.flushIntervalMs ?? 250, thingsIntervalMs: options.thingsIntervalMs ?? 1000,
  });
  running.push(dashboard);
  return { feed, dashboard };
}

async function stream(url: string): Promise<SseClient> {
  const client = await openEventStream(url);
  running.push(client);
  return client;
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() as T };
}

describe('startDashboard', () => {
  it('serves the five pages, their scripts and uPlot from node_modules', async () => {
    const { dashboard } = await start();
    for (const path of ['/', '/ward.html', '/bed.html', '/pipeline.html', '/query.html', '/fleet.js', '/app.css', '/vendor/uPlot.esm.js', '/vendor/uPlot.min.css']) {
      const response = await fetch(dashboard.url + path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      await response.arrayBuffer();
    }
    const page = await (await fetch(`${dashboard.url}/ward.html`)).text();
    expect(page).toContain('<script type="module" src="/ward.js">');
    expect((await fetch(`${dashboard.url}/vendor/uPlot.esm.js`)).headers.get('content-type')).toContain('text/javascript');
  });

  it('answers 404 with a hint for unknown paths and never serves files outside public/', async () => {
    const { dashboard } = await start();
    for (const path of ['/nope.html', '/../feed.ts', '/%2e%2e/server.ts', '/api/nope']) {
      const response = await fetch(dashboard.url + path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: string }).error).toMatch(/nothing at|no endpoint/);
    }
  });

  it('refuses a request whose Host header is not the dashboard (DNS rebinding)', async () => {
    const { dashboard } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${dashboard.url}/api/things`, { headers: { host: 'evil.example:80' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    expect((await fetch(`${dashboard.url.replace('127.0.0.1', 'localhost')}/api/things`)).status).toBe(200);
  });

  it('answers things, tiles and a bed’s recent vitals as JSON', async () => {
    const { feed, dashboard } = await start();
    const t0 = Date.now() - 60_000;
    for (let s = 0; s < 60; s += 1) feed.pushVitals(reading(1, s, t0 + s * 1000, 70 + s));
    const things = await json<ThingSummary[]>(`${dashboard.url}/api/things`);
    expect(things.body).toHaveLength(1);
    expect(things.body[0]).toMatchObject({ thingName: 'bedside-0001', messages: 60, connected: true });
    const tiles = await json<BedTile[]>(`${dashboard.url}/api/tiles`);
    expect(tiles.body[0]?.latest?.heart_rate).toBe(129);
    const bed = await json<{ t: number[]; series: { heart_rate: number[] } }>(`${dashboard.url}/api/beds/bedside-0001/vitals?since=${t0 + 49_000}`);
    expect(bed.body.t).toHaveLength(10);
    expect(bed.body.series.heart_rate).toEqual([120, 121, 122, 123, 124, 125, 126, 127, 128, 129]);
    expect((await json(`${dashboard.url}/api/beds/bedside-9999/vitals`)).status).toBe(404);
  });

  it('runs named queries: 200 with rows, 404 for an unknown name, 502 when the runner fails', async () => {
    const { dashboard } = await start({
      queries: {
        list: () => [{ name: 'ok', description: 'works' }, { name: 'broken' }],
        run: async (name) => {
          if (name === 'broken') throw new Error('IO Error: No files found');
          return { columns: ['ward', 'n'], rows: [['Ward A', 3n]] };
        },
      },
    });
    expect((await json(`${dashboard.url}/api/queries`)).body).toEqual([{ name: 'ok', description: 'works' }, { name: 'broken' }]);
    const ok = await json<{ rows: unknown[][] }>(`${dashboard.url}/api/queries/ok/run`, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(ok.body.rows).toEqual([['Ward A', 3]]);
    expect((await json(`${dashboard.url}/api/queries/missing/run`, { method: 'POST' })).status).toBe(404);
    const broken = await json<{ error: string }>(`${dashboard.url}/api/queries/broken/run`, { method: 'POST' });
    expect(broken.status).toBe(502);
    expect(broken.body.error).toContain('No files found');
  });

  it('batches a burst of 2,000 vitals into a few event-stream frames, latest value per bed', async () => {
    const { feed, dashboard } = await start({ flushIntervalMs: 250 });
    const client = await stream(`${dashboard.url}/api/events?topics=tiles,things`);
    await client.waitFor((frames) => frames.some((frame) => frame.event === 'hello'));
    const t0 = Date.now();
    // 50 beds x 40 readings, pushed within one flush period.
    for (let seq = 0; seq < 40; seq += 1) {
      for (let thing = 1; thing <= 50; thing += 1) feed.pushVitals(reading(thing, seq, t0 + seq * 25, 60 + seq));
    }
    await client.waitFor((frames) => frames.some((frame) => frame.event === 'tiles'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const tileFrames = client.frames.filter((frame) => frame.event === 'tiles');
    expect(tileFrames.length).toBeLessThanOrEqual(2);
    // The fleet list goes out at most once a second.
    expect(client.frames.filter((frame) => frame.event === 'things').length).toBe(1);
    const latest = new Map<string, BedTile>();
    for (const frame of tileFrames) for (const tile of frame.data as BedTile[]) latest.set(tile.thingName, tile);
    expect(latest.size).toBe(50);
    expect([...latest.values()].every((tile) => tile.latest?.heart_rate === 99)).toBe(true);
  });

  it('sends every point of a watched bed, and only to the page watching it', async () => {
    const { feed, dashboard } = await start({ flushIntervalMs: 100 });
    const watching = await stream(`${dashboard.url}/api/events?topics=points&bed=bedside-0002`);
    const other = await stream(`${dashboard.url}/api/events?topics=points&bed=bedside-0003`);
    await watching.waitFor((frames) => frames.length > 0);
    await other.waitFor((frames) => frames.length > 0);
    const t0 = Date.now();
    for (let seq = 0; seq < 12; seq += 1) {
      feed.pushVitals(reading(2, seq, t0 + seq * 1000, 70 + seq));
      feed.pushVitals(reading(1, seq, t0 + seq * 1000));
    }
    const pointsOf = (client: SseClient): { t: number }[] => client.frames
      .filter((frame) => frame.event === 'points')
      .flatMap((frame) => (frame.data as { points: { t: number }[] }).points);
    await watching.waitFor(() => pointsOf(watching).length === 12);
    expect(pointsOf(watching).map((point) => point.t)).toEqual(Array.from({ length: 12 }, (_, i) => t0 + i * 1000));
    expect(pointsOf(other)).toEqual([]);
  });

  it('pushes pipeline figures about once a second to pages that watch them', async () => {
    let calls = 0;
    const feed = createDashboardFeed({ pipelineStats: () => ({ ingestMsgPerSec: 2000 + (calls += 1) }) });
    const dashboard = await startDashboard({ feed, port: 0, pipelineIntervalMs: 200, flushIntervalMs: 50 });
    running.push(dashboard);
    const client = await stream(`${dashboard.url}/api/events?topics=pipeline`);
    await client.waitFor((frames) => frames.filter((frame) => frame.event === 'pipeline').length >= 3, 5000);
    const figures = client.frames.filter((frame) => frame.event === 'pipeline').map((frame) => (frame.data as { ingestMsgPerSec: number }).ingestMsgPerSec);
    expect(new Set(figures).size).toBe(figures.length);
    expect(figures[0]).toBeGreaterThan(2000);
  });

  it('serves the pipeline rates of the last minutes, sampled while no page watched, to a page that opens later', async () => {
    let calls = 0;
    const feed = createDashboardFeed({ pipelineStats: () => ({ ingestMsgPerSec: (calls += 1) }) });
    const dashboard = await startDashboard({ feed, port: 0, pipelineIntervalMs: 100 });
    running.push(dashboard);
    await expect.poll(async () => (await json<unknown[]>(`${dashboard.url}/api/pipeline/history`)).body.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    const { status, body } = await json<{ t: number; ingestMsgPerSec: number; observedMsgPerSec: number }[]>(`${dashboard.url}/api/pipeline/history`);
    expect(status).toBe(200);
    expect(body.map((sample) => sample.t)).toEqual([...body.map((sample) => sample.t)].sort((a, b) => a - b));
    expect(body[0]).toEqual({ t: expect.any(Number), ingestMsgPerSec: expect.any(Number), observedMsgPerSec: 0 });
    const since = body[1]!.t;
    const later = (await json<{ t: number }[]>(`${dashboard.url}/api/pipeline/history?since=${since}`)).body;
    expect(later[0]!.t).toBe(since);
    expect(later.every((sample) => sample.t >= since)).toBe(true);
  });

  it('ends open event streams on close() and reports a busy port clearly', async () => {
    const { dashboard } = await start();
    const client = await openEventStream(`${dashboard.url}/api/events`);
    const feed = createDashboardFeed();
    await expect(startDashboard({ feed, port: dashboard.port })).rejects.toThrow(/port is in use/);
    await dashboard.close();
    running.splice(running.indexOf(dashboard), 1);
    await expect(Promise.race([client.ended.then(() => 'ended'), new Promise((resolve) => setTimeout(resolve, 2000, 'still open'))])).resolves.toBe('ended');
    await expect(fetch(`${dashboard.url}/api/things`)).rejects.toThrow();
    client.close();
  });
});

describe('a browser that cannot keep up', () => {
  it('is skipped while its socket is full and then told to resync, instead of being buffered without bound', async () => {
    const { feed, dashboard } = await start({ flushIntervalMs: 20, thingsIntervalMs: 0 });
    let received = '';
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      get(`${dashboard.url}/api/events?topics=things`, resolve).on('error', reject);
    });
    running.push({ close: () => response.destroy() });
    response.setEncoding('utf8');
    response.pause(); // the "browser" stops reading: kernel buffers fill, then write() says no
    const padding = 'x'.repeat(1000);
    let published = 0;
    for (let round = 0; round < 40; round += 1) {
      for (let thing = 1; thing <= 2000; thing += 1) feed.upsertThing({ thingName: `bedside-${thing}`, model: `${padding}${round}` });
      published += 2000 * 1050;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    response.on('data', (chunk: string) => { received += chunk; });
    response.resume();
    const deadline = Date.now() + 10_000;
    while (!received.includes('event: resync') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toContain('event: resync');
    // What was skipped was never queued: far fewer bytes reached the client than were produced.
    expect(received.length).toBeLessThan(published / 4);
  });
});
