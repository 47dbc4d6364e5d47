/**
 * Server-Sent Events, batched: feed events are coalesced per thing (latest wins) and flushed a few
 * times a second (the fleet list once a second), so 2,000 vitals/s become at most one message per topic
 * per flush for the browser.
 * Chart points are the exception: a bed page gets every point of its own bed, in batches.
 *
 * A browser that cannot keep up (write() returns false) is skipped until its socket drains and then told
 * to `resync` (refetch the snapshots) instead of being buffered without bound.
 */
import type { ServerResponse } from 'node:http';
import type { BedTile, DashboardFeed, PipelineStats, ThingSummary, VitalsPoint } from './feed-types.ts';

export const LIVE_TOPICS = ['things', 'tiles', 'pipeline', 'points'] as const;
export type LiveTopic = (typeof LIVE_TOPICS)[number];

export interface LiveUpdatesOptions {
  /** Flush period; default 250 ms (4 updates/s). */
  flushIntervalMs?: number;
  /** The fleet list changes on every message but needs no more than a refresh a second; default 1,000 ms. */
  thingsIntervalMs?: number;
  /**
   * How often pipeline figures are polled; default 1,000 ms. Polled whether or not a page watches, so the
   * feed's rate history is there for the page that opens next.
   */
  pipelineIntervalMs?: number;
  /** Comment line that keeps proxies and idle timeouts from closing the stream; default 15 s. */
  heartbeatMs?: number;
  onError?: (error: unknown) => void;
}

interface LiveClient {
  res: ServerResponse;
  topics: ReadonlySet<LiveTopic>;
  bed: string | null;
  congested: boolean;
}

export interface LiveUpdates {
  /** Takes over an HTTP request as an event stream (`GET /api/events?topics=...&bed=...`). */
  accept(res: ServerResponse, url: URL): void;
  readonly clientCount: number;
  close(): void;
}

export function createLiveUpdates(feed: DashboardFeed, options: LiveUpdatesOptions = {}): LiveUpdates {
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  const clients = new Set<LiveClient>();
  const dirtyThings = new Map<string, ThingSummary>();
  const dirtyTiles = new Map<string, BedTile>();
  const pendingPoints = new Map<string, VitalsPoint[]>();
  const thingsIntervalMs = options.thingsIntervalMs ?? 1000;
  let thingsFlushedAt = 0;
  let pendingPipeline: PipelineStats | null = null;
  let pipelinePolling = false;

  /** Beds some page charts, with how many pages: points are kept only for these. */
  const watchedBeds = new Map<string, number>();

  const unsubscribe = [
    feed.on('vitals', ({ thing, tile, point }) => {
      dirtyThings.set(thing.thingName, thing);
      dirtyTiles.set(tile.thingName, tile);
      if (watchedBeds.has(thing.thingName)) {
        const points = pendingPoints.get(thing.thingName) ?? [];
        points.push(point);
        pendingPoints.set(thing.thingName, points);
      }
    }),
    ...(['presence', 'shadow', 'thing'] as const).map((event) => feed.on(event, (thing) => {
      dirtyThings.set(thing.thingName, thing);
      const tile = feed.tile(thing.thingName);
      if (tile !== undefined) dirtyTiles.set(tile.thingName, tile);
    })),
    feed.on('pipeline', (stats) => { pendingPipeline = stats; }),
  ];

  function send(client: LiveClient, text: string): void {
    if (client.congested || client.res.writableEnded || client.res.destroyed) return;
    if (!client.res.write(text)) {
      client.congested = true;
      client.res.once('drain', () => {
        client.congested = false;
        send(client, frame('resync', { reason: 'the browser fell behind; refetch snapshots' }));
      });
    }
  }

  function broadcast(topic: LiveTopic, data: unknown): void {
    let serialised: string | undefined;
    for (const client of clients) {
      if (!client.topics.has(topic)) continue;
      serialised ??= frame(topic, data);
      send(client, serialised);
    }
  }

  function flush(): void {
    const now = Date.now();
    if (dirtyThings.size > 0 && now - thingsFlushedAt >= thingsIntervalMs) {
      broadcast('things', [...dirtyThings.values()]);
      dirtyThings.clear();
      thingsFlushedAt = now;
    }
    if (dirtyTiles.size > 0) broadcast('tiles', [...dirtyTiles.values()]);
    dirtyTiles.clear();
    for (const [thingName, points] of pendingPoints) {
      const serialised = frame('points', { thingName, points });
      for (const client of clients) if (client.bed === thingName && client.topics.has('points')) send(client, serialised);
    }
    pendingPoints.clear();
    if (pendingPipeline !== null) broadcast('pipeline', pendingPipeline);
    pendingPipeline = null;
  }

  async function pollPipeline(): Promise<void> {
    if (pipelinePolling) return;
    pipelinePolling = true;
    try {
      pendingPipeline = await feed.pipelineStats();
    } catch (error) {
      options.onError?.(error);
    } finally {
      pipelinePolling = false;
    }
  }

  const timers = [
    setInterval(flush, flushIntervalMs),
    setInterval(() => { void pollPipeline(); }, options.pipelineIntervalMs ?? 1000),
    setInterval(() => { for (const client of clients) send(client, ': keep-alive\n\n'); }, options.heartbeatMs ?? 15_000),
  ];
  for (const timer of timers) timer.unref();

  return {
    accept(res, url) {
      const topics = parseTopics(url.searchParams.get('topics'));
      const client: LiveClient = { res, topics, bed: url.searchParams.get('bed'), congested: false };
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // Browsers reconnect by themselves; tell them not to hammer a restarting stack.
      res.write(`retry: 2000\n${frame('hello', { flushIntervalMs, topics: [...topics], bed: client.bed })}`);
      clients.add(client);
      if (client.bed !== null && topics.has('points')) watchedBeds.set(client.bed, (watchedBeds.get(client.bed) ?? 0) + 1);
      // The response closes when the browser goes (or the server ends it); a socket error only ends it.
      res.on('error', () => res.destroy());
      res.on('close', () => {
        clients.delete(client);
        if (client.bed === null || !topics.has('points')) return;
        const watchers = (watchedBeds.get(client.bed) ?? 1) - 1;
        if (watchers > 0) watchedBeds.set(client.bed, watchers);
        else watchedBeds.delete(client.bed);
      });
      if (topics.has('pipeline')) void pollPipeline();
    },
    get clientCount() {
      return clients.size;
    },
    close() {
      for (const timer of timers) clearInterval(timer);
      for (const off of unsubscribe) off();
      for (const client of clients) client.res.end();
      clients.clear();
      watchedBeds.clear();
    },
  };
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function parseTopics(value: string | null): ReadonlySet<LiveTopic> {
  if (value === null || value === '') return new Set<LiveTopic>(['things', 'tiles', 'pipeline']);
  return new Set(value.split(',').filter((topic): topic is LiveTopic => (LIVE_TOPICS as readonly string[]).includes(topic)));
}
