import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import {
  DISCONNECT, encodeConnect, encodePuback, encodePublish, encodeSubscribe, MAX_INCOMING_PACKET_BYTES, MqttFramingError,
  MqttPacketReader, PACKET, PINGREQ,
} from '../../../../device/transport/mqtt-wire.ts';

interface Cut { type: number; flags: number; body: Buffer }

function readAll(reader: MqttPacketReader, chunks: Buffer[]): Cut[] {
  const cuts: Cut[] = [];
  // Every chunk is handed over in one reused buffer, as the transport's shared read buffer is.
  const shared = Buffer.alloc(256 * 1024);
  for (const chunk of chunks) {
    chunk.copy(shared);
    reader.feed(shared, chunk.byteLength, (type, flags, bytes, start, end) => cuts.push({ type, flags, body: Buffer.from(bytes.subarray(start, end)) }));
    shared.fill(0xee); // whatever the reader kept must not alias the buffer
  }
  return cuts;
}

describe('encodePublish (hand-built MQTT 3.1.1 PUBLISH)', () => {
  const topic = 'dt/bedside/bedside-0001/vitals';
  it.each([
    ['short ASCII payload', '{"hr":72}', 1 as const],
    ['QoS 0', '{"hr":72}', 0 as const],
    ['UTF-8 payload', '{"note":"Sauerstoffsättigung ↓"}', 1 as const],
    ['two-byte remaining length', 'x'.repeat(300), 1 as const],
    ['three-byte remaining length', 'y'.repeat(20_000), 1 as const],
  ])('gives the bytes mqtt-packet gives: %s', (_name, payload, qos) => {
    const expected = mqttPacket.generate({ cmd: 'publish', topic, payload, qos, messageId: qos ? 513 : undefined, dup: false, retain: false });
    expect(encodePublish(Buffer.from(topic), payload, qos, 513)).toEqual(expected);
    expect(encodePublish(Buffer.from(topic), Buffer.from(payload), qos, 513)).toEqual(expected);
    expect(encodePublish(topic, payload, qos, 513)).toEqual(expected);
  });

  it('PUBACK is what mqtt-packet generates', () => {
    expect(encodePuback(65_535)).toEqual(mqttPacket.generate({ cmd: 'puback', messageId: 65_535 }));
  });
});

describe('the other packets a lite client sends', () => {
  it.each([['bedside-0001', 60], ['bedside-ünïcode-' + 'x'.repeat(200), 1_200]])('CONNECT %s (keepalive %i s) is what mqtt-packet generates', (clientId, keepalive) => {
    expect(encodeConnect(clientId, keepalive)).toEqual(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive }));
  });

  it.each([0, 1] as const)('SUBSCRIBE at QoS %i is what mqtt-packet generates', (qos) => {
    const topic = '$aws/things/bedside-0001/shadow/update/delta';
    expect(encodeSubscribe(4_097, topic, qos)).toEqual(mqttPacket.generate({ cmd: 'subscribe', messageId: 4_097, subscriptions: [{ topic, qos }] }));
  });

  it('PINGREQ and DISCONNECT are what mqtt-packet generates', () => {
    expect(PINGREQ).toEqual(mqttPacket.generate({ cmd: 'pingreq' }));
    expect(DISCONNECT).toEqual(mqttPacket.generate({ cmd: 'disconnect' }));
  });
});

describe('MqttPacketReader', () => {
  const stream = Buffer.concat([
    mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }),
    ...Array.from({ length: 50 }, (_, i) => mqttPacket.generate({ cmd: 'puback', messageId: i + 1 })),
    mqttPacket.generate({ cmd: 'publish', topic: '$aws/things/t/shadow/update/delta', payload: Buffer.from('{"state":{"interval_ms":500}}'), qos: 1, messageId: 7, dup: false, retain: false }),
    mqttPacket.generate({ cmd: 'suback', messageId: 9, granted: [1, 128] }),
    mqttPacket.generate({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(70_000, 7), qos: 0, dup: false, retain: false }),
    mqttPacket.generate({ cmd: 'pingresp' }),
  ]);
  const whole = readAll(new MqttPacketReader(), [stream]);

  it('cuts a stream into its packets with types, flags and bodies', () => {
    expect(whole.map((c) => c.type)).toEqual([PACKET.CONNACK, ...Array(50).fill(PACKET.PUBACK), PACKET.PUBLISH, PACKET.SUBACK, PACKET.PUBLISH, PACKET.PINGRESP]);
    expect(whole[1]!.body).toEqual(Buffer.from([0, 1]));
    expect(whole[51]!.flags).toBe(0b0010); // QoS 1
    expect(whole[52]!.body).toEqual(Buffer.from([0, 9, 1, 128]));
    expect(whole[53]!.body.byteLength).toBe(2 + 3 + 70_000);
    expect(whole[54]!.body.byteLength).toBe(0);
  });

  it('gives the same packets however the stream is split across reads', () => {
    for (const size of [1, 2, 3, 5, 7, 64, 1_000, 65_536]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.byteLength; at += size) chunks.push(stream.subarray(at, at + size));
      expect(readAll(new MqttPacketReader(), chunks), `chunks of ${size}`).toEqual(whole);
    }
  });

  it('rejects a remaining length longer than four bytes and packets above the size limit', () => {
    expect(() => readAll(new MqttPacketReader(), [Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])])).toThrow(MqttFramingError);
    const tooBig = MAX_INCOMING_PACKET_BYTES + 1;
    expect(() => readAll(new MqttPacketReader(), [Buffer.from([0x30, 0x80 | (tooBig & 0x7f), 0x80 | ((tooBig >> 7) & 0x7f), tooBig >> 14])])).toThrow(/exceeds/);
  });

  it('forgets a partial packet on reset (a new connection starts clean)', () => {
    const reader = new MqttPacketReader();
    readAll(reader, [stream.subarray(0, 3)]);
    reader.reset();
    expect(readAll(reader, [mqttPacket.generate({ cmd: 'pingresp' })]).map((c) => c.type)).toEqual([PACKET.PINGRESP]);
  });
});
