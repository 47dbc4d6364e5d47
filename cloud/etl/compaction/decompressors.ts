/** hyparquet reads Snappy itself; compacted files and the rollup are GZIP (layout.ts), read via node:zlib. */
import { gunzipSync } from 'node:zlib';

export const PARQUET_DECOMPRESSORS = Object.freeze({
  GZIP: (input: Uint8Array): Uint8Array => gunzipSync(input),
});
