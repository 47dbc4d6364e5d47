/**
 * The dimension sets AWS publishes for the metrics the stack alarms on. An alarm on a dimension set that
 * is not published watches a metric that never exists, and never fires: the infra test holds every alarm
 * (plain metric, math or Metrics Insights query) to this table.
 *
 * Sources (AWS documentation, 2025):
 * - AWS/Lambda: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (per FunctionName)
 * - AWS/SQS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html (QueueName)
 * - AWS/IoT rule action metrics: https://docs.aws.amazon.com/iot/latest/developerguide/metrics_dimensions.html
 *   ("Success"/"Failure" per RuleName and ActionType; no RuleName-only aggregate)
 * - AWS/Kinesis: https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html (StreamName)
 * - our own EMF metrics: cloud/etl/metrics.ts (Service)
 */
import { METRICS_NAMESPACE } from '../etl/metrics.ts';

/** namespace -> metric name -> the dimension-name sets published (each sorted). */
export const PUBLISHED_DIMENSIONS: Readonly<Record<string, Readonly<Record<string, readonly (readonly string[])[]>>>> = {
  'AWS/Lambda': {
    Errors: [['FunctionName'], ['FunctionName', 'Resource']],
    Throttles: [['FunctionName'], ['FunctionName', 'Resource']],
    IteratorAge: [['FunctionName'], ['FunctionName', 'Resource']],
  },
  'AWS/SQS': { ApproximateNumberOfMessagesVisible: [['QueueName']] },
  'AWS/IoT': { Failure: [['ActionType', 'RuleName']], Success: [['ActionType', 'RuleName']] },
  'AWS/Kinesis': { IncomingRecords: [['StreamName']] },
  [METRICS_NAMESPACE]: { Curated: [['Service']], Quarantined: [['Service']], News2High: [['Service']] },
};

/**
 * A CloudWatch Metrics Insights query summing one AWS/IoT rule action metric over every action type of a
 * rule: `SCHEMA` names the published dimension set; the ActionType value is not needed.
 */
export function iotRuleActionQuery(metricName: 'Failure' | 'Success', ruleName: string): string {
  return `SELECT SUM(${metricName}) FROM SCHEMA("AWS/IoT", ActionType, RuleName) WHERE RuleName = '${ruleName}'`;
}
