/**
 * sample-data/curated/: what the lake holds after the ETL, generated from sample-data/raw/ through the real
 * handler (cloud/etl/handler.ts) with a fixed clock and a fixed pseudonym key, so the bytes are the same on
 * every run. Beside each Parquet file, a CSV rendering of its rows (read back with hyparquet) for readers
 * without Parquet tools.
 *
 * The raw messages go through the stream as the local stack would send them: one envelope per message as
 * the IoT rule writes it (cloud/ingest/vitals-rule.ts), arriving 300 ms after measurement, in time order
 * across the monitors, one shard, batches of BATCH_SIZE, the handler's clock 1.5 s after the batch's last
 * arrival (the event source's batching window).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { createEtlHandler } from '../cloud/etl/handler.ts';
import { createFsStore } from '../cloud/lake/fs-store.ts';
import type { VitalsEnvelope } from '../cloud/ingest/vitals-rule.ts';
import { toKinesisStreamEvent, type StreamRecord } from '../cloud/local/event-source/stream-record.ts';

/** Not a secret: a published sample's pseudonyms are meant to be reproducible. A deployment's key is in Secrets Manager. */
export const SAMPLE_HMAC_KEY = 'sample-data-only-hmac-key-20240301';
/** The local stack's BatchSize: three ETL calls, three Parquet files for the 2,700 sample readings. */
const BATCH_SIZE = 1_000;
const RECEIVED_AFTER_MS = 300;
const BATCHING_WINDOW_MS = 1_500;
const SHARD = 'shardId-000000000000';
const CONTEXT = { region: 'us-east-1', accountId: '000000000000', streamName: 'bedside-vitals', functionName: 'vitals-etl' };

interface Message {
  text: string;
  deviceId: string;
  timestampMs: number;
}

/** Every message of raw/<scenario>.jsonl (the streams in manifest.json), in time order across monitors. */
function rawMessages(rawDir: string): Message[] {
  const manifest = JSON.parse(readFileSync(join(rawDir, 'manifest.json'), 'utf8')) as { streams: { file: string }[] };
  const messages: Message[] = [];
  for (const { file } of manifest.streams) {
    for (const text of readFileSync(join(rawDir, file), 'utf8').split('\n')) {
      if (text === '') continue;
      const { device_id, timestamp } = JSON.parse(text) as { device_id: string; timestamp: string };
      messages.push({ text, deviceId: device_id, timestampMs: Date.parse(timestamp) });
    }
  }
  // Stable sort: messages of the same instant keep the manifest's order.
  return messages.sort((a, b) => a.timestampMs - b.timestampMs);
}

/**
 * Runs raw/ through the ETL handler into a scratch lake and returns its curated/ objects plus a CSV per
 * Parquet file, keyed by their path under curated/ (e.g. `vitals/dt=2024-03-01/hour=08/...parquet`).
 */
export async function curatedSample(rawDir: string): Promise<Map<string, Uint8Array>> {
  const lakeDir = mkdtempSync(join(tmpdir(), 'sample-curated-'));
  try {
    const messages = rawMessages(rawDir);
    let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
    for (let start = 0; start < messages.length; start += BATCH_SIZE) {
      const batch = messages.slice(start, start + BATCH_SIZE);
      const records: StreamRecord[] = batch.map((message) => {
        const envelope: VitalsEnvelope = {
          payload: Buffer.from(message.text, 'utf8').toString('base64'),
          thing_name: message.deviceId, client_id: message.deviceId, received_at: message.timestampMs + RECEIVED_AFTER_MS,
        };
        sequence += 1n;
        return { shardId: SHARD, sequenceNumber: sequence.toString(), partitionKey: message.deviceId, data: Buffer.from(JSON.stringify(envelope)), arrivedAtMs: message.timestampMs + RECEIVED_AFTER_MS };
      });
      const clockMs = batch.at(-1)!.timestampMs + RECEIVED_AFTER_MS + BATCHING_WINDOW_MS;
      const handler = createEtlHandler({ store: createFsStore(lakeDir), hmacKey: SAMPLE_HMAC_KEY, clock: () => clockMs, log: () => {} });
      const response = await handler(toKinesisStreamEvent(records, CONTEXT));
      if (response.batchItemFailures.length > 0) throw new Error(`the ETL failed a sample batch at ${response.batchItemFailures[0]!.itemIdentifier}`);
    }
    const curatedRoot = join(lakeDir, 'curated');
    const files = new Map<string, Uint8Array>();
    for (const path of listFiles(curatedRoot)) {
      const bytes = readFileSync(join(curatedRoot, path));
      files.set(path, bytes);
      if (path.endsWith('.parquet')) files.set(path.replace(/\.parquet$/, '.csv'), Buffer.from(await renderCsv(bytes), 'utf8'));
    }
    return files;
  } finally {
    rmSync(lakeDir, { recursive: true, force: true });
  }
}

/** Writes curatedSample(rawDir) into curatedDir, replacing what was there; returns the paths written. */
export async function generateCuratedSample(rawDir: string, curatedDir: string): Promise<string[]> {
  const files = await curatedSample(rawDir);
  rmSync(curatedDir, { recursive: true, force: true });
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(curatedDir, path)), { recursive: true });
    writeFileSync(join(curatedDir, path), bytes);
  }
  writeFileSync(join(curatedDir, 'README.md'), CURATED_README);
  return [...files.keys(), 'README.md'];
}

const CURATED_README = `# curated/ (generated: do not edit)

Written by \`npm run sample-data\` from \`../raw/\` through the real ETL handler (fixed clock, fixed
pseudonym key \`${SAMPLE_HMAC_KEY}\`), laid out as in the lake: \`vitals/dt=YYYY-MM-DD/hour=HH/<shard>-<first
sequence>.parquet\`. Each \`.csv\` beside a Parquet file holds the same rows, read back from it, for readers
without Parquet tools (timestamps in ISO-8601 UTC, an empty cell is null). \`patient_key\` is the HMAC of the
patient id, never the id itself. See \`cloud/etl/README.md\` for the columns.

The 2,700 readings (nine monitors, one every 6 s for 30 minutes) reach the handler in three batches of up
to ${BATCH_SIZE.toLocaleString('en-US')}, each handled 1.5 s after its last reading arrived: \`ingest_latency_ms\` here runs up to the
eleven minutes a batch spans. In the running stack a batch closes about a second after its first reading.
`;

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

async function renderCsv(bytes: Uint8Array): Promise<string> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = await parquetReadObjects({ file });
  const columns = Object.keys(rows[0] ?? {});
  const lines = [columns.join(','), ...rows.map((row) => columns.map((column) => csvCell(row[column])).join(','))];
  return `${lines.join('\n')}\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString()
    : typeof value === 'object' ? JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
      : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
