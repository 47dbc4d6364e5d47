/** Gzip JSON lines, for the raw and quarantine layers: one JSON object per line, UTF-8, gzip. */
import { gzipSync } from 'node:zlib';

export const JSONL_GZIP_CONTENT_TYPE = 'application/x-ndjson';

export function encodeJsonLinesGzip(entries: readonly unknown[]): Uint8Array {
  const text = entries.map((entry) => JSON.stringify(entry)).join('\n');
  // Node writes a gzip header with mtime 0, so the same entries always give the same bytes. Level 1: these
  // layers are written on every batch and read rarely; on the ETL bench's 2,000-record raw object it
  // compresses in 6.5 ms instead of 14.3 (level 6), for 112 KB instead of 84 KB.
  return gzipSync(entries.length === 0 ? '' : `${text}\n`, { level: 1 });
}
