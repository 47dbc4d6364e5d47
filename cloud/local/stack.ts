/**
 * The cloud side of the pipeline on one machine (DESIGN §1, §6): certificates, kinesalite, the local IoT
 * Core stand-in (broker, policy, shadow, rule), the same ETL handler behind a Lambda-like event source,
 * the lake on disk, DuckDB for the named queries, and the dashboard. The fleet is started separately
 * (cloud/local/cli/start.ts) so that monitors on other machines can use the same stack.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDevices, loadRegistry } from '../../certs/local/index.ts';
import { startCompactor } from '../etl/compaction/runner.ts';
import { createEtlHandler } from '../etl/handler.ts';
import { createFsStore } from '../lake/fs-store.ts';
import { openLake, type Lake } from '../query/lake.ts';
import { NAMED_QUERIES } from '../sql/named-queries.ts';
import { startLocalBroker, type RunningBroker } from './broker/index.ts';
import { createDashboardFeed, type DashboardFeedHub } from './dashboard/feed.ts';
import { createLakeHistory } from './dashboard/lake-history.ts';
import { routeBrokerMessage } from './dashboard/broker-routing.ts';
import { startDashboard, type RunningDashboard } from './dashboard/server.ts';
import { startEventSource, type RunningEventSource } from './event-source/index.ts';
import { ensureStream, localKinesisClient } from './kinesis/client.ts';
import { startKinesalite, type RunningKinesalite } from './kinesis/kinesalite.ts';
import { EtlStatsCollector } from './etl-stats.ts';

export const LOCAL_STREAM_NAME = 'bedside-vitals';

export interface LocalStackOptions {
  dataDir: string;
  /** Things to have certificates for (created on first run, grown later). */
  thingCount: number;
  brokerHost?: string;
  brokerPort?: number;
  /** Extra names for the broker certificate (e.g. the LAN address Raspberry Pis dial). */
  brokerServerNames?: string[];
  dashboardHost?: string;
  dashboardPort?: number;
  kinesisShards?: number;
  /** ETL batching like the event source mapping: BatchSize and MaximumBatchingWindowInSeconds. */
  batchSize?: number;
  batchingWindowMs?: number;
  log?: (line: string) => void;
  onProgress?: (step: string) => void;
}

export interface LocalStackPaths {
  dataDir: string;
  certsDir: string;
  lakeDir: string;
  kinesisDir: string;
  outboxDir: string;
}

export interface RunningLocalStack {
  paths: LocalStackPaths;
  broker: RunningBroker;
  kinesis: RunningKinesalite;
  eventSource: RunningEventSource;
  dashboard: RunningDashboard;
  feed: DashboardFeedHub;
  etl: EtlStatsCollector;
  /** Stops everything in reverse order of start; safe to call twice. */
  close(): Promise<void>;
}

export function localStackPaths(dataDir: string): LocalStackPaths {
  const root = resolve(dataDir);
  return {
    dataDir: root,
    certsDir: join(root, 'certs'),
    lakeDir: join(root, 'lake'),
    kinesisDir: join(root, 'kinesis'),
    outboxDir: join(root, 'outbox'),
  };
}

/** The local pseudonymisation key: random on first run, kept in the data dir (in AWS: Secrets Manager). */
export function ensureLocalHmacKey(dataDir: string): Buffer {
  const path = join(dataDir, 'hmac.key');
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  const key = randomBytes(32);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return key;
}

