import fc from 'fast-check';
import { parquetReadObjects } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { writeHybrid } from '../../../../../cloud/etl/writers/rle-hybrid.ts';
import { describe, expect, it } from 'vitest';
import { CuratedColumns } from '../../../../../cloud/etl/curated-columns.ts';
import type { CuratedRow } from '../../../../../cloud/etl/curated-row.ts';
import { createPseudonymiser } from '../../../../../cloud/etl/pseudonym.ts';
import { transformBatch } from '../../../../../cloud/etl/transform.ts';
import { compareCodePoints } from '../../../../../cloud/etl/writers/code-point-order.ts';
import { packDeltaSafeIntegers } from '../../../../../cloud/etl/writers/delta-safe-integers.ts';
import { directWriterTakes, writeCuratedFile } from '../../../../../cloud/etl/writers/parquet-direct.ts';
import { encodeCuratedColumns, encodeCuratedColumnsGeneral, PARQUET_COMPRESSORS } from '../../../../../cloud/etl/writers/parquet.ts';
import { CURATED_PARQUET_SCHEMA, curatedColumnPlans, type CuratedParquetOptions, type ParquetEncoding } from '../../../../../cloud/etl/writers/parquet-plan.ts';
import { CURATED_COLUMNS, type ColumnType } from '../../../../../cloud/lake/curated-schema.ts';
import { T0, validBatch } from '../kinesis-fixtures.ts';

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const safeInteger = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger(), fc.constantFrom(-0, 2 ** 50, -(2 ** 50), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER));
const epochMs = fc.oneof(fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 }), safeInteger);
/** Strings that stress UTF-8 and code point order: surrogate pairs, lone surrogates, long shared prefixes. */
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', 'a', 'b', 'ward-7', '\u{1F600}', '\uE000', '\uD800', '\uDBFF', '\uFFFD', 'é', `4964${'0'.repeat(52)}`, `4964${'0'.repeat(51)}1`),
);

/** A value of a column of the given type, null allowed where the column is nullable. */
function valueOf(type: ColumnType, nullable: boolean): fc.Arbitrary<unknown> {
  const value: fc.Arbitrary<unknown> = {
    string: text,
    int: fc.oneof(fc.integer({ min: 0, max: 250 }), int32, fc.constant(-0)),
    bigint: safeInteger,
    double: fc.oneof(fc.double(), fc.constantFrom(-0, 0, 36.8, 37.2, Number.NaN, Infinity)),
    boolean: fc.boolean(),
    timestamp: epochMs,
  }[type];
  return nullable ? fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }) : value;
}

/** Rows drawn from a few values per column (so dictionaries repeat), or from anything. */
const rowsArbitrary: fc.Arbitrary<CuratedRow[]> = fc.integer({ min: 1, max: 120 }).chain((count) =>
  fc.tuple(...CURATED_COLUMNS.map((column) =>
    fc.array(valueOf(column.type, column.nullable), { minLength: 1, maxLength: 6 }).chain((pool) =>
      fc.oneof(
        fc.array(fc.constantFrom(...pool), { minLength: count, maxLength: count }),
        fc.array(valueOf(column.type, column.nullable), { minLength: count, maxLength: count }),
      )),
  )).map((columns) => Array.from({ length: count }, (_, row) =>
    Object.fromEntries(CURATED_COLUMNS.map((column, c) => [column.name, columns[c]![row]])) as unknown as CuratedRow)),
);

/** Encodings the direct writer takes, per column type. */
const ENCODINGS: Record<ColumnType, ParquetEncoding[]> = {
  string: ['RLE_DICTIONARY', 'PLAIN', 'DELTA_BYTE_ARRAY'],
  int: ['RLE_DICTIONARY', 'PLAIN', 'DELTA_BINARY_PACKED'],
  bigint: ['RLE_DICTIONARY', 'PLAIN', 'DELTA_BINARY_PACKED'],
  timestamp: ['RLE_DICTIONARY', 'PLAIN', 'DELTA_BINARY_PACKED'],
  double: ['RLE_DICTIONARY', 'PLAIN'],
  boolean: ['RLE', 'PLAIN', 'RLE_DICTIONARY'],
};

