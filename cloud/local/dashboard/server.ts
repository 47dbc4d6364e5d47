/**
 * The dashboard's HTTP server (node:http: five JSON routes, one event stream and static files do not
 * need a framework). Binds 127.0.0.1 by default: the pages show live patient vitals.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApi, sendError } from './api.ts';
import { DashboardStartError } from './errors.ts';
import type { DashboardFeed, HistoryLoad } from './feed-types.ts';
import { createLiveUpdates, type LiveUpdatesOptions } from './live-updates.ts';
import { loadStaticFiles } from './static-files.ts';

export interface DashboardOptions extends LiveUpdatesOptions {
  feed: DashboardFeed;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Where pages come from; default ./public next to this file. */
  publicDir?: string;
  /**
   * How long start waits for the feed's `loadHistory()` (last known readings from the lake) before it
   * listens anyway; the restore then finishes in the background. Default 10 s.
   */
  historyTimeoutMs?: number;
}

export interface RunningDashboard {
  url: string;
  port: number;
  /** What the start restored from the lake; null when the feed has no history, it failed or took too long. */
  readonly history: HistoryLoad | null;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  // uPlot sizes its canvases through element.style; everything else is same-origin only.
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const host = options.host ?? '127.0.0.1';
  // The feed is in memory: after a restart the board would be empty until every monitor sent again.
  const history = await restoreHistory(options);
  const files = loadStaticFiles(options.publicDir);
  const live = createLiveUpdates(options.feed, options);
  let allowedHosts: ReadonlySet<string> | null = null;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // A page on another site must not read patient vitals through a rebound DNS name.
    if (allowedHosts !== null && !allowedHosts.has(req.headers.host ?? '')) {
      sendError(res, 421, `unexpected Host "${req.headers.host ?? ''}"; open ${[...allowedHosts][0]}`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    if (req.method === 'GET' && url.pathname === '/api/events') {
      live.accept(res, url);
      return;
    }
    if (await handleApi(options.feed, req, res, url)) return;
    const file = files.get(url.pathname);
    if (file === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      sendError(res, 404, `nothing at ${url.pathname}; the pages are /, /ward.html, /bed.html, /pipeline.html, /query.html`);
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) sendError(res, 500, `dashboard error: ${error instanceof Error ? error.message : String(error)}`);
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      live.close();
      reject(new DashboardStartError(error.code === 'EADDRINUSE'
        ? `the dashboard cannot listen on ${host}:${options.port ?? 8080}: the port is in use; stop the other process or pass another port (0 picks a free one)`
        : `the dashboard cannot listen on ${host}:${options.port ?? 8080}: ${error.message}`, { cause: error }));
    });
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  if (isLoopback(host)) allowedHosts = new Set([`${urlHost}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);

  return {
    url: `http://${urlHost}:${port}`,
    port,
    history,
    close: () => new Promise<void>((resolve) => {
      live.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function restoreHistory(options: DashboardOptions): Promise<HistoryLoad | null> {
  if (options.feed.loadHistory === undefined) return null;
  const loading = options.feed.loadHistory().catch((error: unknown) => {
    options.onError?.(new DashboardStartError(`the dashboard could not restore the last known readings from the lake (it shows live readings only): ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    return null;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), options.historyTimeoutMs ?? 10_000); });
  try {
    return await Promise.race([loading, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
