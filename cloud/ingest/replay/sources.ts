/**
 * Where rule error-action records are kept: the lake bucket's `rule-errors/vitals/` prefix on AWS (one JSON
 * object per failed message, written by the rule's S3 error action), `data/rule-errors/*.jsonl` locally
 * (one JSON line per failed message, cloud/local/rules/error-action.ts).
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { RuleErrorItem } from './replay.ts';

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Objects under the prefix, optionally only from a date on (the keys hold `dt=YYYY-MM-DD/`). */
export async function* s3RuleErrors(s3: Pick<S3Client, 'send'>, bucket: string, prefix: string, sinceDay?: string): AsyncGenerator<RuleErrorItem> {
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken, ...(sinceDay ? { StartAfter: `${prefix}dt=${sinceDay}` } : {}) }));
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.endsWith('/')) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      const text = (await body.Body?.transformToString('utf8')) ?? '';
      yield { record: parse(text), receivedAtMs: (object.LastModified ?? new Date()).getTime(), source: `s3://${bucket}/${object.Key}` };
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
}

/** Every line of every `*.jsonl` in the directory (file names end in the UTC day, so --since filters by it). */
export async function* localRuleErrors(dir: string, sinceDay?: string): AsyncGenerator<RuleErrorItem> {
  if (!existsSync(dir)) return;
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  for (const file of files) {
    const day = /(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(file)?.[1];
    if (sinceDay && day && day < sinceDay) continue;
    const path = join(dir, file);
    const receivedAtMs = statSync(path).mtimeMs;
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      yield { record: parse(text), receivedAtMs: Math.round(receivedAtMs), source: `${path}:${line}` };
    }
  }
}
