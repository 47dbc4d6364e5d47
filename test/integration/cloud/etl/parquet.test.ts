import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATED_COLUMNS, type ColumnType } from '../../../../cloud/lake/curated-schema.ts';
import { createPseudonymiser } from '../../../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../../../cloud/etl/transform.ts';
import { encodeCuratedParquet } from '../../../../cloud/etl/writers/parquet.ts';
import { encodeVitals } from '../../../../device/contract/index.ts';
import { kinesisRecord, sequenceNumber, T0, validBatch, vitalsMessage } from '../../../unit/cloud/etl/kinesis-fixtures.ts';
import { duckdbQuery, hyparquetRows, hyparquetSchema } from './lake-readers.ts';

const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN',
  // isAdjustedToUTC=true: DuckDB reads an instant (TIMESTAMPTZ); Athena reads it as timestamp (UTC).
  timestamp: 'TIMESTAMP WITH TIME ZONE',
};

describe('curated Parquet', () => {
  let root: string;
  let path: string;
  let bytes: Uint8Array;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'parquet-'));
    const probeOff = vitalsMessage({ device_id: 'bed-monitor-009', seq: 9999, spo2: null, quality: ['spo2_probe_off'], consciousness: null });
    const records = [...validBatch(200), kinesisRecord(encodeVitals(probeOff), { n: 500, thing: 'bed-monitor-009' })];
    const { curated } = transformBatch(records, { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 + 400_000 });
    bytes = encodeCuratedParquet(curated.map((row) => row.value));
    await mkdir(root, { recursive: true });
    path = join(root, 'batch.parquet');
    await writeFile(path, bytes);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads back in DuckDB with the declared column types, in schema order', async () => {
    const described = await duckdbQuery(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    expect(described.map((row) => [row.column_name, row.column_type])).toEqual(
      CURATED_COLUMNS.map((column) => [column.name, DUCKDB_TYPES[column.type]]),
    );
  });

  it('keeps values, nulls and UTC instants intact in DuckDB', async () => {
    const [summary] = await duckdbQuery(`
      SELECT count(*) AS n, count(spo2) AS with_spo2,
             strftime(min(measured_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S') AS first_measured,
             max(ingest_latency_ms) AS max_latency, bool_and(news2_complete) AS all_complete
      FROM read_parquet('${path}')`);
    expect(summary).toMatchObject({ n: 201n, with_spo2: 200n, first_measured: '2026-11-24T17:00:00', max_latency: 400_000n, all_complete: false });
    const [probe] = await duckdbQuery(`SELECT spo2, news2_spo2, quality_flags, news2_missing FROM read_parquet('${path}') WHERE device_id = 'bed-monitor-009' AND seq = 9999`);
    expect(probe).toEqual({ spo2: null, news2_spo2: null, quality_flags: 'spo2_probe_off', news2_missing: 'spo2,consciousness' });
  });

  it('is Snappy-compressed and declares UTC-adjusted millisecond timestamps', async () => {
    const meta = await duckdbQuery(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`);
    expect(meta.map((row) => row.compression)).toEqual(['SNAPPY']);
    const measured = hyparquetSchema(bytes).find((element) => element.name === 'measured_at');
    expect(measured).toMatchObject({ type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } });
  });

  it('delta-encodes timestamps and sequence numbers, and both readers decode them', async () => {
    const encodings = await duckdbQuery(`SELECT path_in_schema AS name, encodings FROM parquet_metadata('${path}') WHERE path_in_schema IN ('measured_at', 'kinesis_sequence') ORDER BY 1`);
    expect(encodings).toEqual([
      { name: 'kinesis_sequence', encodings: expect.stringContaining('DELTA_BYTE_ARRAY') as unknown },
      { name: 'measured_at', encodings: expect.stringContaining('DELTA_BINARY_PACKED') as unknown },
    ]);
    const [sequences] = await duckdbQuery(`SELECT count(DISTINCT kinesis_sequence) AS n, min(kinesis_sequence) AS first FROM read_parquet('${path}')`);
    expect(sequences).toEqual({ n: 201n, first: sequenceNumber(0) });
    const rows = await hyparquetRows(bytes);
    expect(rows.map((row) => row.kinesis_sequence)).toEqual([...Array.from({ length: 200 }, (_, n) => sequenceNumber(n)), sequenceNumber(500)]);
    expect(rows.map((row) => (row.measured_at as Date).getTime()).slice(0, 3)).toEqual([T0, T0 + 1000, T0 + 2000]);
  });

  it('reads back with a second reader (hyparquet) to the same values', async () => {
    const rows = await hyparquetRows(bytes);
    expect(rows).toHaveLength(201);
    const first = rows[0]!;
    expect(first.measured_at).toEqual(new Date(T0));
    expect(first.seq).toBe(1n);
    expect(first.device_id).toBe('bed-monitor-000');
    expect(typeof first.temperature_c).toBe('number');
    expect(first.on_oxygen).toBe(false);
  });

  describe('with writer options', () => {
    const optionsRows = (): ReturnType<typeof transformBatch>['curated'] =>
      transformBatch(validBatch(50), { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 + 400_000 }).curated;

    it('writes a GZIP file that DuckDB reads back with the same values', async () => {
      const rows = optionsRows().map((row) => row.value);
      const gzipPath = join(root, 'gzip.parquet');
      await writeFile(gzipPath, encodeCuratedParquet(rows, { codec: 'GZIP' }));
      const meta = await duckdbQuery(`SELECT DISTINCT compression FROM parquet_metadata('${gzipPath}')`);
      expect(meta.map((row) => row.compression)).toEqual(['GZIP']);
      const readBack = await duckdbQuery(`SELECT device_id, seq, heart_rate FROM read_parquet('${gzipPath}')`);
      expect(readBack).toEqual(rows.map((row) => ({ device_id: row.device_id, seq: BigInt(row.seq), heart_rate: row.heart_rate })));
    });

    it('reads back the same values whatever encoding each column is written with', async () => {
      const rows = optionsRows().map((row) => row.value);
      const encodings = {
        seq: 'PLAIN', measured_at: 'PLAIN', ingested_at: 'RLE_DICTIONARY', ingest_latency_ms: 'PLAIN', news2_total: 'PLAIN',
        spo2_scale: 'DELTA_BINARY_PACKED', heart_rate: 'DELTA_BINARY_PACKED', temperature_c: 'BYTE_STREAM_SPLIT',
        kinesis_sequence: 'PLAIN', device_id: 'DELTA_BYTE_ARRAY',
      } as const;
      const readBack = await hyparquetRows(encodeCuratedParquet(rows, { encodings }));
      const asWritten = (value: unknown, type: ColumnType): unknown => {
        if (value === null) return null;
        if (type === 'timestamp') return new Date(value as number);
        return type === 'bigint' ? BigInt(value as number) : value;
      };
      expect(readBack).toEqual(rows.map((row) => Object.fromEntries(
        CURATED_COLUMNS.map((column) => [column.name, asWritten(row[column.name as keyof typeof row], column.type)]),
      )));
    });

    it('splits row groups, overrides encodings and writes statistics on every column when asked', async () => {
      const optionsPath = join(root, 'options.parquet');
      await writeFile(optionsPath, encodeCuratedParquet(optionsRows().map((row) => row.value), {
        rowGroupSize: 20, encodings: { measured_at: 'PLAIN' }, statistics: 'all', codec: 'UNCOMPRESSED',
      }));
      const groups = await duckdbQuery(`SELECT row_group_id, max(row_group_num_rows) AS n FROM parquet_metadata('${optionsPath}') GROUP BY 1 ORDER BY 1`);
      expect(groups.map((row) => row.n)).toEqual([20n, 20n, 10n]);
      const [measured] = await duckdbQuery(`SELECT encodings, compression FROM parquet_metadata('${optionsPath}') WHERE path_in_schema = 'measured_at' AND row_group_id = 0`);
      expect(measured).toEqual({ encodings: expect.not.stringContaining('DELTA') as unknown, compression: 'UNCOMPRESSED' });
      // Every chunk carries statistics (a null count at least; min/max unless the chunk is all null).
      const withoutStats = await duckdbQuery(`SELECT count(*) AS n FROM parquet_metadata('${optionsPath}')
        WHERE stats_null_count IS NULL OR (stats_min_value IS NULL AND stats_null_count < row_group_num_rows)`);
      expect(withoutStats).toEqual([{ n: 0n }]);
      const [defaultStats] = await duckdbQuery(`SELECT count(*) AS n FROM parquet_metadata('${path}') WHERE stats_null_count IS NULL`);
      expect(defaultStats!.n).toBeGreaterThan(0n);
    });
  });
});
