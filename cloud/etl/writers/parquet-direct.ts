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
import type { ColumnChunk, Encoding, SchemaElement, Statistics } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import type { CuratedColumns, ColumnData } from '../curated-columns.ts';
import { compareCodePoints } from './code-point-order.ts';
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

interface Levels {
  /** 1 where the row has a value, 0 where null; undefined for a required column. */
  readonly defined: Uint8Array | undefined;
  readonly nulls: number;
  /** Batch positions of the rows with a value, in file order (the file's positions when none is null). */
  readonly present: Int32Array;
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

/** A file's dictionary: distinct values in order of first appearance, and each value's index. */
interface FileDictionary {
  readonly size: number;
  readonly indices: Int32Array;
  writePlain(writer: ByteWriter, element: SchemaElement): void;
}

/** One column's non-null values for the selected rows, read in whatever form an encoder needs. */
class ChunkValues {
  /** Batch positions of the rows with a value, in file order. */
  readonly present: Int32Array;
  private readonly nulls: number;

  constructor(private readonly data: ColumnData, levels: Levels) {
    this.nulls = levels.nulls;
    this.present = levels.present;
  }

  numbers(): Float64Array {
    const { data, present } = this;
    if (data.kind !== 'number') throw new TypeError(`parquet: ${data.kind} column read as numbers`);
    const out = new Float64Array(present.length);
    for (let i = 0; i < present.length; i += 1) out[i] = data.values[present[i]!]!;
    return out;
  }

  int32s(): Int32Array {
    const numbers = this.numbers();
    for (const value of numbers) if ((value | 0) !== value) throw new RangeError(`parquet expected int32 value, got ${value}`);
    return Int32Array.from(numbers);
  }

  booleans(): Uint8Array {
    const { data, present } = this;
    if (data.kind !== 'boolean') throw new TypeError(`parquet: ${data.kind} column read as booleans`);
    const out = new Uint8Array(present.length);
    for (let i = 0; i < present.length; i += 1) out[i] = data.values[present[i]!]!;
    return out;
  }

  private encoded: { bytes: Buffer; offsets: Int32Array } | undefined;

  /** UTF-8 of each value, cut from one buffer: `bytes[offsets[i], offsets[i + 1])`. */
  utf8(): { bytes: Buffer; offsets: Int32Array } {
    this.encoded ??= this.encodeUtf8();
    return this.encoded;
  }

  private encodeUtf8(): { bytes: Buffer; offsets: Int32Array } {
    const strings = this.strings();
    const offsets = new Int32Array(strings.length + 1);
    let total = 0;
    for (const text of strings) total += Buffer.byteLength(text, 'utf8');
    const bytes = Buffer.allocUnsafe(total);
    let offset = 0;
    for (let i = 0; i < strings.length; i += 1) {
      offset += bytes.write(strings[i]!, offset, 'utf8');
      offsets[i + 1] = offset;
    }
    return { bytes, offsets };
  }

  private strings(): string[] {
    const { data, present } = this;
    if (data.kind === 'string') return Array.from(present, (at) => data.values[at]!);
    if (data.kind === 'dictionary') return Array.from(present, (at) => data.dictionary[data.codes[at]!]!);
    throw new TypeError(`parquet: ${data.kind} column read as strings`);
  }

