import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelopeFromRuleError } from '../../../../../cloud/ingest/replay/envelope.ts';
import { ReplayError, replayRuleErrors, type RuleErrorItem } from '../../../../../cloud/ingest/replay/replay.ts';
import { localRuleErrors, s3RuleErrors } from '../../../../../cloud/ingest/replay/sources.ts';
import { VITALS_RULE_NAME, type VitalsEnvelope } from '../../../../../cloud/ingest/vitals-rule.ts';
import { RuleErrorLog, ruleErrorRecord } from '../../../../../cloud/local/rules/error-action.ts';

const kinesis = mockClient(KinesisClient);
const s3 = mockClient(S3Client);
const payload = Buffer.from('{"schema":"vitals/1","device_id":"bedside-0007","seq":41}');
const errorRecord = (thing: string, body: Buffer = payload) =>
  ruleErrorRecord(VITALS_RULE_NAME, { topic: `dt/bedside/${thing}/vitals`, clientId: thing, payload: body }, {
    failedAction: 'KinesisAction', failedResource: 'vitals', errorMessage: 'ProvisionedThroughputExceededException',
  });

async function* items(...records: unknown[]): AsyncGenerator<RuleErrorItem> {
  let i = 0;
  for (const record of records) yield { record, receivedAtMs: 1_765_000_000_000 + i, source: `item-${i++}` };
}

let dir: string;
beforeEach(() => {
  kinesis.reset();
  s3.reset();
  dir = mkdtempSync(join(tmpdir(), 'rule-errors-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('rule error replay (mocked Kinesis and S3)', () => {
  it('rebuilds the rule\'s envelope from an error-action record: original bytes, thing, client, partition key', () => {
    const result = envelopeFromRuleError(errorRecord('bedside-0007'), 1_765_000_000_123, 'x');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const envelope = JSON.parse(result.record.data.toString()) as VitalsEnvelope;
    expect(Object.keys(envelope)).toEqual(['payload', 'thing_name', 'client_id', 'received_at']);
    expect(Buffer.from(envelope.payload, 'base64').equals(payload)).toBe(true);
    expect(envelope).toMatchObject({ thing_name: 'bedside-0007', client_id: 'bedside-0007', received_at: 1_765_000_000_123 });
    expect(result.record.partitionKey).toBe('bedside-0007');
  });

  it('keeps garbled payloads byte for byte (the ETL quarantines them with a reason) and skips what is not a vitals message', async () => {
    const garbled = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    kinesis.on(PutRecordsCommand).callsFake(({ Records }) => ({ FailedRecordCount: 0, Records: Records.map(() => ({ SequenceNumber: '1', ShardId: 's' })) }));
    const summary = await replayRuleErrors({
      items: items(errorRecord('bedside-0001', garbled), { topic: 'cmd/bedside/x/reboot', base64OriginalPayload: 'e30=' }, 'not json', undefined),
      kinesis: new KinesisClient({ region: 'eu-west-2' }), streamName: 'vitals',
    });
    expect(summary).toMatchObject({ read: 4, replayable: 1, put: 1 });
    expect(Object.values(summary.skipped).reduce((a, b) => a + b, 0)).toBe(3);
    const sent = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input.Records![0]!;
    expect(Buffer.from((JSON.parse(Buffer.from(sent.Data!).toString()) as VitalsEnvelope).payload, 'base64').equals(garbled)).toBe(true);
  });

  it('puts in batches of at most 500 and retries only the records Kinesis throttled', async () => {
    let call = 0;
    kinesis.on(PutRecordsCommand).callsFake(({ Records }) => {
      call++;
      // The first call throttles its first two records.
      return { FailedRecordCount: call === 1 ? 2 : 0, Records: Records.map((_: unknown, i: number) => (call === 1 && i < 2 ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' } : { SequenceNumber: '1', ShardId: 's' })) };
    });
    const records = Array.from({ length: 700 }, (_, i) => errorRecord(`bedside-${String(i).padStart(4, '0')}`));
    const summary = await replayRuleErrors({ items: items(...records), kinesis: new KinesisClient({ region: 'eu-west-2' }), streamName: 'vitals', sleep: async () => {} });
    expect(kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length)).toEqual([500, 2, 200]);
    expect(kinesis.commandCalls(PutRecordsCommand)[1]!.args[0].input.Records!.map((r) => r.PartitionKey)).toEqual(['bedside-0000', 'bedside-0001']);
    expect(summary.put).toBe(700);
  });

  it('gives up with a message that says to run it again when records keep failing', async () => {
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }] });
    const replay = replayRuleErrors({ items: items(errorRecord('bedside-0001')), kinesis: new KinesisClient({ region: 'eu-west-2' }), streamName: 'vitals', sleep: async () => {}, maxAttempts: 3 });
    await expect(replay).rejects.toBeInstanceOf(ReplayError);
    await expect(replay).rejects.toThrow(/run the replay again/);
  });

  it('puts nothing on a dry run', async () => {
    const summary = await replayRuleErrors({ items: items(errorRecord('bedside-0001')), kinesis: new KinesisClient({ region: 'eu-west-2' }), streamName: 'vitals', dryRun: true });
    expect(summary).toMatchObject({ read: 1, replayable: 1, put: 0, dryRun: true });
    expect(kinesis.calls()).toHaveLength(0);
  });

  it('reads the local rules engine\'s error log line by line, from a day on', async () => {
    const log = new RuleErrorLog(dir, () => Date.parse('2026-12-04T10:00:00Z'));
    log.append(errorRecord('bedside-0001'), (e) => { throw e; });
    log.append(errorRecord('bedside-0002'), (e) => { throw e; });
    await log.idle();
    writeFileSync(join(dir, `${VITALS_RULE_NAME}-errors-2026-12-01.jsonl`), `${JSON.stringify(errorRecord('bedside-0009'))}\n`);
    const read = async (since?: string) => {
      const out: RuleErrorItem[] = [];
      for await (const item of localRuleErrors(dir, since)) out.push(item);
      return out.map((i) => (i.record as { clientId: string }).clientId);
    };
    expect(await read()).toEqual(['bedside-0009', 'bedside-0001', 'bedside-0002']);
    expect(await read('2026-12-04')).toEqual(['bedside-0001', 'bedside-0002']);
  });

  it('reads one error-action object per key under the rule-errors prefix, with its time', async () => {
    const key = 'rule-errors/vitals/dt=2026-12-04/bedside-0003-uuid.json';
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: key, LastModified: new Date('2026-12-04T10:00:05Z') }], IsTruncated: false });
    // The SDK's streaming body, reduced to the one method the source calls.
    const stored = errorRecord('bedside-0003');
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify(stored) } as never });
    const out: RuleErrorItem[] = [];
    for await (const item of s3RuleErrors(new S3Client({ region: 'eu-west-2' }), 'lake', 'rule-errors/vitals/', '2026-12-04')) out.push(item);
    expect(out).toEqual([{ record: stored, receivedAtMs: Date.parse('2026-12-04T10:00:05Z'), source: `s3://lake/${key}` }]);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Prefix: 'rule-errors/vitals/', StartAfter: 'rule-errors/vitals/dt=2026-12-04' });
  });
});
