import { describe, expect, it } from 'vitest';
import { bedsideMonitorPolicy, LOCAL_POLICY_SCOPE, type PolicyDocument } from '../../../../cloud/ingest/iot-policy.ts';
import {
  createAuthorizer,
  evaluatePolicy,
  resourceArn,
  UnsupportedPolicyError,
  type ConnectionContext,
  type IotAction,
} from '../../../../cloud/ingest/policy-evaluator.ts';

const AWS_SCOPE = { partition: 'aws', region: 'us-east-1', account: '123456789012' };
const arn = (rest: string) => `arn:aws:iot:us-east-1:123456789012:${rest}`;

const thing = (name: string, attributes: Record<string, string> = {}): ConnectionContext => ({
  clientId: name,
  thingName: name,
  thingAttributes: attributes,
  isAttached: true,
});
const unregistered = (clientId: string): ConnectionContext => ({ clientId, isAttached: false });

interface Case {
  name: string;
  action: IotAction;
  target: string;
  connection: ConnectionContext;
  expected: 'Allow' | 'Deny';
}

function decide(doc: PolicyDocument, c: Case): 'Allow' | 'Deny' {
  return evaluatePolicy(doc, { action: c.action, resource: resourceArn(AWS_SCOPE, c.action, c.target), connection: c.connection })
    .decision;
}

