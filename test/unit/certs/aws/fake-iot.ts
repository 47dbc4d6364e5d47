/**
 * A mocked AWS IoT control plane (aws-sdk-client-mock) that behaves like the real one for the calls
 * provisioning makes: creates return ARNs, shared resources can pre-exist (made by the CDK stack), and
 * calls can be made to fail. Plus a fake clock whose sleeps advance time instantly.
 */
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DescribeEndpointCommand,
  DescribeThingGroupCommand,
  DescribeThingTypeCommand,
  GetPolicyCommand,
  IoTClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../../../certs/aws/pacing.ts';

export const REGION = 'eu-west-2';
export const ACCOUNT = '123456789012';
export const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-2.amazonaws.com';
const arn = (rest: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${rest}`;

export function notFound(what: string): ResourceNotFoundException {
  return new ResourceNotFoundException({ message: `${what} not found`, $metadata: {} });
}

export function awsError(name: string): Error {
  const error = new Error(`${name} (mocked)`);
  error.name = name;
  return error;
}

export interface FakeIotOptions {
  /** The CDK stack already made the thing type, group and policy. */
  sharedExist?: boolean;
}

export function fakeIot({ sharedExist = false }: FakeIotOptions = {}) {
  const mock = mockClient(IoTClient);
  let certificates = 0;
  if (sharedExist) {
    mock.on(DescribeThingTypeCommand).callsFake(({ thingTypeName }) => ({ thingTypeName, thingTypeArn: arn(`thingtype/${thingTypeName}`) }));
    mock.on(DescribeThingGroupCommand).callsFake(({ thingGroupName }) => ({ thingGroupName, thingGroupArn: arn(`thinggroup/${thingGroupName}`) }));
    mock.on(GetPolicyCommand).callsFake(({ policyName }) => ({ policyName, policyArn: arn(`policy/${policyName}`) }));
  } else {
    mock.on(DescribeThingTypeCommand).rejects(notFound('thing type'));
    mock.on(DescribeThingGroupCommand).rejects(notFound('thing group'));
    mock.on(GetPolicyCommand).rejects(notFound('policy'));
  }
  mock.on(CreateThingTypeCommand).callsFake(({ thingTypeName }) => ({ thingTypeName, thingTypeArn: arn(`thingtype/${thingTypeName}`) }));
  mock.on(CreateThingGroupCommand).callsFake(({ thingGroupName }) => ({ thingGroupName, thingGroupArn: arn(`thinggroup/${thingGroupName}`) }));
  mock.on(CreatePolicyCommand).callsFake(({ policyName }) => ({ policyName, policyArn: arn(`policy/${policyName}`) }));
  mock.on(DescribeEndpointCommand).resolves({ endpointAddress: ENDPOINT });
  mock.on(CreateThingCommand).callsFake(({ thingName }) => ({ thingName, thingArn: arn(`thing/${thingName}`) }));
  mock.on(CreateKeysAndCertificateCommand).callsFake(() => {
    certificates += 1;
    const id = String(certificates).padStart(64, 'c');
    return {
      certificateId: id,
      certificateArn: arn(`cert/${id}`),
      certificatePem: `-----BEGIN CERTIFICATE-----\ncert-${certificates}\n-----END CERTIFICATE-----\n`,
      keyPair: { PublicKey: 'pub', PrivateKey: `-----BEGIN RSA PRIVATE KEY-----\nkey-${certificates}\n-----END RSA PRIVATE KEY-----\n` },
    };
  });
  mock.on(AttachPolicyCommand).resolves({});
  mock.on(AttachThingPrincipalCommand).resolves({});
  mock.on(AddThingToThingGroupCommand).resolves({});
  return { mock, client: new IoTClient({ region: REGION }) };
}

/** Names of the commands sent, in order. */
export function callNames(mock: ReturnType<typeof mockClient>): string[] {
  return mock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

/** Time only moves when someone sleeps; sleeping is instant. */
export function fakeClock(start = Date.parse('2026-11-24T18:00:00.000Z')): Clock & { t: number } {
  const clock = {
    t: start,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}