  dictionary(): FileDictionary {
    const { data, present } = this;
    const indices = new Int32Array(present.length);
    if (data.kind === 'dictionary') {
      // The batch already codes each string; the file keeps the codes it uses, renumbered by first use.
      const fileIndex = new Int32Array(data.dictionary.length).fill(-1);
      const used: string[] = [];
      for (let i = 0; i < present.length; i += 1) {
        const code = data.codes[present[i]!]!;
        let index = fileIndex[code]!;
        if (index < 0) {
          index = used.length;
          fileIndex[code] = index;
          used.push(data.dictionary[code]!);
        }
        indices[i] = index;
      }
      return { size: used.length, indices, writePlain: (writer) => writePlainStrings(writer, used) };
    }
    if (data.kind === 'string') {
      const lookup = new Map<string, number>();
      const used: string[] = [];
      for (let i = 0; i < present.length; i += 1) {
        const text = data.values[present[i]!]!;
        let index = lookup.get(text);
        if (index === undefined) {
          index = used.length;
          lookup.set(text, index);
          used.push(text);
        }
        indices[i] = index;
      }
      return { size: used.length, indices, writePlain: (writer) => writePlainStrings(writer, used) };
    }
    if (data.kind === 'number') {
      const small = smallIntegerRange(data.values, present, 1) ?? smallIntegerRange(data.values, present, 10);
      if (small !== undefined) {
        // Whole numbers (or tenths) in a narrow range (vitals, sub-scores, temperatures): a table indexed by
        // value instead of a Map. Distinct values have distinct keys (each value is its key / scale), and
        // 0 and -0 share one, as they do in hyparquet-writer's Map.
        const { min, scale } = small;
        const fileIndex = new Int32Array(small.max - min + 1).fill(-1);
        const used: number[] = [];
        for (let i = 0; i < present.length; i += 1) {
          const value = data.values[present[i]!]!;
          const key = (scale === 1 ? value : Math.round(value * scale)) - min;
          let index = fileIndex[key]!;
          if (index < 0) {
            index = used.length;
            fileIndex[key] = index;
            used.push(value);
          }
          indices[i] = index;
        }
        return { size: used.length, indices, writePlain: (writer, element) => writePlainNumbers(writer, used, element) };
      }
      // A Map keys numbers by SameValueZero, as hyparquet-writer's dictionary does: 0 and -0 share an entry.
      const lookup = new Map<number, number>();
      const used: number[] = [];
      for (let i = 0; i < present.length; i += 1) {
        const value = data.values[present[i]!]!;
        let index = lookup.get(value);
        if (index === undefined) {
          index = used.length;
          lookup.set(value, index);
          used.push(value);
        }
        indices[i] = index;
      }
      return { size: used.length, indices, writePlain: (writer, element) => writePlainNumbers(writer, used, element) };
    }
    throw new TypeError('parquet: boolean columns have no dictionary');
  }

  writePlain(writer: ByteWriter, element: SchemaElement): void {
    const { data } = this;
    if (data.kind === 'number') writePlainNumbers(writer, this.numbers(), element);
    else if (data.kind === 'boolean') writePlainBooleans(writer, this.booleans());
    else {
      const { bytes, offsets } = this.utf8();
      for (let i = 0; i + 1 < offsets.length; i += 1) {
        writer.appendUint32(offsets[i + 1]! - offsets[i]!);
        writer.appendBytes(bytes.subarray(offsets[i]!, offsets[i + 1]!));
      }
    }
  }

  /** DELTA_BYTE_ARRAY: delta-packed prefix lengths (shared with the previous value), suffix lengths, suffixes. */
  writeDeltaByteArray(writer: ByteWriter): void {
    const { bytes, offsets } = this.utf8();
    const count = offsets.length - 1;
    const prefixes = new Int32Array(count);
    const suffixes = new Int32Array(count);
    const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i += 1) {
      const start = offsets[i]!;
      const length = offsets[i + 1]! - start;
      let prefix = 0;
      if (i > 0) {
        const previous = offsets[i - 1]!;
        const limit = Math.min(length, start - previous);
        // Four bytes at a time while they agree (sequence numbers share some 40 leading digits), then bytewise.
        while (prefix + 4 <= limit && words.getInt32(previous + prefix) === words.getInt32(start + prefix)) prefix += 4;
        while (prefix < limit && bytes[previous + prefix] === bytes[start + prefix]) prefix += 1;
      }
      prefixes[i] = prefix;
      suffixes[i] = length - prefix;
    }
    deltaBinaryPack(writer, prefixes, 'INT32');
    deltaBinaryPack(writer, suffixes, 'INT32');
    for (let i = 0; i < count; i += 1) if (suffixes[i]! > 0) writer.appendBytes(bytes.subarray(offsets[i]! + prefixes[i]!, offsets[i + 1]!));
  }

  /** What hyparquet-writer's page splitter would count for the page's values (it splits at PAGE_SIZE). */
  estimatedPageBytes(encoding: Encoding, element: SchemaElement): number {
    const count = this.present.length;
    if (encoding === 'RLE_DICTIONARY') return count * 4;
    switch (element.type) {
      case 'BOOLEAN':
        return count / 8;
      case 'INT32':
        return count * 4;
      case 'INT64':
      case 'DOUBLE':
        return count * 8;
      default:
        // Byte arrays count their UTF-8 bytes.
        return this.utf8().bytes.byteLength;
    }
  }

