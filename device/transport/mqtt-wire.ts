/**
 * The MQTT 3.1.1 packets a lite client sends, encoded by hand, and the framing of what it receives
 * (CONNACK, PUBLISH, PUBACK, SUBACK, PINGRESP): pure, no I/O. At 10,000 monitors every microsecond per
 * message is 1 % of a core: mqtt-packet's generic generator and its stream parser (a BufferList, an
 * object and an event per packet) cost about a fifth of a worker's time in the profile, these a few array
 * writes. And mqtt-packet builds a cache of 65,536 message-id Buffers when it loads (about 20 MiB of a
 * worker's RSS), so the lite transport does not load it at all. Spec: MQTT 3.1.1 §2.2 (fixed header,
 * remaining length), §3.1 (CONNECT), §3.3 (PUBLISH), §3.8 (SUBSCRIBE), §3.12 (PINGREQ), §3.14 (DISCONNECT).
 */

export const PACKET = { CONNACK: 2, PUBLISH: 3, PUBACK: 4, SUBACK: 9, PINGRESP: 13 } as const;

/** AWS IoT Core's limit is 128 KB; anything far above is a broken stream, not a message. */
export const MAX_INCOMING_PACKET_BYTES = 256 * 1024;

export class MqttFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

function remainingLengthBytes(remaining: number): number {
  return remaining < 0x80 ? 1 : remaining < 0x4000 ? 2 : remaining < 0x200000 ? 3 : 4;
}

/** A buffer for a packet of `remaining` bytes after its fixed header. */
function allocatePacket(remaining: number): Buffer {
  return Buffer.allocUnsafe(1 + remainingLengthBytes(remaining) + remaining);
}

/** Writes the fixed header (type and flags, remaining length); returns where the variable part starts. */
function writeFixedHeader(out: Buffer, firstByte: number, remaining: number): number {
  out[0] = firstByte;
  let at = 1;
  for (let left = remaining; ;) {
    const digit = left % 0x80;
    left = Math.floor(left / 0x80);
    out[at++] = left > 0 ? digit | 0x80 : digit;
    if (left === 0) return at;
  }
}

/** Writes a UTF-8 string with its two-byte length prefix; returns the offset after it. */
function writeString(out: Buffer, at: number, bytes: Buffer): number {
  out[at] = bytes.byteLength >>> 8;
  out[at + 1] = bytes.byteLength & 0xff;
  out.set(bytes, at + 2);
  return at + 2 + bytes.byteLength;
}

/** CONNECT with a clean session and no will, user name or password (identity is the client certificate). */
export function encodeConnect(clientId: string, keepaliveSeconds: number): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const remaining = 10 + 2 + id.byteLength;
  const out = allocatePacket(remaining);
  const at = writeFixedHeader(out, 0x10, remaining);
  out.set([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, keepaliveSeconds >>> 8, keepaliveSeconds & 0xff], at);
  writeString(out, at + 10, id);
  return out;
}

/** SUBSCRIBE to one filter. */
export function encodeSubscribe(messageId: number, filter: string, qos: 0 | 1): Buffer {
  const topic = Buffer.from(filter, 'utf8');
  const remaining = 2 + 2 + topic.byteLength + 1;
  const out = allocatePacket(remaining);
  const at = writeFixedHeader(out, 0x82, remaining);
  out[at] = messageId >>> 8;
  out[at + 1] = messageId & 0xff;
  out[writeString(out, at + 2, topic)] = qos;
  return out;
}

/** Shared by every connection; never written to. */
export const PINGREQ: Buffer = Buffer.from([0xc0, 0x00]);
export const DISCONNECT: Buffer = Buffer.from([0xe0, 0x00]);

/**
 * A PUBLISH packet; topic and payload as text or bytes. (Callers should not keep a topic's bytes per
 * connection: small Buffers come from Node's shared 8 KiB pools, and 10,000 long-lived ones pinned
 * hundreds of pools, ~2 KiB of RSS per monitor.)
 */
