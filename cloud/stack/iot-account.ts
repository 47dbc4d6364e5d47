/**
 * Account-level AWS IoT settings the stack needs, through custom resources (there is no CloudFormation
 * resource for either), both calls that support no resource-level permission:
 * - fleet indexing (registry + shadow + connectivity) so the simulated fleet is searchable and its
 *   connection status visible in the IoT console (iot:UpdateIndexingConfiguration);
 * - the account's MQTT data endpoint (iot:DescribeEndpoint, iot:Data-ATS), so the stack outputs the
 *   endpoint itself rather than a command to look it up.
 *
 * Deleting the stack leaves indexing on: it is account-wide and another fleet may rely on it
 * (cloud/stack/README.md says how to turn it off).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export const FLEET_INDEXING_CONFIGURATION = {
  thingIndexingConfiguration: {
    thingIndexingMode: 'REGISTRY_AND_SHADOW',
    thingConnectivityIndexingMode: 'STATUS',
  },
  thingGroupIndexingConfiguration: { thingGroupIndexingMode: 'ON' },
} as const;

/** The endpoint type devices connect to: Amazon Trust Services certificates (all Amazon roots). */
export const IOT_DATA_ENDPOINT_TYPE = 'iot:Data-ATS';

export interface IotAccountProps {
  readonly logGroup: logs.ILogGroup;
}

export class IotAccount extends Construct {
  readonly indexing: cr.AwsCustomResource;
  readonly endpointLookup: cr.AwsCustomResource;
  /** `<id>-ats.iot.<region>.amazonaws.com`, resolved at deploy time. */
  readonly dataEndpoint: string;

  constructor(scope: Construct, id: string, props: IotAccountProps) {
    super(scope, id);
    const indexingCall: cr.AwsSdkCall = {
      service: 'IoT',
      action: 'UpdateIndexingConfiguration',
      parameters: FLEET_INDEXING_CONFIGURATION,
      physicalResourceId: cr.PhysicalResourceId.of('fleet-indexing'),
    };
    this.indexing = new cr.AwsCustomResource(this, 'UpdateIndexingConfiguration', {
      onCreate: indexingCall,
      onUpdate: indexingCall,
      installLatestAwsSdk: false,
      logGroup: props.logGroup,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // UpdateIndexingConfiguration supports no resource-level permission: "*" is the only valid resource.
        new iam.PolicyStatement({ actions: ['iot:UpdateIndexingConfiguration'], resources: ['*'] }),
      ]),
    });

    const endpointCall: cr.AwsSdkCall = {
      service: 'IoT',
      action: 'DescribeEndpoint',
      parameters: { endpointType: IOT_DATA_ENDPOINT_TYPE },
      physicalResourceId: cr.PhysicalResourceId.fromResponse('endpointAddress'),
      outputPaths: ['endpointAddress'],
    };
    this.endpointLookup = new cr.AwsCustomResource(this, 'DescribeEndpoint', {
      onCreate: endpointCall,
      onUpdate: endpointCall,
      installLatestAwsSdk: false,
      logGroup: props.logGroup,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // DescribeEndpoint supports no resource-level permission either.
        new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] }),
      ]),
    });
    this.dataEndpoint = this.endpointLookup.getResponseField('endpointAddress');
  }
}
