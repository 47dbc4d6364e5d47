/**
 * The local event source driving the real ETL handler: records put on kinesalite (in the IoT rule's
 * envelope) come out as curated Parquet in a directory lake, readable by the local query engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createEtlHandler } from '../../../../../cloud/etl/handler.ts';
import { createFsStore } from '../../../../../cloud/lake/fs-store.ts';
import { startEventSource } from '../../../../../cloud/local/event-source/index.ts';
import { ensureStream, localKinesisClient } from '../../../../../cloud/local/kinesis/client.ts';
import { startKinesalite, type RunningKinesalite } from '../../../../../cloud/local/kinesis/kinesalite.ts';
import { openLake } from '../../../../../cloud/query/lake.ts';

let kinesalite: RunningKinesalite;
let kinesis: KinesisClient;
let dir: string;

beforeAll(async () => {
  kinesalite = await startKinesalite();
  kinesis = localKinesisClient(kinesalite.endpoint);
  await ensureStream(kinesis, 'vitals', 2);
  dir = await mkdtemp(join(tmpdir(), 'event-source-etl-'));
});
afterAll(async () => {
  kinesis.destroy();
  await kinesalite.close();
  await rm(dir, { recursive: true, force: true });
});

function envelope(deviceId: string, seq: number, timestamp: string): Uint8Array {
  const payload = {
    schema: 'vitals/1', device_id: deviceId, patient_id: `P-${deviceId}`, seq, timestamp,
    heart_rate: 72, spo2: 97, respiratory_rate: 16, systolic_bp: 121, diastolic_bp: 79, temperature_c: 36.9,
    on_oxygen: false, spo2_scale: 1, ward: 'ward-3', bed: `bed-${deviceId.slice(-2)}`, consciousness: 'A', battery_pct: 90,
  };
  return Buffer.from(JSON.stringify({ payload: Buffer.from(JSON.stringify(payload)).toString('base64'), thing_name: deviceId, client_id: deviceId, received_at: Date.now() }));
}

describe('event source + ETL handler', () => {
  it('turns records on the stream into curated Parquet and quarantines the malformed one', async () => {
    const lakeDir = join(dir, 'lake');
    const handler = createEtlHandler({ store: createFsStore(lakeDir), hmacKey: 'test-only-hmac-key-0123456789', log: () => {} });
    const source = await startEventSource({
      kinesis, streamName: 'vitals', handler,
      checkpointDir: join(dir, 'checkpoints'), onFailureDir: join(dir, 'on-failure'),
      batchingWindowMs: 200, pollIntervalMs: 20,
    });
    try {
      const start = Date.now() - 60_000;
      const records = [];
      for (let d = 1; d <= 4; d += 1) {
        for (let seq = 1; seq <= 25; seq += 1) {
          const deviceId = `bedside-0${d}`;
          records.push({ Data: envelope(deviceId, seq, new Date(start + seq * 1000).toISOString()), PartitionKey: deviceId });
        }
      }
      const bad = Buffer.from(JSON.stringify({ payload: Buffer.from('not json').toString('base64'), thing_name: 'bedside-01', client_id: 'bedside-01', received_at: Date.now() }));
      records.push({ Data: bad, PartitionKey: 'bedside-01' });
      await kinesis.send(new PutRecordsCommand({ StreamName: 'vitals', Records: records }));

      const deadline = Date.now() + 10_000;
      while (source.stats().recordsProcessed < 101) {
        if (Date.now() > deadline) throw new Error(`only ${source.stats().recordsProcessed} of 101 records processed: ${JSON.stringify(source.stats())}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await source.stop();
    }
    const curated = (await readdir(join(lakeDir, 'curated/vitals'), { recursive: true })).filter((f) => f.endsWith('.parquet'));
    expect(curated.length).toBeGreaterThanOrEqual(2); // two shards
    for (const file of curated) expect(file).toMatch(/^dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/shardId-\d{12}-\d+\.parquet$/);
    const quarantined = (await readdir(join(lakeDir, 'quarantine/vitals'), { recursive: true })).filter((f) => f.endsWith('.jsonl.gz'));
    expect(quarantined).toHaveLength(1);

    const lake = await openLake(lakeDir);
    try {
      const result = await lake.query('SELECT count(*) AS n, count(DISTINCT device_id) AS devices, count(DISTINCT kinesis_shard) AS shards FROM vitals');
      expect(result.rows).toEqual([[100, 4, 2]]);
    } finally {
      lake.close();
    }
    expect(source.stats()).toMatchObject({ failedInvocations: 0, batchesSentToOnFailure: 0, recordsIn: 101 });
  });
});
