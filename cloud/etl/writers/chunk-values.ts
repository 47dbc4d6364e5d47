/**
 * One column chunk's values for the direct Parquet writer (parquet-direct.ts), read from the batch's
 * columns in whatever form an encoder needs: numbers, booleans or UTF-8 bytes of the rows with a value,
 * the file's dictionary, plain and DELTA_BYTE_ARRAY pages, statistics, the size hyparquet-writer would
 * count for its page split. Each loop runs over typed arrays; nothing is boxed per value.
 */
import type { Encoding, SchemaElement, Statistics } from 'hyparquet';
import type { ByteWriter } from 'hyparquet-writer';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import type { ColumnData } from '../curated-columns.ts';
import { compareCodePoints } from './code-point-order.ts';

/** Batch positions of the rows with a value, in file order, and how many rows have none. */
export interface PresentRows {
  readonly present: Int32Array;
  readonly nulls: number;
}

/** A file's dictionary: distinct values in order of first appearance, and each value's index. */
export interface FileDictionary {
  readonly size: number;
  readonly indices: Int32Array;
  writePlain(writer: ByteWriter, element: SchemaElement): void;
}

/** One column's non-null values for the selected rows, read in whatever form an encoder needs. */
export class ChunkValues {
  /** Batch positions of the rows with a value, in file order. */
  readonly present: Int32Array;
  private readonly nulls: number;

  constructor(private readonly data: ColumnData, levels: PresentRows) {
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
      // Unique strings reach hyparquet-writer as UTF-8 bytes, which it deduplicates by content: strings
      // that differ only in lone surrogates (each written as U+FFFD) are one entry there, so here too.
      const used = dictionaryByMap(present.length, (i) => wellFormed(data.values[present[i]!]!), indices);
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
      const used = dictionaryByMap(present.length, (i) => data.values[present[i]!]!, indices);
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

const SURROGATE = /[\uD800-\uDFFF]/;

/** The string UTF-8 writes for `text`: lone surrogates as U+FFFD (what Buffer.from(text) encodes). */
function wellFormed(text: string): string {
  return SURROGATE.test(text) ? Buffer.from(text, 'utf8').toString('utf8') : text;
}

/** The distinct values of `valueOf(0..count)` in order of first use, each value's index into them in `indices`. */
function dictionaryByMap<T>(count: number, valueOf: (i: number) => T, indices: Int32Array): T[] {
  const lookup = new Map<T, number>();
  const used: T[] = [];
  for (let i = 0; i < count; i += 1) {
    const value = valueOf(i);
    let index = lookup.get(value);
    if (index === undefined) {
      index = used.length;
      lookup.set(value, index);
      used.push(value);
    }
    indices[i] = index;
  }
  return used;
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
