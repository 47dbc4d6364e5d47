/**
 * The bedside monitor IoT policy, defined once (DESIGN §3): the CDK stack attaches it, AWS provisioning
 * attaches it to each certificate, and the local broker's authorizer evaluates the very same document.
 * Policy variables pin every device to its own topics; there is no wildcard before the thing name.
 */
export const THING_NAME_VARIABLE = '${iot:Connection.Thing.ThingName}';

export interface PolicyScope {
  partition: string;
  region: string;
  account: string;
}

/** What the local broker uses: an ARN scope that can only ever match itself. */
export const LOCAL_POLICY_SCOPE: PolicyScope = { partition: 'aws', region: 'local', account: '000000000000' };

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function bedsideMonitorPolicy(scope: PolicyScope = LOCAL_POLICY_SCOPE): PolicyDocument {
  const arn = (kind: 'client' | 'topic' | 'topicfilter', rest: string) =>
    `arn:${scope.partition}:iot:${scope.region}:${scope.account}:${kind}/${rest}`;
  const thing = THING_NAME_VARIABLE;
  const shadow = `$aws/things/${thing}/shadow`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        // Connect only as itself: client id = thing name of the certificate's attached thing.
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: arn('client', thing),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: [
          arn('topic', `dt/bedside/${thing}/vitals`),
          arn('topic', `${shadow}/get`),
          arn('topic', `${shadow}/update`),
          arn('topic', `${shadow}/delete`),
        ],
      },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: [
          arn('topicfilter', `cmd/bedside/${thing}/*`),
          arn('topicfilter', `${shadow}/get/*`),
          arn('topicfilter', `${shadow}/update/*`),
          arn('topicfilter', `${shadow}/delete/*`),
        ],
      },
      {
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: [
          arn('topic', `cmd/bedside/${thing}/*`),
          arn('topic', `${shadow}/get/*`),
          arn('topic', `${shadow}/update/*`),
          arn('topic', `${shadow}/delete/*`),
        ],
      },
    ],
  };
}
