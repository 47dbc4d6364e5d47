/**
 * Curated Parquet written straight from a columnar batch (CuratedColumns): the ETL's hot path.
 *
 * The file is byte for byte what hyparquet-writer writes for the same columns and plan (a property test
 * holds the two together: test/unit/cloud/etl/writers/parquet-direct.test.ts), and the framing is
 * hyparquet-writer's own: its page headers, footer, RLE/bit-packing and INT32 delta packing, Snappy. What
 * this module replaces is the per-value work the general writer does for any input: a Map lookup per value
 * to build each dictionary, a BigInt per timestamp and INT64 value, statistics and definition levels over
 * boxed values, filtered copies of each column. Here the batch's own dictionary codes are remapped, the
 * 64-bit delta packing is done in float arithmetic on safe integers, and every per-value loop runs over a
 * typed array.
 */
import type { ColumnChunk, Encoding, SchemaElement } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import type { CuratedColumns, ColumnData } from '../curated-columns.ts';
import { ChunkValues, type FileDictionary, type PresentRows } from './chunk-values.ts';
import { packDeltaSafeIntegers } from './delta-safe-integers.ts';
import { writeHybrid } from './rle-hybrid.ts';
import type { ColumnPlan, ParquetCodec } from './parquet-plan.ts';

/** hyparquet-writer's default page size: a column over it is split into pages, which this writer does not do. */
const PAGE_SIZE = 1_048_576;
const PARQUET_MAGIC = 0x31524150;

export interface DirectWriteOptions {
  readonly codec: ParquetCodec;
  readonly compress: ((bytes: Uint8Array) => Uint8Array) | undefined;
  readonly createdBy: string;
  readonly schema: readonly SchemaElement[];
}

/** Encodings this writer produces; anything else goes through hyparquet-writer. */
export function directWriterTakes(plan: ColumnPlan): boolean {
  switch (plan.encoding) {
    case 'RLE_DICTIONARY':
    case 'PLAIN':
      return true;
    case 'RLE':
      return plan.column.type === 'boolean';
    case 'DELTA_BINARY_PACKED':
      return plan.column.type === 'int' || plan.column.type === 'bigint' || plan.column.type === 'timestamp';
    case 'DELTA_BYTE_ARRAY':
      return plan.column.type === 'string';
    default:
      return false;
  }
}

/** Rows `positions` (all when null) of the batch, as one row group, one page per column chunk. */
export function writeCuratedFile(columns: CuratedColumns, positions: ArrayLike<number> | null, plans: readonly ColumnPlan[], options: DirectWriteOptions): Uint8Array | undefined {
  const count = positions === null ? columns.length : positions.length;
  if (count === 0) return undefined;
  const rows = new RowSelection(positions, count);
  const writer = new ByteWriter(4096 + count * 48);
  writer.appendUint32(PARQUET_MAGIC);
  const chunks: ColumnChunk[] = [];
  let uncompressedTotal = 0n;
  for (const plan of plans) {
    const chunk = writeChunk(writer, columns.column(plan.column.name), rows, plan, options);
    if (chunk === undefined) return undefined;
    chunks.push(chunk);
    uncompressedTotal += chunk.meta_data!.total_uncompressed_size;
  }
  const rowCount = BigInt(count);
  writeMetadata(writer, {
    version: 2,
    created_by: options.createdBy,
    schema: options.schema as SchemaElement[],
    num_rows: rowCount,
    // The row group starts right after the 4-byte magic.
    row_groups: [{ columns: chunks, total_byte_size: uncompressedTotal, num_rows: rowCount, total_compressed_size: BigInt(writer.offset - 4) }],
    metadata_length: 0,
  });
  writer.appendUint32(PARQUET_MAGIC);
  return new Uint8Array(writer.getBuffer());
}

/** Which batch rows go into the file, in order. */
class RowSelection {
  /** The batch position of each file row. */
  readonly positions: Int32Array;

