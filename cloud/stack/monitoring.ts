/**
 * Monitoring: alarms on everything that means "the pipeline stalls or loses data" (iterator age, ETL
 * errors, on-failure depth, IoT rule failures, compaction errors), on data quality (quarantine rate) and on the patients
 * (NEWS2 high-risk readings), all to one KMS-encrypted SNS topic; plus a CloudWatch dashboard.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../etl/metrics.ts';
import { ETL_METRICS, MONITORING_DEFAULTS } from './defaults.ts';
import { iotRuleActionQuery } from './published-metrics.ts';

export interface MonitoringProps {
  readonly etlFunction: lambda.IFunction;
  readonly compactionFunction: lambda.IFunction;
  readonly onFailureQueue: sqs.IQueue;
  readonly stream: kinesis.IStream;
  readonly topicRuleName: string;
  readonly opsKey: kms.IKey;
  readonly alarmEmail: string | undefined;
  readonly dashboardName?: string;
  /** Default true; the trial profile leaves it out ($3 a month). */
  readonly dashboard?: boolean;
}

export class Monitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: Readonly<Record<'iteratorAge' | 'etlErrors' | 'onFailureDepth' | 'quarantineRate' | 'ruleErrors' | 'news2HighRisk' | 'compactionErrors', cw.Alarm>>;
  readonly dashboard: cw.Dashboard | undefined;
  readonly dashboardUrl: string | undefined;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const d = MONITORING_DEFAULTS;
    const period = Duration.minutes(d.periodMinutes);

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Healthcare datalake alarms',
      masterKey: props.opsKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const iteratorAge = props.etlFunction.metric('IteratorAge', { statistic: 'Maximum', period });
    const etlErrors = props.etlFunction.metricErrors({ statistic: 'Sum', period });
    const compactionErrors = props.compactionFunction.metricErrors({ statistic: 'Sum', period });
    const onFailureDepth = props.onFailureQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period });
    const etlMetric = (metricName: string) =>
      new cw.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { ...ETL_METRICS.dimensions }, statistic: 'Sum', period });
    const curated = etlMetric(ETL_METRICS.curated);
    const quarantined = etlMetric(ETL_METRICS.quarantined);
    const news2HighRisk = etlMetric(ETL_METRICS.news2HighRisk);
    const quarantineRate = new cw.MathExpression({
      expression: 'IF(curated + quarantined > 0, quarantined / (curated + quarantined), 0)',
      usingMetrics: { curated, quarantined },
      label: 'Quarantine rate',
      period,
    });
    // Rule action failures: AWS/IoT publishes "Failure" only per RuleName and ActionType, so a query over
    // that schema, filtered on the rule, sums every action type (published-metrics.ts).
    const ruleFailures = new cw.MathExpression({
      expression: iotRuleActionQuery('Failure', props.topicRuleName),
      usingMetrics: {},
      label: 'IoT rule action failures',
      period,
    });

    const alarm = (name: string, metric: cw.IMetric, threshold: number, description: string) => {
      const created = new cw.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data means no traffic (or no failure): not an alarm by itself; iterator age covers a stall.
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      created.addOkAction(new cwActions.SnsAction(this.alarmTopic));
      return created;
    };

    this.alarms = {
      iteratorAge: alarm('IteratorAge', iteratorAge, d.iteratorAgeAlarmMs, 'ETL is falling behind the stream: oldest record waits over 60 s'),
      etlErrors: alarm('EtlErrors', etlErrors, d.etlErrorsAlarm, 'ETL invocations fail (batches are retried, then sent to the on-failure queue)'),
      onFailureDepth: alarm('OnFailureDepth', onFailureDepth, d.onFailureDepthAlarm, 'Batches gave up after retries: replay them from the stream (see README)'),
      quarantineRate: alarm('QuarantineRate', quarantineRate, d.quarantineRateAlarm, 'Over 1 % of records quarantined: a device or firmware sends bad data'),
      ruleErrors: alarm('RuleErrors', ruleFailures, d.ruleErrorsAlarm, 'IoT rule could not put messages into Kinesis: they are in the lake rule-errors prefix'),
      news2HighRisk: alarm('News2HighRisk', news2HighRisk, d.news2HighRiskAlarm, 'At least one reading scored NEWS2 high risk (7+): clinical escalation'),
      compactionErrors: alarm(
        'CompactionErrors',
        compactionErrors,
        d.compactionErrorsAlarm,
        'A compaction pass left partitions uncompacted (its log names them); queries stay correct, the next hourly pass retries',
      ),
    };

    const dashboardName = props.dashboardName ?? d.dashboardName;
    if (props.dashboard === false) {
      this.dashboard = undefined;
      this.dashboardUrl = undefined;
      return;
    }
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName,
      widgets: [
        [
          new cw.GraphWidget({ title: 'Records into the stream', left: [props.stream.metricIncomingRecords({ period, statistic: 'Sum' })], width: 8 }),
          new cw.GraphWidget({ title: 'Curated / quarantined', left: [curated, quarantined], width: 8 }),
          new cw.GraphWidget({ title: 'ETL iterator age (ms)', left: [iteratorAge], width: 8 }),
        ],
        [
          new cw.GraphWidget({ title: 'ETL errors and throttles', left: [etlErrors, props.etlFunction.metricThrottles({ period }), compactionErrors], width: 8 }),
          new cw.GraphWidget({ title: 'NEWS2 high-risk readings', left: [news2HighRisk], width: 8 }),
          new cw.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 8 }),
        ],
      ],
    });
    const region = Stack.of(this).region;
    this.dashboardUrl = `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboardName}`;
  }
}