const optionsArbitrary: fc.Arbitrary<CuratedParquetOptions> = fc.record({
  codec: fc.constantFrom('SNAPPY', 'GZIP', 'UNCOMPRESSED'),
  statistics: fc.constantFrom('default', 'all'),
  encodings: fc.dictionary(
    fc.constantFrom(...CURATED_COLUMNS.map((column) => column.name)),
    fc.constant(null),
  ).chain((names) => fc.record(Object.fromEntries(Object.keys(names).map((name) =>
    [name, fc.constantFrom(...ENCODINGS[CURATED_COLUMNS.find((column) => column.name === name)!.type])])))),
}, { requiredKeys: [] }) as fc.Arbitrary<CuratedParquetOptions>;

/** The direct writer itself (not the dispatcher, which could fall back without the test noticing). */
function direct(columns: CuratedColumns, positions: number[] | null, options: CuratedParquetOptions): Buffer {
  const plans = curatedColumnPlans(options);
  expect(plans.every(directWriterTakes)).toBe(true);
  const codec = options.codec ?? 'SNAPPY';
  const compress = { SNAPPY: snappyCompress, GZIP: PARQUET_COMPRESSORS.GZIP, UNCOMPRESSED: undefined }[codec];
  const file = writeCuratedFile(columns, positions, plans, { codec, compress, createdBy: 'healthcare-realtime-datalake etl', schema: CURATED_PARQUET_SCHEMA });
  expect(file).toBeDefined();
  return Buffer.from(file!);
}

describe('direct curated Parquet writer', () => {
  it('writes the same bytes as hyparquet-writer for any rows, row subset, codec, encodings and statistics', () => {
    fc.assert(fc.property(rowsArbitrary, optionsArbitrary, fc.array(fc.nat(), { maxLength: 30 }), (rows, options, picks) => {
      const columns = CuratedColumns.fromRows(rows);
      const positions = picks.length === 0 ? null : picks.map((pick) => pick % rows.length);
      expect(direct(columns, positions, options).equals(Buffer.from(encodeCuratedColumnsGeneral(columns, positions, options)))).toBe(true);
    }), { numRuns: 300 });
  });

  it('writes the same bytes as hyparquet-writer for a transformed batch, whole and split by hour', () => {
    const { curatedColumns } = transformBatch(validBatch(5_000, { devices: 200 }), { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 + 6_000_000 });
    const firstHour = Array.from({ length: 3_600 }, (_, i) => i);
    for (const positions of [null, firstHour]) {
      expect(direct(curatedColumns, positions, {}).equals(Buffer.from(encodeCuratedColumnsGeneral(curatedColumns, positions)))).toBe(true);
    }
  });

  it('is what the ETL writes by default, and hands row groups and BYTE_STREAM_SPLIT to hyparquet-writer', () => {
    const columns = CuratedColumns.fromRows(transformBatch(validBatch(40), { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 }).curated.map((row) => row.value));
    expect(Buffer.from(encodeCuratedColumns(columns, null)).equals(direct(columns, null, {}))).toBe(true);
    expect(curatedColumnPlans({ encodings: { temperature_c: 'BYTE_STREAM_SPLIT' } }).every(directWriterTakes)).toBe(false);
    for (const options of [{ rowGroupSize: 10 }, { encodings: { temperature_c: 'BYTE_STREAM_SPLIT' as const } }]) {
      expect(Buffer.from(encodeCuratedColumns(columns, null, options)).equals(Buffer.from(encodeCuratedColumnsGeneral(columns, null, options)))).toBe(true);
    }
  });

  it('makes one dictionary entry of strings that UTF-8 writes alike (lone surrogates), as hyparquet-writer does', () => {
    const [first] = transformBatch(validBatch(1), { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 }).curated.map((row) => row.value);
    const columns = CuratedColumns.fromRows(['\uD800', '\uDBFF', '\uFFFD', 'x'].map((sequence) => ({ ...first!, kinesis_sequence: sequence })));
    const options = { encodings: { kinesis_sequence: 'RLE_DICTIONARY' as const } };
    expect(direct(columns, null, options).equals(Buffer.from(encodeCuratedColumnsGeneral(columns, null, options)))).toBe(true);
  });

  it('writes a missing (undefined) value of a row from elsewhere as null, as hyparquet-writer does', () => {
    const [first, second] = transformBatch(validBatch(2), { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 }).curated.map((row) => row.value);
    const rows = [{ ...first!, ward: undefined, heart_rate: undefined, on_oxygen: undefined } as unknown as CuratedRow, second!];
    const columns = CuratedColumns.fromRows(rows);
    expect(columns.rowAt(0)).toMatchObject({ ward: null, heart_rate: null, on_oxygen: null });
    expect(Buffer.from(encodeCuratedColumns(columns, null)).equals(Buffer.from(encodeCuratedColumnsGeneral(columns, null)))).toBe(true);
  });

  it('rejects a null in a required column, as hyparquet-writer does', () => {
    const rows = transformBatch(validBatch(3), { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 }).curated.map((row) => row.value);
    const columns = CuratedColumns.fromRows([{ ...rows[0]!, device_id: null as unknown as string }, rows[1]!]);
    expect(() => encodeCuratedColumns(columns, null)).toThrow(/required/);
    expect(() => encodeCuratedColumnsGeneral(columns, null)).toThrow(/required/);
  });
});