describe('policy evaluator on AWS IoT developer guide examples', () => {
  describe('"Connect policy examples": deny client1 and client2, allow a client id equal to an attached thing name', () => {
    const doc: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: ['iot:Connect'], Resource: [arn('client/client1'), arn('client/client2')] },
        {
          Effect: 'Allow',
          Action: ['iot:Connect'],
          Resource: [arn('client/${iot:Connection.Thing.ThingName}')],
          Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
        },
      ],
    };
    const cases: Case[] = [
      { name: 'a thing connecting as itself', action: 'iot:Connect', target: 'sensor-7', connection: thing('sensor-7'), expected: 'Allow' },
      { name: 'client1 even when it is an attached thing (explicit deny wins)', action: 'iot:Connect', target: 'client1', connection: thing('client1'), expected: 'Deny' },
      { name: 'client2 even when it is an attached thing', action: 'iot:Connect', target: 'client2', connection: thing('client2'), expected: 'Deny' },
      { name: 'a certificate attached to no thing', action: 'iot:Connect', target: 'sensor-7', connection: unregistered('sensor-7'), expected: 'Deny' },
      {
        name: 'a client id that differs from the thing name',
        action: 'iot:Connect',
        target: 'sensor-8',
        connection: { ...thing('sensor-7'), clientId: 'sensor-8' },
        expected: 'Deny',
      },
    ];
    it.each(cases)('$expected: $name', (c) => expect(decide(doc, c)).toBe(c.expected));
  });

  describe('"Connect policy examples": unregistered device with client id client1', () => {
    const doc: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iot:Connect'], Resource: [arn('client/client1')] }],
    };
    const cases: Case[] = [
      { name: 'client1', action: 'iot:Connect', target: 'client1', connection: unregistered('client1'), expected: 'Allow' },
      { name: 'client10 (no implicit prefix match)', action: 'iot:Connect', target: 'client10', connection: unregistered('client10'), expected: 'Deny' },
      { name: 'publishing, which no statement allows (implicit deny)', action: 'iot:Publish', target: 'client1', connection: unregistered('client1'), expected: 'Deny' },
    ];
    it.each(cases)('$expected: $name', (c) => expect(decide(doc, c)).toBe(c.expected));
  });

  describe('"Connect and publish policy examples": publish on a client-id-specific topic', () => {
    const doc: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iot:Publish'], Resource: [arn('topic/${iot:ClientId}')] },
        { Effect: 'Allow', Action: ['iot:Connect'], Resource: [arn('client/client1')] },
      ],
    };
    const cases: Case[] = [
      { name: 'client1 publishing to client1', action: 'iot:Publish', target: 'client1', connection: unregistered('client1'), expected: 'Allow' },
      { name: 'client1 publishing to client2', action: 'iot:Publish', target: 'client2', connection: unregistered('client1'), expected: 'Deny' },
      { name: 'a client id "*" is matched literally, not as a wildcard', action: 'iot:Publish', target: 'anything', connection: unregistered('*'), expected: 'Deny' },
    ];
    it.each(cases)('$expected: $name', (c) => expect(decide(doc, c)).toBe(c.expected));
  });

  describe('"Publish/Subscribe policy examples": specific topics, prefixes and MQTT wildcards', () => {
    const doc: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: [arn('topic/some_specific_topic'), arn('topic/topic_prefix*')] },
        { Effect: 'Allow', Action: ['iot:Subscribe'], Resource: [arn('topicfilter/some_specific_topic'), arn('topicfilter/topic_prefix*')] },
        { Effect: 'Allow', Action: ['iot:Subscribe'], Resource: [arn('topicfilter/sensors/+/temperature'), arn('topicfilter/room/?/light')] },
        { Effect: 'Allow', Action: ['iot:Publish'], Resource: [arn('topic/department/*')] },
        { Effect: 'Deny', Action: ['iot:Publish'], Resource: [arn('topic/department/admins')] },
      ],
    };
    const c = unregistered('client1');
    const cases: Case[] = [
      { name: 'publish to the specific topic', action: 'iot:Publish', target: 'some_specific_topic', connection: c, expected: 'Allow' },
      { name: 'receive from the specific topic', action: 'iot:Receive', target: 'some_specific_topic', connection: c, expected: 'Allow' },
      { name: 'subscribe to the specific topic filter', action: 'iot:Subscribe', target: 'some_specific_topic', connection: c, expected: 'Allow' },
      { name: 'publish to a topic under the prefix (* spans levels)', action: 'iot:Publish', target: 'topic_prefix/a/b', connection: c, expected: 'Allow' },
      { name: 'subscribe to the prefix with an MQTT # (* matches the # character)', action: 'iot:Subscribe', target: 'topic_prefix/#', connection: c, expected: 'Allow' },
      { name: 'publish outside the prefix', action: 'iot:Publish', target: 'other_topic', connection: c, expected: 'Deny' },
      { name: 'subscribe to "sensors/+/temperature": + in a policy is a literal +', action: 'iot:Subscribe', target: 'sensors/+/temperature', connection: c, expected: 'Allow' },
      { name: 'subscribe to "sensors/s1/temperature": + does not match s1', action: 'iot:Subscribe', target: 'sensors/s1/temperature', connection: c, expected: 'Deny' },
      { name: 'subscribe to "#": not covered by any filter', action: 'iot:Subscribe', target: '#', connection: c, expected: 'Deny' },
      { name: '? matches one character', action: 'iot:Subscribe', target: 'room/7/light', connection: c, expected: 'Allow' },
      { name: '? does not match two characters', action: 'iot:Subscribe', target: 'room/17/light', connection: c, expected: 'Deny' },
      { name: 'publish to a department subtopic', action: 'iot:Publish', target: 'department/sales', connection: c, expected: 'Allow' },
      { name: 'publish to the denied subtopic (explicit deny beats the allowed prefix)', action: 'iot:Publish', target: 'department/admins', connection: c, expected: 'Deny' },
      { name: 'receive from a topic allowed only for publishing', action: 'iot:Receive', target: 'department/sales', connection: c, expected: 'Deny' },
    ];
    it.each(cases)('$expected: $name', (x) => expect(decide(doc, x)).toBe(x.expected));
  });

  describe('"Thing policy examples": IsAttached, attribute conditions and attribute variables', () => {
    const doc: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        // The guide writes the condition value as a list here: ["true"].
        { Effect: 'Allow', Action: ['iot:Connect'], Resource: ['*'], Condition: { Bool: { 'iot:Connection.Thing.IsAttached': ['true'] as unknown as string } } },
        {
          Effect: 'Allow',
          Action: ['iot:Publish'],
          Resource: arn('topic/device/stats'),
          Condition: { StringEquals: { 'iot:Connection.Thing.Attributes[attributeName]': 'attributeValue' }, Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
        },
        { Effect: 'Allow', Action: ['iot:Publish'], Resource: arn('topic/${iot:Connection.Thing.Attributes[attributeName]}/*') },
      ],
    };
    const withAttribute = thing('t1', { attributeName: 'attributeValue' });
    const cases: Case[] = [
      { name: 'connect with an attached certificate', action: 'iot:Connect', target: 't1', connection: thing('t1'), expected: 'Allow' },
      { name: 'connect with an unattached certificate', action: 'iot:Connect', target: 't1', connection: unregistered('t1'), expected: 'Deny' },
      { name: 'publish to device/stats with the attribute value', action: 'iot:Publish', target: 'device/stats', connection: withAttribute, expected: 'Allow' },
      { name: 'publish to device/stats with another value', action: 'iot:Publish', target: 'device/stats', connection: thing('t2', { attributeName: 'other' }), expected: 'Deny' },
      { name: 'publish under the attribute-named topic', action: 'iot:Publish', target: 'attributeValue/x', connection: withAttribute, expected: 'Allow' },
      {
        name: 'publish when the attribute variable is unresolved (thing not attached)',
        action: 'iot:Publish',
        target: 'attributeValue/x',
        connection: { ...unregistered('t1'), thingAttributes: { attributeName: 'attributeValue' } },
        expected: 'Deny',
      },
      { name: 'publish when the thing lacks the attribute (unresolved variable)', action: 'iot:Publish', target: '/x', connection: thing('t3'), expected: 'Deny' },
    ];
    it.each(cases)('$expected: $name', (c) => expect(decide(doc, c)).toBe(c.expected));
  });
});