  constructor(positions: ArrayLike<number> | null, readonly count: number) {
    this.positions = positions === null ? identity(count) : Int32Array.from(positions);
  }

  at(i: number): number {
    return this.positions[i]!;
  }
}

let identityPositions = new Int32Array(0);

/** 0, 1, ..., count - 1 (a view of one array kept for every file). */
function identity(count: number): Int32Array {
  if (identityPositions.length < count) identityPositions = Int32Array.from({ length: Math.max(count, identityPositions.length * 2) }, (_, i) => i);
  return identityPositions.subarray(0, count);
}

/** Reused scratch for page bodies and levels: a file's pages are written one at a time. */
const pageScratch = new ByteWriter(64 * 1024);
const levelScratch = new ByteWriter(4 * 1024);

function reset(writer: ByteWriter): ByteWriter {
  writer.index = 0;
  writer.offset = 0;
  return writer;
}

interface Levels extends PresentRows {
  /** 1 where the row has a value, 0 where null; undefined for a required column. */
  readonly defined: Uint8Array | undefined;
}

function levelsOf(data: ColumnData, rows: RowSelection, nullable: boolean): Levels {
  if (!nullable) {
    if (hasNull(data, rows)) throw new Error('parquet required value is undefined');
    return { defined: undefined, nulls: 0, present: rows.positions };
  }
  const { positions, count } = rows;
  const defined = new Uint8Array(count);
  // Filled as the rows are looked at: at most one slot per row, trimmed to the ones with a value.
  const present = new Int32Array(count);
  let n = 0;
  // One loop per storage kind: a switch per row was a tenth of the encode.
  if (data.kind === 'dictionary') {
    for (let i = 0; i < count; i += 1) if (data.codes[positions[i]!]! >= 0) { defined[i] = 1; present[n++] = positions[i]!; }
  } else if (data.kind === 'string') {
    for (let i = 0; i < count; i += 1) if (data.values[positions[i]!] !== null) { defined[i] = 1; present[n++] = positions[i]!; }
  } else if (data.nulls === null) {
    return { defined: defined.fill(1), nulls: 0, present: positions };
  } else {
    const mask = data.nulls;
    for (let i = 0; i < count; i += 1) if (mask[positions[i]!] === 0) { defined[i] = 1; present[n++] = positions[i]!; }
  }
  return { defined, nulls: count - n, present: n === count ? positions : present.subarray(0, n) };
}

/** Required number and boolean columns cannot hold a null (CuratedColumns keeps no mask for them). */
function hasNull(data: ColumnData, rows: RowSelection): boolean {
  const { positions } = rows;
  if (data.kind === 'dictionary') {
    for (let i = 0; i < rows.count; i += 1) if (data.codes[positions[i]!]! < 0) return true;
  } else if (data.kind === 'string') {
    for (let i = 0; i < rows.count; i += 1) if (data.values[positions[i]!] === null) return true;
  }
  return false;
}