describe('packDeltaSafeIntegers', () => {
  it('writes the bytes of hyparquet-writer INT64 delta packing, for any safe integers', () => {
    fc.assert(fc.property(fc.array(fc.oneof(epochMs, fc.integer({ min: -5, max: 5 })), { maxLength: 400 }), (values) => {
      const ours = new ByteWriter();
      packDeltaSafeIntegers(ours, Float64Array.from(values));
      const theirs = new ByteWriter();
      deltaBinaryPack(theirs, values.map((value) => BigInt(value)), 'INT64');
      expect(Buffer.from(ours.getBytes())).toEqual(Buffer.from(theirs.getBytes()));
    }), { numRuns: 500 });
  });
});

describe('compareCodePoints', () => {
  it('orders strings as their UTF-8 bytes do', () => {
    fc.assert(fc.property(text, text, (a, b) => {
      expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
    }), { numRuns: 2_000 });
  });
});

describe('writeHybrid', () => {
  it('writes the bytes of hyparquet-writer RLE / bit-packing hybrid, for any values and widths', () => {
    const values = fc.integer({ min: 0, max: 24 }).chain((width) => fc.tuple(fc.constant(width), fc.array(
      fc.oneof(fc.integer({ min: 0, max: 2 ** width - 1 }), fc.constant(0)).chain((value) => fc.array(fc.constant(value), { minLength: 1, maxLength: 12 })),
      { maxLength: 40 },
    ).map((runs) => runs.flat())));
    fc.assert(fc.property(values, ([width, list]) => {
      const ours = new ByteWriter();
      const written = writeHybrid(ours, Int32Array.from(list), list.length, width);
      const theirs = new ByteWriter();
      writeRleBitPackedHybrid(theirs, list, width);
      expect(written).toBe(ours.offset);
      expect(Buffer.from(ours.getBytes())).toEqual(Buffer.from(theirs.getBytes()));
    }), { numRuns: 2_000 });
  });
});

describe('direct writer limits', () => {
  it('leaves a column of more than one page (1 MiB) to hyparquet-writer, which splits it', async () => {
    const [first] = transformBatch(validBatch(1), { pseudonymise: createPseudonymiser('k'.repeat(32)), now: T0 }).curated.map((row) => row.value);
    // 20,000 unique 64-character sequence numbers: 1.28 MB of DELTA_BYTE_ARRAY values in one column.
    const rows = Array.from({ length: 20_000 }, (_, n) => ({ ...first!, seq: n, kinesis_sequence: `${'4964'.repeat(12)}${String(n).padStart(16, '0')}` }));
    const columns = CuratedColumns.fromRows(rows);
    expect(writeCuratedFile(columns, null, curatedColumnPlans(), { codec: 'SNAPPY', compress: snappyCompress, createdBy: 'x', schema: CURATED_PARQUET_SCHEMA })).toBeUndefined();
    const bytes = encodeCuratedColumns(columns, null);
    expect(Buffer.from(bytes).equals(Buffer.from(encodeCuratedColumnsGeneral(columns, null)))).toBe(true);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const read = await parquetReadObjects({ file, columns: ['kinesis_sequence'] });
    expect(read.map((row) => row.kinesis_sequence)).toEqual(rows.map((row) => row.kinesis_sequence));
  });
});