describe('policy evaluator on the project policy (cloud/ingest/iot-policy.ts)', () => {
  const authorizer = createAuthorizer(bedsideMonitorPolicy());
  const me = thing('bedside-0001', { ward: 'icu' });

  it.each([
    ['dt/bedside/bedside-0001/vitals'],
    ['$aws/things/bedside-0001/shadow/update'],
    ['$aws/things/bedside-0001/shadow/get'],
    ['$aws/things/bedside-0001/shadow/delete'],
  ])('lets bedside-0001 publish to its own topic %s', (topic) => {
    expect(authorizer.canPublish(me, topic)).toBe(true);
  });

  it.each([
    ['dt/bedside/bedside-0002/vitals'],
    ['dt/bedside/+/vitals'],
    ['dt/bedside/bedside-0001/vitals/extra'],
    ['$aws/things/bedside-0002/shadow/update'],
    ['cmd/bedside/bedside-0001/identify'],
  ])('denies bedside-0001 publishing to %s', (topic) => {
    expect(authorizer.canPublish(me, topic)).toBe(false);
  });

  it.each([
    ['cmd/bedside/bedside-0001/#'],
    ['cmd/bedside/bedside-0001/identify'],
    ['$aws/things/bedside-0001/shadow/update/accepted'],
    ['$aws/things/bedside-0001/shadow/update/delta'],
    ['$aws/things/bedside-0001/shadow/get/+'],
  ])('lets bedside-0001 subscribe to its own filter %s', (filter) => {
    expect(authorizer.canSubscribe(me, filter)).toBe(true);
  });

  it.each([
    ['#'],
    ['dt/bedside/+/vitals'],
    ['dt/bedside/bedside-0001/vitals'],
    ['cmd/bedside/bedside-0002/#'],
    ['cmd/bedside/+/identify'],
    ['$aws/things/+/shadow/update/accepted'],
    ['$aws/things/bedside-0002/shadow/update/delta'],
    ['$aws/events/presence/connected/+'],
  ])('denies bedside-0001 subscribing to %s', (filter) => {
    expect(authorizer.canSubscribe(me, filter)).toBe(false);
  });

  it('lets bedside-0001 receive its own commands and shadow responses only', () => {
    expect(authorizer.canReceive(me, 'cmd/bedside/bedside-0001/identify')).toBe(true);
    expect(authorizer.canReceive(me, '$aws/things/bedside-0001/shadow/update/delta')).toBe(true);
    expect(authorizer.canReceive(me, 'cmd/bedside/bedside-0002/identify')).toBe(false);
  });

  it('lets a thing connect only as itself, with its certificate attached', () => {
    expect(authorizer.canConnect(me)).toBe(true);
    expect(authorizer.canConnect({ ...me, clientId: 'bedside-0002' })).toBe(false);
    expect(authorizer.canConnect({ ...me, isAttached: false })).toBe(false);
    expect(authorizer.canConnect({ clientId: 'bedside-0001', isAttached: true })).toBe(false);
  });

  it('explains a refusal with the action, the resource and why', () => {
    const text = authorizer.explain('iot:Subscribe', me, '#');
    expect(text).toBe(
      `Deny: no statement allows iot:Subscribe on ${resourceArn(LOCAL_POLICY_SCOPE, 'iot:Subscribe', '#')} for client "bedside-0001" (implicit deny)`,
    );
    expect(authorizer.explain('iot:Publish', me, 'dt/bedside/bedside-0001/vitals')).toMatch(/^Allow: .* statement 2 \(Allow iot:Publish\)$/);
  });

  it('denies everything when the policy was written for another account (ARN scope mismatch)', () => {
    const elsewhere = createAuthorizer(bedsideMonitorPolicy(AWS_SCOPE), LOCAL_POLICY_SCOPE);
    expect(elsewhere.canPublish(me, 'dt/bedside/bedside-0001/vitals')).toBe(false);
    expect(createAuthorizer(bedsideMonitorPolicy(AWS_SCOPE), AWS_SCOPE).canPublish(me, 'dt/bedside/bedside-0001/vitals')).toBe(true);
  });
});

describe('policy evaluator limits', () => {
  it('matches actions with iot:* and case-insensitively, as IAM does', () => {
    const doc: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'IOT:*', Resource: '*' }] };
    expect(evaluatePolicy(doc, { action: 'iot:Receive', resource: arn('topic/x'), connection: unregistered('c') }).decision).toBe('Allow');
  });

  it('refuses NotAction and unknown condition operators instead of guessing', () => {
    const notAction = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: 'iot:Connect', Resource: '*' }] } as unknown as PolicyDocument;
    expect(() => createAuthorizer(notAction)).toThrow(UnsupportedPolicyError);
    expect(() => createAuthorizer(notAction)).toThrow(/"NotAction" is not supported/);
    const numeric: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*', Condition: { NumericEquals: { 'iot:ClientId': '1' } } }],
    };
    expect(() => createAuthorizer(numeric)).toThrow(/condition operator "NumericEquals" is not supported/);
  });

  it('treats the escapes ${*}, ${?} and ${$} as literal characters', () => {
    const doc: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic/a${*}b') }] };
    const at = (topic: string) => evaluatePolicy(doc, { action: 'iot:Publish', resource: arn(`topic/${topic}`), connection: unregistered('c') }).decision;
    expect(at('a*b')).toBe('Allow');
    expect(at('axb')).toBe('Deny');
  });
});
