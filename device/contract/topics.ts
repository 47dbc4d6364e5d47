/**
 * MQTT topic layout, defined once (DESIGN §3, §4). Follows AWS's topic design guidance: lowercase,
 * general to specific, `dt/` for telemetry, `cmd/` for commands, thing name as a level so that an IoT
 * policy can pin a device to its own topics with `${iot:Connection.Thing.ThingName}`.
 */

/** AWS IoT thing names: 1-128 of [a-zA-Z0-9:_-]. Also the MQTT client id and the certificate CN. */
export const THING_NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;

export const VITALS_TOPIC_FILTER = 'dt/bedside/+/vitals';

export function isValidThingName(name: string): boolean {
  return THING_NAME_PATTERN.test(name);
}

function assertThingName(thing: string): void {
  if (!isValidThingName(thing)) {
    throw new RangeError(
      `"${thing}" is not a valid thing name: use 1-128 characters of a-z, A-Z, 0-9, ':', '_' or '-'`,
    );
  }
}

export function vitalsTopic(thing: string): string {
  assertThingName(thing);
  return `dt/bedside/${thing}/vitals`;
}

/** Returns the thing name of a vitals topic, or undefined when the topic is not one. */
export function parseVitalsTopic(topic: string): string | undefined {
  const levels = topic.split('/');
  if (levels.length !== 4 || levels[0] !== 'dt' || levels[1] !== 'bedside' || levels[3] !== 'vitals') {
    return undefined;
  }
  const thing = levels[2]!;
  return isValidThingName(thing) ? thing : undefined;
}

/** `cmd/bedside/<thing>/<command>`: commands to one monitor (e.g. `identify`, `reboot`). */
export function commandTopic(thing: string, command: string): string {
  assertThingName(thing);
  return `cmd/bedside/${thing}/${command}`;
}

export function commandTopicFilter(thing: string): string {
  assertThingName(thing);
  return `cmd/bedside/${thing}/#`;
}

export type ShadowOperation = 'get' | 'update' | 'delete';
export type ShadowResponse =
  | 'get/accepted' | 'get/rejected'
  | 'update/accepted' | 'update/rejected' | 'update/delta' | 'update/documents'
  | 'delete/accepted' | 'delete/rejected';

/** Classic (unnamed) device shadow topics, as AWS IoT defines them. */
export function shadowTopic(thing: string, suffix: ShadowOperation | ShadowResponse): string {
  assertThingName(thing);
  return `$aws/things/${thing}/shadow/${suffix}`;
}

/** Parses `$aws/things/<thing>/shadow/<suffix>`; undefined for anything else. */
export function parseShadowTopic(topic: string): { thing: string; suffix: string } | undefined {
  const match = /^\$aws\/things\/([^/]+)\/shadow\/(.+)$/.exec(topic);
  if (!match || !isValidThingName(match[1]!)) return undefined;
  return { thing: match[1]!, suffix: match[2]! };
}

export type PresenceEvent = 'connected' | 'disconnected';

/** AWS IoT lifecycle events: `$aws/events/presence/connected|disconnected/<clientId>`. */
export function presenceTopic(event: PresenceEvent, clientId: string): string {
  return `$aws/events/presence/${event}/${clientId}`;
}
