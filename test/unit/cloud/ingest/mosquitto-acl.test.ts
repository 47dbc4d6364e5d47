import { describe, expect, it } from 'vitest';
import { bedsideMonitorPolicy, type PolicyDocument } from '../../../../cloud/ingest/iot-policy.ts';
import {
  mosquittoAclAllows,
  mosquittoAclEntries,
  renderMosquittoAcl,
  renderMosquittoConf,
} from '../../../../cloud/ingest/mosquitto-acl.ts';
import { createAuthorizer, UnsupportedPolicyError, type ConnectionContext } from '../../../../cloud/ingest/policy-evaluator.ts';

const policy = bedsideMonitorPolicy();
const authorizer = createAuthorizer(policy);
const entries = mosquittoAclEntries(policy);

const things = ['bedside-0001', 'bedside-0002'];
const topics = [
  'dt/bedside/bedside-0001/vitals',
  'dt/bedside/bedside-0002/vitals',
  'dt/bedside/bedside-0001/vitals/x',
  'dt/bedside/bedside-0001/status',
  '$aws/things/bedside-0001/shadow/update',
  '$aws/things/bedside-0001/shadow/get',
  '$aws/things/bedside-0001/shadow/delete',
  '$aws/things/bedside-0001/shadow/update/accepted',
  '$aws/things/bedside-0001/shadow/update/delta',
  '$aws/things/bedside-0001/shadow/get/rejected',
  '$aws/things/bedside-0002/shadow/update',
  '$aws/things/bedside-0002/shadow/update/delta',
  'cmd/bedside/bedside-0001/identify',
  'cmd/bedside/bedside-0001/reboot/now',
  'cmd/bedside/bedside-0002/identify',
  'other/topic',
];
const filters = [
  '#',
  '+/#',
  'dt/bedside/+/vitals',
  'dt/bedside/bedside-0001/vitals',
  'cmd/bedside/bedside-0001/#',
  'cmd/bedside/bedside-0001/+',
  'cmd/bedside/bedside-0001/identify',
  'cmd/bedside/+/identify',
  'cmd/bedside/bedside-0002/#',
  '$aws/things/bedside-0001/shadow/update/accepted',
  '$aws/things/bedside-0001/shadow/update/#',
  '$aws/things/+/shadow/update/accepted',
  '$aws/things/bedside-0002/shadow/get/+',
];

const isShadowRequestTopic = (topic: string) => /^\$aws\/things\/[^/]+\/shadow\/(update|get|delete)$/.test(topic);
const connection = (thing: string): ConnectionContext => ({ clientId: thing, thingName: thing, isAttached: true });
const identity = (thing: string) => ({ username: thing, clientId: thing });

