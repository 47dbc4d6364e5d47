/**
 * Fleet indexing (registry + shadow + connectivity) so the simulated fleet is searchable and its
 * connection status visible in the IoT console. There is no CloudFormation resource for this
 * account-level setting, hence a custom resource calling iot:UpdateIndexingConfiguration.
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

export interface FleetIndexingProps {
  readonly logGroup: logs.ILogGroup;
}

export class FleetIndexing extends Construct {
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: FleetIndexingProps) {
    super(scope, id);
    const call: cr.AwsSdkCall = {
      service: 'IoT',
      action: 'UpdateIndexingConfiguration',
      parameters: FLEET_INDEXING_CONFIGURATION,
      physicalResourceId: cr.PhysicalResourceId.of('fleet-indexing'),
    };
    this.resource = new cr.AwsCustomResource(this, 'UpdateIndexingConfiguration', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      logGroup: props.logGroup,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // UpdateIndexingConfiguration supports no resource-level permission: "*" is the only valid resource.
        new iam.PolicyStatement({ actions: ['iot:UpdateIndexingConfiguration'], resources: ['*'] }),
      ]),
    });
  }
}
