/**
 * Wires the local broker to the feed in one call per publish: presence events, shadow responses and
 * vitals go to the hub, everything else is ignored. The broker hands us topic and payload bytes, as an
 * IoT rule would see them.
 */
import { decodePayload, parseShadowTopic, parseVitalsTopic, validatePayload } from '../../../device/contract/index.ts';
import type { DashboardFeedHub, PresenceEventPayload } from './feed.ts';
import { reportedOf } from './shadow-state.ts';

export type RouteOutcome = 'presence' | 'shadow' | 'vitals' | 'rejected' | 'ignored';

const PRESENCE_TOPIC = /^\$aws\/events\/presence\/(connected|disconnected)\/([^/]+)$/;

/**
 * `publisher` is the client that published, when the caller knows it: null for the broker's own messages.
 * Presence events and shadow responses are facts only when the broker itself publishes them, so a device
 * that publishes on those topics is ignored; a device's vitals are checked against its topic.
 */
export function routeBrokerMessage(hub: DashboardFeedHub, topic: string, payload: Uint8Array, publisher?: string | null): RouteOutcome {
  const fromDevice = typeof publisher === 'string';
  const presence = fromDevice ? null : PRESENCE_TOPIC.exec(topic);
  if (presence !== null) {
    hub.pushPresence(presenceFrom(presence[1] as PresenceEventPayload['eventType'], presence[2]!, payload));
    return 'presence';
  }
  const shadow = parseShadowTopic(topic);
  if (shadow !== undefined) return fromDevice ? 'ignored' : routeShadow(hub, shadow.thing, shadow.suffix, payload);
  const thingName = parseVitalsTopic(topic);
  if (thingName !== undefined) {
    const result = validatePayload(payload, { thingName });
    if (!result.ok) {
      hub.countRejected(thingName);
      return 'rejected';
    }
    hub.pushReading(result.reading);
    return 'vitals';
  }
  return 'ignored';
}

/** The topic says who and what; the JSON body adds time and reason when it is readable. */
function presenceFrom(eventType: PresenceEventPayload['eventType'], clientId: string, payload: Uint8Array): PresenceEventPayload {
  const decoded = decodePayload(payload);
  const body = decoded.ok && typeof decoded.value === 'object' && decoded.value !== null
    ? decoded.value as Record<string, unknown>
    : {};
  const event: PresenceEventPayload = { clientId, eventType };
  if (typeof body.timestamp === 'number') event.timestamp = body.timestamp;
  if (typeof body.disconnectReason === 'string') event.disconnectReason = body.disconnectReason;
  return event;
}

/**
 * update/accepted carries the reported delta (merge); update/documents and get/accepted carry the whole
 * state (replace). Requests from devices (`update`, `get`) are not facts yet, so they are ignored.
 */
function routeShadow(hub: DashboardFeedHub, thingName: string, suffix: string, payload: Uint8Array): RouteOutcome {
  const decoded = decodePayload(payload);
  if (!decoded.ok) return 'ignored';
  if (suffix === 'update/accepted' || suffix === 'get/accepted') {
    const reported = reportedOf(decoded.value);
    if (reported === undefined) return 'ignored';
    hub.pushShadowReported(thingName, reported, suffix === 'get/accepted');
    return 'shadow';
  }
  if (suffix === 'update/documents') {
    const current = typeof decoded.value === 'object' && decoded.value !== null
      ? (decoded.value as Record<string, unknown>).current
      : undefined;
    const reported = reportedOf(current);
    if (reported === undefined) return 'ignored';
    hub.pushShadowReported(thingName, reported, true);
    return 'shadow';
  }
  return 'ignored';
}