export async function startLocalStack(options: LocalStackOptions): Promise<RunningLocalStack> {
  const paths = localStackPaths(options.dataDir);
  const log = options.log ?? (() => {});
  const progress = options.onProgress ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try { await stop(); } catch (error) { log(`stopping: ${(error as Error).message}`); }
    }
  };

  try {
    progress(`certificates for ${options.thingCount} monitors`);
    await ensureDevices(paths.certsDir, options.thingCount);

    progress('kinesalite (Kinesis API)');
    const kinesis = await startKinesalite({ path: paths.kinesisDir, createStreamMs: 0 });
    stops.push(() => kinesis.close());
    const kinesisClient = localKinesisClient(kinesis.endpoint);
    stops.push(async () => kinesisClient.destroy());
    await ensureStream(kinesisClient, LOCAL_STREAM_NAME, options.kinesisShards ?? 2);

    progress('the ETL behind the event source');
    const etl = new EtlStatsCollector();
    const handler = createEtlHandler({
      store: createFsStore(paths.lakeDir),
      hmacKey: ensureLocalHmacKey(paths.dataDir),
      log: (line) => etl.observe(line),
    });
    const eventSource = await startEventSource({
      kinesis: kinesisClient,
      streamName: LOCAL_STREAM_NAME,
      handler,
      checkpointDir: join(paths.dataDir, 'event-source', 'checkpoints'),
      onFailureDir: join(paths.dataDir, 'event-source', 'on-failure'),
      batchSize: options.batchSize ?? 1000,
      batchingWindowMs: options.batchingWindowMs ?? 1000,
      log,
    });
    // A graceful stop delivers what the stream holds (the broker has stopped by then: nothing more arrives).
    stops.push(() => eventSource.stop({ drainMs: 15_000 }));
    // Folds each closed hour's small per-batch Parquet files into one (fewer bytes scanned per query).
    const compactor = startCompactor({
      store: createFsStore(paths.lakeDir), intervalMs: 5 * 60_000, graceMs: 10 * 60_000 + (options.batchingWindowMs ?? 1000), log,
    });
    stops.push(() => compactor.close());

    progress('the broker (mTLS, IoT policy, shadow, rule)');
    const broker = await startLocalBroker({
      certsDir: paths.certsDir,
      host: options.brokerHost ?? '127.0.0.1',
      port: options.brokerPort ?? 8883,
      serverNames: options.brokerServerNames ?? [],
      kinesis: { client: kinesisClient, streamName: LOCAL_STREAM_NAME },
      ruleErrorsDir: join(paths.dataDir, 'rule-errors'),
      shadowDir: join(paths.dataDir, 'shadows'),
    });
    stops.push(() => broker.close());

    progress('the dashboard');
    const lake = lazyLake(paths.lakeDir);
    stops.push(async () => lake.close());
    const feed = createDashboardFeed({
      // After a restart the board and the bed charts come back from the lake's last readings.
      history: createLakeHistory(() => lake.open()),
      pipelineStats: () => {
        const source = eventSource.stats();
        const rules = broker.stats().rules;
        return {
          ingestMsgPerSec: etl.ingestRate(rules.forwarded),
          streamLagMs: source.iteratorAgeMs,
          etlLagMs: etl.lastBatchLatencyMs(),
          quarantined: { total: etl.quarantined, byReason: etl.quarantinedByReason },
          latencyMs: etl.latencyPercentiles(),
          startupBurst: etl.startupBurst(),
          curatedRecords: etl.curated,
        };
      },
      queries: {
        list: () => NAMED_QUERIES.map(({ name, description }) => ({ name, description })),
        run: async (name) => {
          const query = NAMED_QUERIES.find((candidate) => candidate.name === name);
          if (query === undefined) throw new Error(`no named query "${name}"`);
          const result = await (await lake.open()).query(query.sql);
          return { columns: result.columns, rows: result.rows };
        },
      },
    });
    for (const thing of loadRegistry(paths.certsDir).values()) {
      feed.upsertThing({ thingName: thing.thingName, ...thing.attributes });
    }
    wireBrokerToFeed(broker, feed);
    const dashboard = await startDashboard({
      feed, host: options.dashboardHost ?? '127.0.0.1', port: options.dashboardPort ?? 8080,
      onError: (error: unknown) => log(`dashboard: ${(error as Error).message}`),
    });
    stops.push(() => dashboard.close());

    return { paths, broker, kinesis, eventSource, dashboard, feed, etl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Presence, shadow and vitals reach the dashboard as a subscriber of the broker would see them. */
function wireBrokerToFeed(broker: RunningBroker, feed: DashboardFeedHub): void {
  // The publisher's id lets the router refuse device-forged presence events and shadow replies.
  broker.events.on('message', ({ topic, payload, clientId }) => { routeBrokerMessage(feed, topic, payload, clientId); });
}

/** DuckDB opens the lake on the first query (there is no Parquet before the first batch). */
function lazyLake(lakeDir: string): { open(): Promise<Lake>; close(): void } {
  let lake: Promise<Lake> | undefined;
  return {
    open() {
      lake ??= openLake(lakeDir).catch((error: unknown) => { lake = undefined; throw error; });
      return lake;
    },
    close() {
      void lake?.then((opened) => opened.close(), () => {});
    },
  };
}
