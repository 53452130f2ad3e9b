// Alarms on what an operator must act on, and one dashboard with the phase timings the handlers emit (EMF).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  METRIC_SERVICE_DIMENSION,
  METRICS,
} from '../../lambdas/workflow/aws-names.js';
import type { DeployConfig } from '../config.js';
import type { WorkflowFunction } from './workflow-function.js';

export interface ObservabilityProps {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, WorkflowFunction>;
  readonly reaper: WorkflowFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly config: DeployConfig['observability'];
  readonly dashboardName: string;
  /** The stack's own VPN (new-VPC mode): alarm when no tunnel is up, since then vCenter is unreachable. */
  readonly vpnConnection?: ec2.VpnConnection;
}

function workflowMetric(
  name: string,
  statistic: string,
  period: Duration = Duration.minutes(5),
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { [METRIC_SERVICE_DIMENSION]: METRIC_SERVICE },
    statistic,
    period,
  });
}

export class Observability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const sm = props.stateMachine;
    const five = Duration.minutes(5);
    const atLeastOne = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      description: string,
      missing = cloudwatch.TreatMissingData.NOT_BREACHING,
    ): cloudwatch.Alarm => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing,
        alarmDescription: description,
      });
      this.alarms.push(alarm);
      return alarm;
    };

    atLeastOne(
      'ExecutionsFailed',
      sm.metricFailed({ period: five, statistic: 'Sum' }),
      'An instant-clone execution failed: open the execution in the Step Functions console; the Fail state names the error.',
    );
    atLeastOne(
      'ExecutionsTimedOut',
      sm.metricTimedOut({ period: five, statistic: 'Sum' }),
      'An instant-clone execution timed out.',
    );
    atLeastOne(
      'LeakedClonesReaped',
      workflowMetric(METRICS.clonesReaped, 'Sum', five),
      'The reaper destroyed clones whose lease had expired: an execution did not tear down (aborted? bug?). See the "Instant Clones Reaped" event.',
    );
    atLeastOne(
      'ReapFailures',
      workflowMetric(METRICS.reapFailures, 'Sum', five),
      'The reaper could not destroy a leaked clone; check its logs and the vCenter permissions.',
    );
    atLeastOne(
      'ReaperErrors',
      props.reaper.function.metricErrors({ period: five, statistic: 'Sum' }),
      'The reaper function failed (vCenter unreachable? credentials?). Leaked clones are not being cleaned up.',
    );
    atLeastOne(
      'UndeliveredEvents',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
      'Events or schedules could not be delivered (start execution or release); inspect the dead-letter queue.',
    );
    const slow = (alarmId: string, metricName: string, thresholdMs: number, what: string): void => {
      this.alarms.push(
        new cloudwatch.Alarm(this, alarmId, {
          metric: workflowMetric(metricName, 'p90', Duration.minutes(15)),
          threshold: thresholdMs,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: `p90 ${what} above ${thresholdMs} ms over 15 minutes.`,
        }),
      );
    };
    slow('ClonePhaseSlow', METRICS.clonePhaseMs, props.config.clonePhaseAlarmMs, 'instant clone phase');
    slow('IpPhaseSlow', METRICS.ipPhaseMs, props.config.ipPhaseAlarmMs, 'IP phase (refresh to usable IPv4)');

    if (props.vpnConnection !== undefined) {
      this.alarms.push(
        new cloudwatch.Alarm(this, 'VpnDown', {
          metric: props.vpnConnection.metricTunnelState({ statistic: 'Maximum', period: five }),
          threshold: 1,
          evaluationPeriods: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          alarmDescription:
            'No Site-to-Site VPN tunnel is up: the Lambdas cannot reach vCenter or the ESXi hosts.',
        }),
      );
    }

    if (props.config.alarmTopicArn !== undefined) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.config.alarmTopicArn);
      for (const alarm of this.alarms) alarm.addAlarmAction(new cwActions.SnsAction(topic));
    }

    const phase = (metricName: string, title: string): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title,
        width: 8,
        left: ['p50', 'p90', 'Maximum'].map((s) =>
          workflowMetric(metricName, s).with({ label: s === 'Maximum' ? 'max' : s }),
        ),
        leftYAxis: { label: 'ms', showUnits: false, min: 0 },
      });
    const fnList = Object.entries(props.functions);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Executions',
        width: 12,
        left: [
          sm.metricStarted({ statistic: 'Sum', label: 'started' }),
          sm.metricSucceeded({ statistic: 'Sum', label: 'succeeded' }),
          sm.metricFailed({ statistic: 'Sum', label: 'failed' }),
          sm.metricTimedOut({ statistic: 'Sum', label: 'timed out' }),
          sm.metricAborted({ statistic: 'Sum', label: 'aborted' }),
        ],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 12, alarms: this.alarms }),
    );
    this.dashboard.addWidgets(
      phase(METRICS.clonePhaseMs, 'Clone phase (InstantClone_Task)'),
      phase(METRICS.refreshPhaseMs, 'Guest network refresh'),
      phase(METRICS.ipPhaseMs, 'IP phase (refresh to usable IPv4)'),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Guest-op retries and clone failures by error',
        width: 12,
        left: [
          workflowMetric(METRICS.guestOpRetries, 'Sum').with({ label: 'guest-op retries' }),
          // CloneFailures carries an ErrorName dimension (one series per error class): search them all.
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRIC_NAMESPACE},${METRIC_SERVICE_DIMENSION},ErrorName} MetricName="${METRICS.cloneFailures}"', 'Sum', 300)`,
            label: '',
            period: Duration.minutes(5),
          }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Reaper',
        width: 12,
        left: [
          workflowMetric(METRICS.clonesReaped, 'Sum').with({ label: 'clones reaped' }),
          workflowMetric(METRICS.reapFailures, 'Sum').with({ label: 'reap failures' }),
        ],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        width: 12,
        left: fnList.map(([state, fn]) => fn.function.metricErrors({ statistic: 'Sum', label: state })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration p90',
        width: 12,
        left: fnList.map(([state, fn]) => fn.function.metricDuration({ statistic: 'p90', label: state })),
      }),
    );
  }
}
