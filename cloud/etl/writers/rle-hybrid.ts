/**
 * Parquet's RLE / bit-packing hybrid (definition levels, dictionary indices, booleans), the same bytes as
 * hyparquet-writer's writeRleBitPackedHybrid (a property test holds them together), written into one
 * reused byte array instead of a ByteWriter call per byte: with a ward's varied values, where few runs
 * reach eight, the bit-packed groups were a fifth of the Parquet encode.
 *
 * The grouping is hyparquet-writer's: at each position a run of eight or more equal values becomes an RLE
 * run; otherwise the next eight values become one more bit-packed group (the last group padded with zeros).
 */
import type { ByteWriter } from 'hyparquet-writer';

let out = new Uint8Array(64 * 1024);
let length = 0;

function reserve(bytes: number): void {
  if (length + bytes <= out.length) return;
  const grown = new Uint8Array(Math.max(out.length * 2, length + bytes));
  grown.set(out.subarray(0, length));
  out = grown;
}

function varint(value: number): void {
  reserve(5);
  while (value > 0x7f) {
    out[length++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[length++] = value;
}

/** Appends the encoding of `values[0, count)` at `bitWidth` bits (0-24) to `writer`; returns the bytes written. */
export function writeHybrid(writer: ByteWriter, values: ArrayLike<number>, count: number, bitWidth: number): number {
  // Wider values would overflow the 32-bit accumulator; no dictionary of a batch comes near 2^24 entries.
  if (bitWidth > 24) throw new RangeError(`writeHybrid: bit width ${bitWidth} over 24`);
  length = 0;
  let pendingGroups = 0;
  let packedStart = 0;
  let i = 0;
  while (i < count) {
    const first = values[i]!;
    let run = 1;
    while (i + run < count && values[i + run] === first) run += 1;
    if (run >= 8) {
      if (pendingGroups > 0) {
        packGroups(values, count, packedStart, pendingGroups, bitWidth);
        pendingGroups = 0;
      }
      varint(run << 1);
      const width = (bitWidth + 7) >> 3;
      reserve(width);
      for (let j = 0; j < width; j += 1) out[length++] = (first >> (j << 3)) & 0xff;
      i += run;
    } else {
      if (pendingGroups === 0) packedStart = i;
      pendingGroups += 1;
      i += 8;
    }
  }
  if (pendingGroups > 0) packGroups(values, count, packedStart, pendingGroups, bitWidth);
  writer.appendBytes(out.subarray(0, length));
  return length;
}

/** A bit-packed run: its header, then `groups` * 8 values (zero past `count`), least significant bit first. */
function packGroups(values: ArrayLike<number>, count: number, start: number, groups: number, bitWidth: number): void {
  varint((groups << 1) | 1);
  if (bitWidth === 0) return;
  reserve(groups * bitWidth);
  const mask = (1 << bitWidth) - 1;
  const end = start + groups * 8;
  let buffer = 0;
  let bits = 0;
  for (let k = start; k < end; k += 1) {
    buffer |= (k < count ? values[k]! & mask : 0) << bits;
    bits += bitWidth;
    while (bits >= 8) {
      out[length++] = buffer & 0xff;
      buffer >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out[length++] = buffer & 0xff;
}