export function encodePublish(topic: string | Uint8Array, payload: string | Uint8Array, qos: 0 | 1, messageId: number): Buffer {
  const topicBytes = typeof topic === 'string' ? Buffer.byteLength(topic) : topic.byteLength;
  const payloadBytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  const remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes;
  const out = allocatePacket(remaining);
  let at = writeFixedHeader(out, 0x30 | (qos << 1), remaining);
  out[at++] = topicBytes >>> 8;
  out[at++] = topicBytes & 0xff;
  if (typeof topic === 'string') out.write(topic, at, 'utf8');
  else out.set(topic, at);
  at += topicBytes;
  if (qos > 0) {
    out[at++] = messageId >>> 8;
    out[at++] = messageId & 0xff;
  }
  if (typeof payload === 'string') out.write(payload, at, 'utf8');
  else out.set(payload, at);
  return out;
}

/** PUBACK for a received QoS 1 PUBLISH. */
export function encodePuback(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >>> 8, messageId & 0xff]);
}

/**
 * Receives one complete packet: its type (high nibble), flags (low nibble) and body as
 * `bytes[start, end)`. The bytes are only valid during the call (the transport reuses its read buffer).
 */
export type PacketHandler = (type: number, flags: number, bytes: Buffer, start: number, end: number) => void;

/**
 * Cuts a byte stream into MQTT packets. Complete packets are handed over in place, without copying; only
 * the tail of a packet split across reads is kept (copied into a buffer that grows by doubling, so a large
 * packet arriving in many small reads costs linear, not quadratic, copying) until the rest arrives.
 */
export class MqttPacketReader {
  private partial: Buffer | undefined;
  private partialLength = 0;

  /** Feeds `bytes[0, length)`; throws MqttFramingError for a malformed or oversized packet. */
  feed(bytes: Buffer, length: number, handle: PacketHandler): void {
    if (this.partial === undefined) {
      const consumed = this.cut(bytes, length, handle);
      if (consumed < length) this.keep(bytes, consumed, length);
      return;
    }
    this.keep(bytes, 0, length);
    const consumed = this.cut(this.partial, this.partialLength, handle);
    // A handler may have reset the reader (the connection dropped): nothing left to keep.
    if (this.partial === undefined) return;
    if (consumed === this.partialLength) {
      this.reset();
    } else if (consumed > 0) {
      this.partial.copyWithin(0, consumed, this.partialLength);
      this.partialLength -= consumed;
    }
  }

  /** Forgets a partial packet (the connection closed). */
  reset(): void {
    this.partial = undefined;
    this.partialLength = 0;
  }

  private keep(bytes: Buffer, from: number, to: number): void {
    const needed = this.partialLength + (to - from);
    if (this.partial === undefined || needed > this.partial.byteLength) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * (this.partial?.byteLength ?? 0), 256));
      if (this.partial !== undefined) this.partial.copy(grown, 0, 0, this.partialLength);
      this.partial = grown;
    }
    bytes.copy(this.partial, this.partialLength, from, to);
    this.partialLength = needed;
  }

  /** Hands over every complete packet of `data[0, end)`; returns how many bytes they took. */
  private cut(data: Buffer, end: number, handle: PacketHandler): number {
    let at = 0;
    while (at < end) {
      // Fixed header: one byte of type and flags, then 1-4 bytes of remaining length (7 bits each).
      let remaining = 0;
      let multiplier = 1;
      let cursor = at + 1;
      let complete = false;
      while (cursor < end) {
        const digit = data[cursor++]!;
        remaining += (digit & 0x7f) * multiplier;
        if ((digit & 0x80) === 0) {
          complete = true;
          break;
        }
        multiplier *= 0x80;
        if (cursor - at > 4) throw new MqttFramingError('malformed remaining length (more than 4 bytes)');
      }
      if (complete && remaining > MAX_INCOMING_PACKET_BYTES) {
        throw new MqttFramingError(`packet of ${remaining} bytes exceeds ${MAX_INCOMING_PACKET_BYTES}`);
      }
      if (!complete || cursor + remaining > end) return at;
      const first = data[at]!;
      handle(first >>> 4, first & 0x0f, data, cursor, cursor + remaining);
      at = cursor + remaining;
    }
    return at;
  }
}
