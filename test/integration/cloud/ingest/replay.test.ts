/**
 * Rule errors replayed for real: the local rules engine's error log -> npm run replay-rule-errors's replay
 * (twice, as an operator might) -> kinesalite -> the ETL handler -> the lake. Every reading lands exactly
 * once: the second replay's copies are removed by (device_id, seq).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayRuleErrors } from '../../../../cloud/ingest/replay/replay.ts';
import { localRuleErrors } from '../../../../cloud/ingest/replay/sources.ts';
import { VITALS_RULE_NAME } from '../../../../cloud/ingest/vitals-rule.ts';
import { createEtlHandler } from '../../../../cloud/etl/handler.ts';
import { createFsStore } from '../../../../cloud/lake/fs-store.ts';
import { ensureStream, localKinesisClient } from '../../../../cloud/local/kinesis/client.ts';
import { startKinesalite } from '../../../../cloud/local/kinesis/kinesalite.ts';
import { RuleErrorLog, ruleErrorRecord } from '../../../../cloud/local/rules/error-action.ts';
import { curatedScan, duckdbQuery } from '../etl/lake-readers.ts';
import { kinesisRecord } from '../../../unit/cloud/etl/kinesis-fixtures.ts';

const STREAM = 'bedside-vitals';
let dir: string;
let kinesalite: Awaited<ReturnType<typeof startKinesalite>>;
let client: KinesisClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replay-it-'));
  kinesalite = await startKinesalite({ path: join(dir, 'kinesis') });
  client = localKinesisClient(kinesalite.endpoint);
  await ensureStream(client, STREAM, 1);
});
afterAll(async () => {
  client?.destroy();
  await kinesalite?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function streamRecords(): Promise<KinesisStreamRecord[]> {
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: STREAM }));
  const out: KinesisStreamRecord[] = [];
  for (const shard of Shards ?? []) {
    let { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    while (ShardIterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator }));
      // Lambda's event record: data = base64 of exactly what is on the stream (the envelope).
      for (const r of page.Records ?? []) out.push(kinesisRecord(Buffer.from(r.Data!), { n: out.length, shard: shard.ShardId! }));
      ShardIterator = (page.Records?.length ?? 0) > 0 ? page.NextShardIterator : undefined;
    }
  }
  return out;
}

describe('replaying rule errors into kinesalite and through the ETL', () => {
  it('lands every failed reading in the lake exactly once, even replayed twice', async () => {
    const lines = readFileSync(new URL('../../../../sample-data/raw/bradycardia.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean).slice(0, 40);
    const log = new RuleErrorLog(join(dir, 'rule-errors'));
    for (const line of lines) {
      const thing = (JSON.parse(line) as { device_id: string }).device_id;
      log.append(ruleErrorRecord(VITALS_RULE_NAME, { topic: `dt/bedside/${thing}/vitals`, clientId: thing, payload: Buffer.from(line) }, {
        failedAction: 'KinesisAction', failedResource: STREAM, errorMessage: 'ProvisionedThroughputExceededException (mocked)',
      }), (error) => { throw error; });
    }
    await log.idle();

    for (let round = 0; round < 2; round++) {
      const summary = await replayRuleErrors({ items: localRuleErrors(join(dir, 'rule-errors')), kinesis: client, streamName: STREAM });
      expect(summary).toMatchObject({ read: lines.length, put: lines.length, skipped: {} });
    }
    const records = await streamRecords();
    expect(records).toHaveLength(2 * lines.length);

    const lake = join(dir, 'lake');
    const response = await createEtlHandler({ store: createFsStore(lake), hmacKey: Buffer.alloc(32, 7), log: () => {} })({ Records: records });
    expect(response.batchItemFailures).toEqual([]);
    const [counts] = await duckdbQuery(`SELECT count(*) AS n, count(DISTINCT (device_id, seq)) AS readings FROM ${curatedScan(lake)}`);
    expect(counts).toEqual({ n: BigInt(lines.length), readings: BigInt(lines.length) });
  });
});
