/**
 * The feed against what the local stack really emits: the shadow service's replies and change events,
 * and the broker's presence event builders. Guards the wiring shown in the dashboard's README.
 */
import { describe, expect, it } from 'vitest';
import { shadowTopic } from '../../../../../device/contract/index.ts';
import { connectedEvent, disconnectedEvent, presenceEventTopic, type Session } from '../../../../../cloud/local/broker/presence.ts';
import { ShadowService } from '../../../../../cloud/local/shadow/index.ts';
import { routeBrokerMessage } from '../../../../../cloud/local/dashboard/broker-routing.ts';
import { createDashboardFeed } from '../../../../../cloud/local/dashboard/feed.ts';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const session = (reason?: Session['reason']): Session => ({
  clientId: 'bedside-0005', sessionIdentifier: 'a1b2', principalIdentifier: 'f'.repeat(64), ipAddress: '127.0.0.1',
  ...(reason === undefined ? {} : { reason }),
});

describe('the feed wired to the local stack', () => {
  it('takes the broker’s presence events, as objects and as published messages', () => {
    const feed = createDashboardFeed({ clock: () => T0 });
    feed.pushPresence(connectedEvent(session(), T0, 1));
    expect(feed.things()[0]).toMatchObject({ thingName: 'bedside-0005', connected: true, lastSeenMs: T0 });
    const gone = disconnectedEvent(session('MQTT_KEEP_ALIVE_TIMEOUT'), T0 + 1000, 2);
    routeBrokerMessage(feed, presenceEventTopic(gone), Buffer.from(JSON.stringify(gone)));
    expect(feed.things()[0]).toMatchObject({ connected: false, lastSeenMs: T0 + 1000, disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' });
  });

  it('follows the shadow service through its MQTT replies and through its change events alike', async () => {
    const viaReplies = createDashboardFeed({ clock: () => T0 });
    const viaChanges = createDashboardFeed({ clock: () => T0 });
    const shadows = new ShadowService({
      now: () => T0,
      publish: async (topic, payload) => { routeBrokerMessage(viaReplies, topic, payload); },
      onChange: (change) => {
        const reported = change.document?.state.reported;
        if (reported !== undefined) viaChanges.pushShadowReported(change.thing, reported, true);
      },
    });
    const update = (reported: Record<string, unknown>): boolean =>
      shadows.accept(shadowTopic('bedside-0005', 'update'), Buffer.from(JSON.stringify({ state: { reported } })));
    expect(update({ firmware: '2.4.1', interval_ms: 1000, scenario: 'sepsis', battery_pct: 97 })).toBe(true);
    expect(update({ interval_ms: 500, battery_pct: null })).toBe(true);
    await shadows.idle();
    const expected = { firmware: '2.4.1', interval_ms: 500, scenario: 'sepsis' };
    expect(viaReplies.things()[0]?.reported).toEqual(expected);
    expect(viaChanges.things()[0]?.reported).toEqual(expected);
    expect(viaReplies.things()[0]?.firmware).toBe('2.4.1');
  });
});
