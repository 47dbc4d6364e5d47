/**
 * Builds a curated lake the way the pipeline does: vitals messages wrapped in the IoT rule's envelope,
 * delivered as Lambda Kinesis events to the real ETL handler, written by the directory store. Queries
 * then read exactly what the ETL produces.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEtlHandler } from '../../../../cloud/etl/handler.ts';
import { createFsStore } from '../../../../cloud/lake/fs-store.ts';
import { toKinesisStreamEvent, type StreamRecord } from '../../../../cloud/local/event-source/stream-record.ts';

export const FIXTURE_HMAC_KEY = 'test-only-hmac-key-0123456789abcdef';
const SHARD = 'shardId-000000000000';
const CONTEXT = { region: 'us-east-1', accountId: '000000000000', streamName: 'vitals', functionName: 'vitals-etl' };

export interface FixtureBatch {
  /** The ETL's clock for this batch (ingested_at), epoch ms. */
  clockMs: number;
  messages: Record<string, unknown>[];
}

/** Runs every batch through the ETL handler into `<lakeDir>`; fails if the handler reports a failure. */
export async function writeLakeThroughEtl(lakeDir: string, batches: readonly FixtureBatch[]): Promise<void> {
  const store = createFsStore(lakeDir);
  let sequence = 49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  for (const batch of batches) {
    const handler = createEtlHandler({ store, hmacKey: FIXTURE_HMAC_KEY, clock: () => batch.clockMs, log: () => {} });
    const records: StreamRecord[] = batch.messages.map((message) => {
      sequence += 1n;
      const deviceId = String(message.device_id);
      const envelope = {
        payload: Buffer.from(JSON.stringify(message)).toString('base64'),
        thing_name: deviceId,
        client_id: deviceId,
        received_at: batch.clockMs - 500,
      };
      return { shardId: SHARD, sequenceNumber: sequence.toString(), partitionKey: deviceId, data: Buffer.from(JSON.stringify(envelope)), arrivedAtMs: batch.clockMs - 400 };
    });
    const response = await handler(toKinesisStreamEvent(records, CONTEXT));
    if (response.batchItemFailures.length > 0) throw new Error(`the ETL reported failures: ${JSON.stringify(response.batchItemFailures)}`);
  }
}

/** A vitals/1 message with normal values (NEWS2 0) unless overridden. */
export function vitals(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    schema: 'vitals/1', device_id: 'bedside-x', patient_id: 'P-X', seq: 1, timestamp: '2026-01-01T00:00:00.000Z',
    heart_rate: 70, spo2: 97, respiratory_rate: 16, systolic_bp: 120, diastolic_bp: 80, temperature_c: 37.0,
    on_oxygen: false, spo2_scale: 1, ward: 'ward-1', bed: 'bed-1', consciousness: 'A', battery_pct: 80,
    ...overrides,
  };
}

/** The UTC date `days` before today, YYYY-MM-DD, and its midnight in epoch ms. */
export function utcDay(daysAgo: number, now = Date.now()): { dt: string; midnight: number } {
  const today = new Date(now);
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - daysAgo * 86_400_000;
  return { dt: new Date(midnight).toISOString().slice(0, 10), midnight };
}

/**
 * The sample messages (sample-data/raw/*.jsonl), moved by whole days so that they fall on `targetDt`:
 * the named queries look at today and yesterday, and a whole-day shift keeps every hour and minute.
 */
export function sampleBatches(sampleDir: string, targetMidnight: number, batchSize = 100): FixtureBatch[] {
  return shiftedSampleBatches(sampleDir, (firstAt) => targetMidnight - (firstAt - (firstAt % 86_400_000)), batchSize);
}

/** The sample messages moved so that the first one of each file is at `firstAtMs` (e.g. half an hour ago). */
export function recentSampleBatches(sampleDir: string, firstAtMs: number, batchSize = 100): FixtureBatch[] {
  return shiftedSampleBatches(sampleDir, (firstAt) => firstAtMs - firstAt, batchSize);
}

function shiftedSampleBatches(sampleDir: string, shiftOf: (firstAtMs: number) => number, batchSize: number): FixtureBatch[] {
  const files = readdirSync(sampleDir).filter((file) => file.endsWith('.jsonl')).sort();
  const batches: FixtureBatch[] = [];
  for (const file of files) {
    const messages = readFileSync(join(sampleDir, file), 'utf8').split('\n').filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const firstAt = Date.parse(String(messages[0]!.timestamp));
    const shift = shiftOf(firstAt);
    const shifted = messages.map((message) => ({ ...message, timestamp: new Date(Date.parse(String(message.timestamp)) + shift).toISOString() }));
    for (let i = 0; i < shifted.length; i += batchSize) {
      const chunk = shifted.slice(i, i + batchSize);
      const lastAt = Date.parse(String(chunk[chunk.length - 1]!.timestamp));
      batches.push({ clockMs: lastAt + 1_000, messages: chunk });
    }
  }
  return batches;
}