  /** Min/max over the values (NaN skipped and counted for doubles), null count: as hyparquet-writer gives them. */
  statistics(type: string): Statistics {
    const { data, present } = this;
    const nullCount = BigInt(this.nulls);
    if (data.kind === 'number') {
      let min: number | undefined;
      let max: number | undefined;
      let nans = 0;
      for (let i = 0; i < present.length; i += 1) {
        const value = data.values[present[i]!]!;
        if (Number.isNaN(value)) {
          nans += 1;
          continue;
        }
        if (min === undefined || value < min) min = value;
        if (max === undefined || value > max) max = value;
      }
      // Signed zero, per the Parquet spec: a zero min is written -0, a zero max +0.
      if (min === 0) min = -0;
      if (max === 0) max = 0;
      return { min_value: min, max_value: max, null_count: nullCount, ...(type === 'double' ? { nan_count: BigInt(nans) } : { nan_count: undefined }) } as Statistics;
    }
    if (data.kind === 'boolean') {
      let min: boolean | undefined;
      let max: boolean | undefined;
      for (let i = 0; i < present.length; i += 1) {
        const value = data.values[present[i]!] === 1;
        if (min === undefined || (value < min)) min = value;
        if (max === undefined || (value > max)) max = value;
      }
      return { min_value: min, max_value: max, null_count: nullCount, nan_count: undefined } as Statistics;
    }
    // Strings: the extremes of the distinct values are the extremes of all of them.
    const distinct = data.kind === 'dictionary' ? usedDictionaryStrings(data, present) : present.length === 0 ? [] : Array.from(present, (at) => data.values[at]!);
    let min: string | undefined;
    let max: string | undefined;
    for (const value of distinct) {
      if (min === undefined || compareCodePoints(value, min) < 0) min = value;
      if (max === undefined || compareCodePoints(value, max) > 0) max = value;
    }
    return { min_value: min, max_value: max, null_count: nullCount, nan_count: undefined } as Statistics;
  }
}

/**
 * When every value is a whole multiple of 1 / scale (value = round(value * scale) / scale exactly) and the
 * multiples span at most 65,536: their smallest and largest multiple.
 */
function smallIntegerRange(values: Float64Array, present: Int32Array, scale: number): { min: number; max: number; scale: number } | undefined {
  if (present.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < present.length; i += 1) {
    const value = values[present[i]!]!;
    const key = scale === 1 ? value : Math.round(value * scale);
    if ((key | 0) !== key || (scale !== 1 && key / scale !== value)) return undefined;
    if (key < min) min = key;
    if (key > max) max = key;
  }
  return max - min < 65_536 ? { min, max, scale } : undefined;
}

function usedDictionaryStrings(data: Extract<ColumnData, { kind: 'dictionary' }>, present: Int32Array): string[] {
  const seen = new Uint8Array(data.dictionary.length);
  const used: string[] = [];
  for (let i = 0; i < present.length; i += 1) {
    const code = data.codes[present[i]!]!;
    if (seen[code] === 0) {
      seen[code] = 1;
      used.push(data.dictionary[code]!);
    }
  }
  return used;
}

function writePlainStrings(writer: ByteWriter, strings: readonly string[]): void {
  for (const text of strings) {
    const bytes = Buffer.from(text, 'utf8');
    writer.appendUint32(bytes.byteLength);
    writer.appendBytes(bytes);
  }
}

function writePlainNumbers(writer: ByteWriter, values: ArrayLike<number>, element: SchemaElement): void {
  switch (element.type) {
    case 'INT32':
      for (let i = 0; i < values.length; i += 1) {
        const value = values[i]!;
        if (!Number.isSafeInteger(value) || value < -2147483648 || value > 2147483647) throw new RangeError(`parquet expected int32 value, got ${value}`);
        writer.appendInt32(value);
      }
      return;
    case 'DOUBLE':
      for (let i = 0; i < values.length; i += 1) writer.appendFloat64(values[i]!);
      return;
    case 'INT64':
      for (let i = 0; i < values.length; i += 1) {
        const value = values[i]!;
        if (!Number.isSafeInteger(value)) throw new RangeError(`parquet expected a safe integer, got ${value}`);
        // Two's complement halves of a safe integer, without a BigInt per value.
        writer.appendUint32(value >>> 0);
        writer.appendInt32(Math.floor(value / 4294967296));
      }
      return;
    default:
      throw new TypeError(`parquet: no plain number encoding for ${element.type}`);
  }
}

function writePlainBooleans(writer: ByteWriter, values: Uint8Array): void {
  let byte = 0;
  for (let i = 0; i < values.length; i += 1) {
    if (values[i] === 1) byte |= 1 << (i & 7);
    if ((i & 7) === 7) {
      writer.appendUint8(byte);
      byte = 0;
    }
  }
  if ((values.length & 7) !== 0) writer.appendUint8(byte);
}
