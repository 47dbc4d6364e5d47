import { describe, expect, it } from 'vitest';
import {
  encodeVitals, presenceTopic, shadowTopic, VITALS_SCHEMA_ID, vitalsTopic, type VitalsV1,
} from '../../../../../device/contract/index.ts';
import { routeBrokerMessage } from '../../../../../cloud/local/dashboard/broker-routing.ts';
import { createDashboardFeed } from '../../../../../cloud/local/dashboard/feed.ts';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

const message: VitalsV1 = {
  schema: VITALS_SCHEMA_ID, device_id: 'bedside-0003', patient_id: 'MRN3', seq: 9, timestamp: new Date(T0).toISOString(),
  heart_rate: 88, spo2: 97, respiratory_rate: 16, systolic_bp: 118, diastolic_bp: 70, temperature_c: 37.1,
  on_oxygen: false, ward: 'Ward A', bed: '3', consciousness: 'A', battery_pct: 77,
};

describe('routeBrokerMessage', () => {
  it('turns AWS presence events into connected and disconnected things', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    expect(routeBrokerMessage(feed, presenceTopic('connected', 'bedside-0003'), bytes({ clientId: 'bedside-0003', timestamp: T0, eventType: 'connected' }))).toBe('presence');
    expect(feed.things()[0]).toMatchObject({ connected: true, lastSeenMs: T0 });
    routeBrokerMessage(feed, presenceTopic('disconnected', 'bedside-0003'),
      bytes({ clientId: 'bedside-0003', timestamp: T0 + 10, eventType: 'disconnected', clientInitiatedDisconnect: false, disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' }));
    expect(feed.things()[0]).toMatchObject({ connected: false, lastSeenMs: T0 + 10, disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' });
  });

  it('still records presence when the event body is unreadable, from the topic alone', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    routeBrokerMessage(feed, presenceTopic('disconnected', 'bedside-0004'), bytes('not json'));
    expect(feed.things()[0]).toMatchObject({ thingName: 'bedside-0004', connected: false, lastSeenMs: T0, disconnectReason: 'UNKNOWN' });
  });

  it('merges update/accepted and replaces on update/documents, ignoring device requests', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    const thing = 'bedside-0003';
    expect(routeBrokerMessage(feed, shadowTopic(thing, 'update'), bytes({ state: { reported: { firmware: 'evil' } } }))).toBe('ignored');
    routeBrokerMessage(feed, shadowTopic(thing, 'update/accepted'), bytes({ state: { reported: { firmware: '2.4.1', interval_ms: 1000 } }, version: 1 }));
    routeBrokerMessage(feed, shadowTopic(thing, 'update/accepted'), bytes({ state: { reported: { scenario: 'sepsis' } }, version: 2 }));
    expect(feed.things()[0]?.reported).toEqual({ firmware: '2.4.1', interval_ms: 1000, scenario: 'sepsis' });
    routeBrokerMessage(feed, shadowTopic(thing, 'update/documents'), bytes({
      previous: { state: { reported: { firmware: '2.4.1' } } },
      current: { state: { reported: { firmware: '2.5.0', interval_ms: 500 } }, version: 3 },
    }));
    expect(feed.things()[0]?.reported).toEqual({ firmware: '2.5.0', interval_ms: 500 });
  });

  it('validates forwarded vitals with the wire contract and counts the rejected ones', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    expect(routeBrokerMessage(feed, vitalsTopic('bedside-0003'), bytes(encodeVitals(message)))).toBe('vitals');
    // Published by one thing with another's device_id: the ETL would quarantine it as device_mismatch.
    expect(routeBrokerMessage(feed, vitalsTopic('bedside-0003'), bytes(encodeVitals({ ...message, device_id: 'bedside-0009' })))).toBe('rejected');
    expect(routeBrokerMessage(feed, vitalsTopic('bedside-0003'), bytes('{"schema":"vitals/1"'))).toBe('rejected');
    const [thing] = feed.things();
    expect(thing).toMatchObject({ thingName: 'bedside-0003', messages: 1, rejected: 2, battery: 77, ward: 'Ward A', bed: '3' });
    expect(feed.tile('bedside-0003')?.latest?.heart_rate).toBe(88);
  });

  it('believes presence and shadow responses only from the broker itself, not from a device', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    const forged = bytes({ clientId: 'bedside-0004', timestamp: T0, eventType: 'disconnected', disconnectReason: 'AUTH_ERROR' });
    expect(routeBrokerMessage(feed, presenceTopic('disconnected', 'bedside-0004'), forged, 'bedside-0003')).toBe('ignored');
    expect(routeBrokerMessage(feed, shadowTopic('bedside-0003', 'update/accepted'), bytes({ state: { reported: { firmware: 'x' } } }), 'bedside-0003')).toBe('ignored');
    expect(feed.things()).toEqual([]);
    expect(routeBrokerMessage(feed, vitalsTopic('bedside-0003'), bytes(encodeVitals(message)), 'bedside-0003')).toBe('vitals');
    expect(routeBrokerMessage(feed, presenceTopic('disconnected', 'bedside-0003'), bytes({ clientId: 'bedside-0003', timestamp: T0 + 5, eventType: 'disconnected' }), null)).toBe('presence');
    expect(feed.things()[0]).toMatchObject({ thingName: 'bedside-0003', connected: false });
  });

  it('ignores topics that are none of its business', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    expect(routeBrokerMessage(feed, 'cmd/bedside/bedside-0003/identify', bytes({}))).toBe('ignored');
    expect(routeBrokerMessage(feed, '$aws/events/subscriptions/subscribed/bedside-0003', bytes({}))).toBe('ignored');
    expect(feed.things()).toEqual([]);
  });
});
