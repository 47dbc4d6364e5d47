/** Reads every vitals message that reached the (kinesalite) stream, decoded from the rule's envelope. */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { VitalsEnvelope } from '../../../../cloud/ingest/vitals-rule.ts';

export interface StreamedVitals {
  device_id: string;
  seq: number;
  timestamp: string;
  raw: string;
}

export async function readStream(client: KinesisClient, streamName: string): Promise<StreamedVitals[]> {
  const out: StreamedVitals[] = [];
  const shards = await client.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of shards.Shards ?? []) {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (let round = 0; iterator && round < 1_000; round++) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const envelope = JSON.parse(Buffer.from(record.Data!).toString()) as VitalsEnvelope;
        const raw = Buffer.from(envelope.payload, 'base64').toString();
        const message = JSON.parse(raw) as { device_id: string; seq: number; timestamp: string };
        out.push({ device_id: message.device_id, seq: message.seq, timestamp: message.timestamp, raw });
      }
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

/** Per device: the seqs that are missing between its lowest and highest seq, and the duplicate count. */
export function seqGaps(messages: readonly StreamedVitals[]): { gaps: Map<string, number[]>; duplicates: number; devices: Map<string, number[]> } {
  const devices = new Map<string, number[]>();
  for (const message of messages) {
    let list = devices.get(message.device_id);
    if (!list) devices.set(message.device_id, list = []);
    list.push(message.seq);
  }
  const gaps = new Map<string, number[]>();
  let duplicates = 0;
  for (const [device, seqs] of devices) {
    const unique = [...new Set(seqs)].sort((a, b) => a - b);
    duplicates += seqs.length - unique.length;
    const missing: number[] = [];
    for (let seq = 1; seq <= unique.at(-1)!; seq++) if (!unique.includes(seq)) missing.push(seq);
    if (missing.length > 0) gaps.set(device, missing);
  }
  return { gaps, duplicates, devices };
}

/** (device, seq) pairs that reached the stream with different bytes: a seq handed out twice. */
export function seqReuse(messages: readonly StreamedVitals[]): string[] {
  const seen = new Map<string, string>();
  const reused = new Set<string>();
  for (const message of messages) {
    const key = `${message.device_id}#${message.seq}`;
    const before = seen.get(key);
    if (before === undefined) seen.set(key, message.raw);
    else if (before !== message.raw) reused.add(key);
  }
  return [...reused];
}