describe('mosquitto ACL generated from the project policy', () => {
  it('renders pattern lines with %u for the certificate identity', () => {
    const acl = renderMosquittoAcl(policy);
    expect(acl).toContain('pattern write dt/bedside/%u/vitals\n');
    expect(acl).toContain('pattern read cmd/bedside/%u/#\n');
    expect(acl).toContain('pattern read $aws/things/%u/shadow/update/#\n');
    expect(acl).not.toMatch(/^pattern .*[^%]\+/m);
    expect(acl.split('\n').filter((l) => l.startsWith('pattern '))).toHaveLength(8);
  });

  for (const thing of things) {
    it.each(topics)(`grants ${thing} publishing to %s exactly when the policy does`, (topic) => {
      expect(mosquittoAclAllows(entries, identity(thing), 'write', topic)).toBe(authorizer.canPublish(connection(thing), topic));
    });
    it.each(topics.filter((t) => !isShadowRequestTopic(t)))(`grants ${thing} receiving from %s exactly when the policy does`, (topic) => {
      expect(mosquittoAclAllows(entries, identity(thing), 'read', topic)).toBe(authorizer.canReceive(connection(thing), topic));
    });
    it.each(filters)(`grants ${thing} subscribing to %s exactly when the policy does`, (filter) => {
      expect(mosquittoAclAllows(entries, identity(thing), 'subscribe', filter)).toBe(authorizer.canSubscribe(connection(thing), filter));
    });
  }

  it('differs in one documented place: MQTT "a/#" also matches "a", so a thing may receive on its own shadow request topics', () => {
    // Policy "shadow/update/*" does not match "shadow/update"; mosquitto's "shadow/update/#" does. Kept
    // because "a/+/#" would forbid the "a/#" subscriptions devices make; the over-grant stays in the
    // thing's own namespace (it is the topic the thing itself publishes to).
    const own = '$aws/things/bedside-0001/shadow/update';
    expect(authorizer.canReceive(connection('bedside-0001'), own)).toBe(false);
    expect(mosquittoAclAllows(entries, identity('bedside-0001'), 'read', own)).toBe(true);
    expect(mosquittoAclAllows(entries, identity('bedside-0002'), 'read', own)).toBe(false);
  });

  it('gives a client that lies about its id only the topics of its certificate', () => {
    const liar = { username: 'bedside-0001', clientId: 'bedside-0002' };
    expect(mosquittoAclAllows(entries, liar, 'write', 'dt/bedside/bedside-0002/vitals')).toBe(false);
    expect(mosquittoAclAllows(entries, liar, 'write', 'dt/bedside/bedside-0001/vitals')).toBe(true);
  });

  it('gives nothing to an identity containing MQTT wildcards', () => {
    expect(mosquittoAclAllows(entries, identity('+'), 'write', 'dt/bedside/+/vitals')).toBe(false);
    expect(mosquittoAclAllows(entries, identity('#'), 'subscribe', 'cmd/bedside/#/#')).toBe(false);
  });
});

describe('mosquitto ACL translation limits', () => {
  const scopeArn = (rest: string) => `arn:aws:iot:local:000000000000:${rest}`;
  const doc = (statement: PolicyDocument['Statement'][number]): PolicyDocument => ({ Version: '2012-10-17', Statement: [statement] });

  it.each([
    ['a Deny statement', doc({ Effect: 'Deny', Action: 'iot:Publish', Resource: scopeArn('topic/x') }), /Deny statements/],
    ['a condition on publish', doc({ Effect: 'Allow', Action: 'iot:Publish', Resource: scopeArn('topic/x'), Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } }), /conditions/],
    ['a * inside a level', doc({ Effect: 'Allow', Action: 'iot:Publish', Resource: scopeArn('topic/prefix*') }), /inside the level/],
    ['a literal +', doc({ Effect: 'Allow', Action: 'iot:Publish', Resource: scopeArn('topic/a/+/b') }), /literal characters/],
    ['an attribute variable', doc({ Effect: 'Allow', Action: 'iot:Publish', Resource: scopeArn('topic/${iot:Connection.Thing.Attributes[ward]}/x') }), /policy variable/],
    ['receive without subscribe', doc({ Effect: 'Allow', Action: 'iot:Receive', Resource: scopeArn('topic/x') }), /only one of them/],
    ['iot:*', doc({ Effect: 'Allow', Action: 'iot:*', Resource: '*' }), /wildcard actions/],
  ])('refuses %s instead of granting more than the policy', (_name, policyDoc, message) => {
    expect(() => mosquittoAclEntries(policyDoc)).toThrow(UnsupportedPolicyError);
    expect(() => mosquittoAclEntries(policyDoc)).toThrow(message);
  });
});

describe('mosquitto.conf snippet', () => {
  it('requires client certificates, uses the CN as username and adds the CRL when given', () => {
    const conf = renderMosquittoConf({ port: 18883, cafile: '/c/ca.pem', certfile: '/c/s.pem', keyfile: '/c/s.key', aclFile: '/c/acl', crlFile: '/c/crl.pem' });
    expect(conf).toContain('listener 18883 127.0.0.1\n');
    expect(conf).toContain('require_certificate true\n');
    expect(conf).toContain('use_identity_as_username true\n');
    expect(conf).toContain('acl_file /c/acl\n');
    expect(conf).toContain('crlfile /c/crl.pem\n');
    expect(renderMosquittoConf({ port: 1, cafile: 'a', certfile: 'b', keyfile: 'c', aclFile: 'd' })).not.toContain('crlfile');
  });
});
