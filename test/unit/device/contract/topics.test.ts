import { describe, expect, it } from 'vitest';
import {
  commandTopic, parseShadowTopic, parseVitalsTopic, presenceTopic, shadowTopic, vitalsTopic,
} from '../../../../device/contract/index.ts';

describe('topic layout', () => {
  it('builds and parses the vitals topic of a thing', () => {
    expect(vitalsTopic('bedside-0001')).toBe('dt/bedside/bedside-0001/vitals');
    expect(parseVitalsTopic('dt/bedside/bedside-0001/vitals')).toBe('bedside-0001');
  });

  it('refuses thing names that would break the topic or the policy', () => {
    for (const bad of ['', 'a/b', '+', '#', 'x'.repeat(129), 'bed side']) {
      expect(() => vitalsTopic(bad), bad).toThrow(/not a valid thing name/);
    }
  });

  it('does not parse other topics as vitals', () => {
    for (const topic of ['dt/bedside/+/vitals', 'dt/bedside/a/b/vitals', 'cmd/bedside/a/vitals', 'dt/bedside/a/vitals/x']) {
      expect(parseVitalsTopic(topic), topic).toBeUndefined();
    }
  });

  it('builds shadow, command and presence topics as AWS IoT names them', () => {
    expect(shadowTopic('bedside-0001', 'update/delta')).toBe('$aws/things/bedside-0001/shadow/update/delta');
    expect(parseShadowTopic('$aws/things/bedside-0001/shadow/get/accepted')).toEqual({ thing: 'bedside-0001', suffix: 'get/accepted' });
    expect(commandTopic('bedside-0001', 'identify')).toBe('cmd/bedside/bedside-0001/identify');
    expect(presenceTopic('disconnected', 'bedside-0001')).toBe('$aws/events/presence/disconnected/bedside-0001');
  });
});
