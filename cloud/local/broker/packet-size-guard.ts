/**
 * Refuses an oversized MQTT packet as soon as its fixed header announces the length, instead of letting
 * aedes buffer it whole (mqtt-packet has no size limit; a client could announce 256 MB). The payload
 * limit itself is checked exactly in authorizePublish; this guard only needs an upper bound on any packet
 * that could carry an allowed payload: payload + the longest topic (65,535) + its length and a message id.
 */
import type { Client } from 'aedes';

interface ParserInternals {
  parse(buf: Buffer): number;
  packet: { length: number };
}

export function maxPacketBytesFor(maxPayloadBytes: number): number {
  return maxPayloadBytes + 65_535 + 2 + 2;
}

/**
 * Wraps the client's parser (aedes keeps it as `_parser`, an mqtt-packet Parser whose `packet.length`
 * is the remaining length of the packet being read). `onOversized` runs once, then the socket is destroyed.
 */
export function guardPacketSize(client: Client, maxPacketBytes: number, onOversized: (announcedBytes: number) => void): void {
  const parser = (client as unknown as { _parser?: ParserInternals })._parser;
  if (!parser || typeof parser.parse !== 'function') return; // aedes internals changed: the exact check still applies
  const parse = parser.parse.bind(parser);
  let tripped = false;
  parser.parse = (buf: Buffer) => {
    const left = parse(buf);
    if (!tripped && parser.packet.length > maxPacketBytes) {
      tripped = true;
      onOversized(parser.packet.length);
      client.conn.destroy();
    }
    return left;
  };
}
