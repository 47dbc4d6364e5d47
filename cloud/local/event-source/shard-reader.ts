/**
 * Reads one shard through the Kinesis API: GetShardIterator (AFTER_SEQUENCE_NUMBER from a checkpoint,
 * else TRIM_HORIZON), then GetRecords. An expired iterator (5 minutes idle) is renewed after the last
 * record read, so nothing is skipped or read twice.
 */
import {
  ExpiredIteratorException, GetRecordsCommand, GetShardIteratorCommand, type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { StreamRecord } from './stream-record.ts';

export interface ReadResult {
  records: StreamRecord[];
  /** MillisBehindLatest: 0 when caught up. */
  millisBehindLatest: number;
  /** The shard is closed (resharded) and every record has been read. */
  closed: boolean;
}

export class ShardReader {
  private iterator: string | undefined;
  private lastRead: string | undefined;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    readonly shardId: string,
    startAfter: string | undefined,
  ) {
    this.lastRead = startAfter;
  }

  private async newIterator(): Promise<string | undefined> {
    const response = await this.kinesis.send(new GetShardIteratorCommand(this.lastRead === undefined
      ? { StreamName: this.streamName, ShardId: this.shardId, ShardIteratorType: 'TRIM_HORIZON' }
      : { StreamName: this.streamName, ShardId: this.shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: this.lastRead }));
    return response.ShardIterator;
  }

  async read(limit: number): Promise<ReadResult> {
    this.iterator ??= await this.newIterator();
    if (this.iterator === undefined) return { records: [], millisBehindLatest: 0, closed: true };
    let response;
    try {
      response = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
    } catch (error) {
      if (!(error instanceof ExpiredIteratorException)) throw error;
      this.iterator = await this.newIterator();
      if (this.iterator === undefined) return { records: [], millisBehindLatest: 0, closed: true };
      response = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
    }
    const records: StreamRecord[] = (response.Records ?? []).map((record) => ({
      shardId: this.shardId,
      sequenceNumber: record.SequenceNumber ?? '',
      partitionKey: record.PartitionKey ?? '',
      data: record.Data ?? new Uint8Array(),
      arrivedAtMs: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
    }));
    const last = records[records.length - 1];
    if (last !== undefined) this.lastRead = last.sequenceNumber;
    this.iterator = response.NextShardIterator;
    return {
      records,
      millisBehindLatest: response.MillisBehindLatest ?? 0,
      closed: response.NextShardIterator === undefined || response.NextShardIterator === null,
    };
  }
}
