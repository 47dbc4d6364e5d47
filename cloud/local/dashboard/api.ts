/**
 * The JSON endpoints. Each handler reads the feed and answers; errors map to status codes with a
 * message that says what to do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueryFailedError, UnknownQueryError } from './errors.ts';
import { bedCharts } from './bed-charts.ts';
import type { DashboardFeed } from './feed-types.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

const BED_VITALS = /^\/api\/beds\/([^/]+)\/vitals$/;
const RUN_QUERY = /^\/api\/queries\/([^/]+)\/run$/;

/** Returns false when the path is not an API route (the caller then tries static files). */
export async function handleApi(feed: DashboardFeed, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  if (!path.startsWith('/api/')) return false;
  const method = req.method ?? 'GET';
  if (method === 'GET' && path === '/api/things') {
    sendJson(res, 200, feed.things());
  } else if (method === 'GET' && path === '/api/charts') {
    sendJson(res, 200, bedCharts());
  } else if (method === 'GET' && path === '/api/tiles') {
    sendJson(res, 200, feed.tiles());
  } else if (method === 'GET' && BED_VITALS.test(path)) {
    const thingName = decodeURIComponent(BED_VITALS.exec(path)![1]!);
    const since = Number(url.searchParams.get('since') ?? Number.NEGATIVE_INFINITY);
    const series = feed.recentVitals(thingName, Number.isNaN(since) ? Number.NEGATIVE_INFINITY : since);
    if (series === undefined) sendError(res, 404, `no thing "${thingName}" is known to the dashboard; see /api/things`);
    else sendJson(res, 200, { ...series, tile: feed.tile(thingName) ?? null });
  } else if (method === 'GET' && path === '/api/pipeline') {
    sendJson(res, 200, await feed.pipelineStats());
  } else if (method === 'GET' && path === '/api/pipeline/history') {
    const since = Number(url.searchParams.get('since') ?? Number.NEGATIVE_INFINITY);
    sendJson(res, 200, feed.pipelineHistory(Number.isNaN(since) ? Number.NEGATIVE_INFINITY : since));
  } else if (method === 'GET' && path === '/api/queries') {
    sendJson(res, 200, await feed.namedQueries());
  } else if (method === 'POST' && RUN_QUERY.test(path)) {
    await runQuery(feed, res, decodeURIComponent(RUN_QUERY.exec(path)![1]!));
  } else {
    sendError(res, 404, `no endpoint ${method} ${path}; see cloud/local/dashboard/README.md`);
  }
  return true;
}

async function runQuery(feed: DashboardFeed, res: ServerResponse, name: string): Promise<void> {
  try {
    sendJson(res, 200, await feed.runNamedQuery(name));
  } catch (error) {
    if (error instanceof UnknownQueryError) sendError(res, 404, error.message);
    else if (error instanceof QueryFailedError) sendError(res, 502, `${error.message} (is the lake populated yet?)`);
    else throw error;
  }
}
