/**
 * The MQTT 3.1.1 packets on the lite transport's hot path, encoded and decoded by hand (pure, no I/O):
 * PUBLISH out, and the framing of what a client receives (CONNACK, PUBLISH, PUBACK, SUBACK, PINGRESP).
 * At 10,000 monitors every microsecond per message is 1 % of a core: mqtt-packet's generic generator and
 * its stream parser (a BufferList, an object and an event per packet) cost about a fifth of a worker's
 * time in the profile, these a few array writes. The rarer packets (CONNECT, SUBSCRIBE...) still go
 * through mqtt-packet. Spec: MQTT 3.1.1 §2.2 (fixed header, remaining length), §3.3 (PUBLISH).
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

/** A PUBLISH packet; `topic` as bytes (callers keep them per topic), payload as text or bytes. */
export function encodePublish(topic: Uint8Array, payload: string | Uint8Array, qos: 0 | 1, messageId: number): Buffer {
  const payloadBytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  const remaining = 2 + topic.byteLength + (qos > 0 ? 2 : 0) + payloadBytes;
  const out = Buffer.allocUnsafe(1 + remainingLengthBytes(remaining) + remaining);
  out[0] = 0x30 | (qos << 1);
  let at = 1;
  for (let left = remaining; ;) {
    const digit = left % 0x80;
    left = Math.floor(left / 0x80);
    out[at++] = left > 0 ? digit | 0x80 : digit;
    if (left === 0) break;
  }
  out[at++] = topic.byteLength >>> 8;
  out[at++] = topic.byteLength & 0xff;
  out.set(topic, at);
  at += topic.byteLength;
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
 * the tail of a packet split across reads is kept (copied) until the rest arrives.
 */
export class MqttPacketReader {
  private partial: Buffer | undefined;

  /** Feeds `bytes[0, length)`; throws MqttFramingError for a malformed or oversized packet. */
  feed(bytes: Buffer, length: number, handle: PacketHandler): void {
    let data = bytes;
    let end = length;
    if (this.partial !== undefined) {
      data = Buffer.concat([this.partial, bytes.subarray(0, length)]);
      end = data.byteLength;
      this.partial = undefined;
    }
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
      if (!complete || cursor + remaining > end) {
        this.partial = Buffer.from(data.subarray(at, end));
        return;
      }
      const first = data[at]!;
      handle(first >>> 4, first & 0x0f, data, cursor, cursor + remaining);
      at = cursor + remaining;
    }
  }

  /** Forgets a partial packet (the connection closed). */
  reset(): void {
    this.partial = undefined;
  }
}