function writeChunk(writer: ByteWriter, data: ColumnData, rows: RowSelection, plan: ColumnPlan, options: DirectWriteOptions): ColumnChunk | undefined {
  const { column, element } = plan;
  const levels = levelsOf(data, rows, column.nullable);
  const values = new ChunkValues(data, levels);
  const offsetStart = writer.offset;
  const encodings: Encoding[] = [];
  let uncompressed = 0;
  let dictionaryOffset: bigint | undefined;
  let encoding = plan.encoding;
  if (encoding === 'RLE_DICTIONARY' && column.type === 'boolean') encoding = rows.count > 16 ? 'RLE' : 'PLAIN';

  if (values.estimatedPageBytes(encoding, element) >= PAGE_SIZE) return undefined;
  const page = reset(pageScratch);
  if (encoding === 'RLE_DICTIONARY') {
    const dictionary = values.dictionary();
    dictionaryOffset = BigInt(writer.offset);
    uncompressed += writeDictionaryPage(writer, dictionary, element, options);
    encodings.push('PLAIN');
    // Indices are given in order of first use, so the largest is the dictionary's size less one.
    const bitWidth = Math.ceil(Math.log2(Math.max(dictionary.size, 1)));
    page.appendUint8(bitWidth);
    writeHybrid(page, dictionary.indices, dictionary.indices.length, bitWidth);
  } else if (encoding === 'PLAIN') {
    values.writePlain(page, element);
  } else if (encoding === 'RLE') {
    const booleans = values.booleans();
    // The RLE page starts with its length: reserve it, write the runs, then fill it in.
    const lengthAt = page.offset;
    page.appendUint32(0);
    const written = writeHybrid(page, booleans, booleans.length, 1);
    page.view.setUint32(lengthAt, written, true);
  } else if (encoding === 'DELTA_BINARY_PACKED') {
    if (element.type === 'INT32') deltaBinaryPack(page, values.int32s(), 'INT32');
    else packDeltaSafeIntegers(page, values.numbers());
  } else if (encoding === 'DELTA_BYTE_ARRAY') {
    values.writeDeltaByteArray(page);
  } else {
    return undefined;
  }
  encodings.push(encoding);

  const dataPageOffset = BigInt(writer.offset);
  uncompressed += writeDataPage(writer, page, levels, rows.count, encoding, options);
  const statistics = plan.statistics ? values.statistics(column.type) : undefined;
  return {
    meta_data: {
      type: element.type!,
      encodings,
      path_in_schema: [column.name],
      codec: options.codec,
      num_values: BigInt(rows.count),
      total_compressed_size: BigInt(writer.offset - offsetStart),
      total_uncompressed_size: BigInt(uncompressed),
      data_page_offset: dataPageOffset,
      ...(dictionaryOffset === undefined ? {} : { dictionary_page_offset: dictionaryOffset }),
      ...(statistics === undefined ? {} : {
        statistics,
        encoding_stats: [
          ...(dictionaryOffset === undefined ? [] : [{ page_type: 'DICTIONARY_PAGE' as const, encoding: 'PLAIN' as const, count: 1 }]),
          { page_type: 'DATA_PAGE_V2' as const, encoding, count: 1 },
        ],
      }),
    },
    file_offset: BigInt(offsetStart),
  };
}

function writeDictionaryPage(writer: ByteWriter, dictionary: FileDictionary, element: SchemaElement, options: DirectWriteOptions): number {
  const body = new ByteWriter(1024);
  dictionary.writePlain(body, element);
  const bytes = body.getBytes();
  const compressed = options.compress?.(bytes) ?? bytes;
  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DICTIONARY_PAGE',
    uncompressed_page_size: bytes.byteLength,
    compressed_page_size: compressed.byteLength,
    dictionary_page_header: { num_values: dictionary.size, encoding: 'PLAIN' },
  });
  const headerSize = writer.offset - headerStart;
  writer.appendBytes(compressed);
  return headerSize + bytes.byteLength;
}

function writeDataPage(writer: ByteWriter, page: ByteWriter, levels: Levels, count: number, encoding: Encoding, options: DirectWriteOptions): number {
  const levelWriter = reset(levelScratch);
  const levelBytes = levels.defined === undefined ? 0 : writeHybrid(levelWriter, levels.defined, levels.defined.length, 1);
  const pageBytes = page.getBytes();
  const compressed = options.compress?.(pageBytes) ?? pageBytes;
  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: levelBytes + pageBytes.byteLength,
    compressed_page_size: levelBytes + compressed.byteLength,
    data_page_header_v2: {
      num_values: count, num_nulls: levels.nulls, num_rows: count, encoding,
      definition_levels_byte_length: levelBytes, repetition_levels_byte_length: 0,
      // hyparquet-writer marks every page compressed (an UNCOMPRESSED page decompresses as itself).
      is_compressed: true,
    },
  });
  const headerSize = writer.offset - headerStart;
  if (levelBytes > 0) writer.appendBytes(levelWriter.getBytes());
  writer.appendBytes(compressed);
  return headerSize + levelBytes + pageBytes.byteLength;
}
