/**
 * Parquet DELTA_BINARY_PACKED for 64-bit columns whose values are JavaScript safe integers (epoch
 * milliseconds, sequence numbers), in float arithmetic: the same bytes as hyparquet-writer's INT64 path,
 * which makes a BigInt of every value and every delta. Blocks of 128 values in 4 miniblocks of 32, as
 * there. Values beyond ±2^50 (never a timestamp or a seq) go to hyparquet-writer itself, so that no
 * intermediate here can leave the exact range of a double.
 */
import type { ByteWriter } from 'hyparquet-writer';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';

const BLOCK_SIZE = 128;
const MINIBLOCKS = 4;
const MINIBLOCK_SIZE = BLOCK_SIZE / MINIBLOCKS;
const EXACT_LIMIT = 2 ** 50;

const deltas = new Float64Array(BLOCK_SIZE);
const bitWidths = new Uint8Array(MINIBLOCKS);
const packed = new Uint8Array(MINIBLOCK_SIZE * 8);

export function packDeltaSafeIntegers(writer: ByteWriter, values: Float64Array): void {
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i]!;
    if (!(value > -EXACT_LIMIT && value < EXACT_LIMIT) || Math.floor(value) !== value) {
      deltaBinaryPack(writer, Array.from(values, (v) => BigInt(v)), 'INT64');
      return;
    }
  }
  const count = values.length;
  writer.appendVarInt(BLOCK_SIZE);
  writer.appendVarInt(MINIBLOCKS);
  writer.appendVarInt(count);
  if (count === 0) {
    // hyparquet-writer's empty page: a zero first value.
    writer.appendVarInt(0);
    return;
  }
  appendZigZag(writer, values[0]!);
  for (let index = 1; index < count; index += BLOCK_SIZE) {
    const size = Math.min(BLOCK_SIZE, count - index);
    let minDelta = 0;
    for (let i = 0; i < size; i += 1) {
      const delta = values[index + i]! - values[index + i - 1]!;
      deltas[i] = delta;
      if (i === 0 || delta < minDelta) minDelta = delta;
    }
    appendZigZag(writer, minDelta);
    for (let mb = 0; mb < MINIBLOCKS; mb += 1) {
      let maxAdjusted = 0;
      const end = Math.min((mb + 1) * MINIBLOCK_SIZE, size);
      for (let i = mb * MINIBLOCK_SIZE; i < end; i += 1) if (deltas[i]! - minDelta > maxAdjusted) maxAdjusted = deltas[i]! - minDelta;
      bitWidths[mb] = bitWidthOf(maxAdjusted);
    }
    writer.appendBytes(bitWidths);
    for (let mb = 0; mb < MINIBLOCKS; mb += 1) {
      const width = bitWidths[mb]!;
      if (width === 0) continue;
      packMiniblock(writer, mb * MINIBLOCK_SIZE, size, minDelta, width);
    }
  }
}

/** 32 values (zero past the block's end), `width` bits each, least significant bit first. */
function packMiniblock(writer: ByteWriter, start: number, size: number, minDelta: number, width: number): void {
  let out = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = start; i < start + MINIBLOCK_SIZE; i += 1) {
    let adjusted = i < size ? deltas[i]! - minDelta : 0;
    if (width <= 24) {
      buffer |= adjusted << bits;
      bits += width;
    } else {
      // Wider than the 32-bit accumulator takes at once: 24 bits at a time (exact, the value is a safe integer).
      let remaining = width;
      while (remaining > 0) {
        const take = Math.min(24, remaining);
        const scale = 2 ** take;
        const chunk = adjusted % scale;
        adjusted = (adjusted - chunk) / scale;
        buffer |= chunk << bits;
        bits += take;
        remaining -= take;
        while (bits >= 8) {
          packed[out++] = buffer & 0xff;
          buffer >>>= 8;
          bits -= 8;
        }
      }
    }
    while (bits >= 8) {
      packed[out++] = buffer & 0xff;
      buffer >>>= 8;
      bits -= 8;
    }
  }
  writer.appendBytes(packed.subarray(0, out));
}

function bitWidthOf(value: number): number {
  if (value === 0) return 0;
  if (value <= 0xffffffff) return 32 - Math.clz32(value);
  return 32 + bitWidthOf(Math.floor(value / 4294967296));
}

/** Zigzag, then ULEB128 varint, of a safe integer. */
function appendZigZag(writer: ByteWriter, value: number): void {
  let encoded = value < 0 ? -value * 2 - 1 : value * 2;
  while (encoded >= 0x80) {
    writer.appendUint8((encoded % 0x80) + 0x80);
    encoded = Math.floor(encoded / 0x80);
  }
  writer.appendUint8(encoded);
}
