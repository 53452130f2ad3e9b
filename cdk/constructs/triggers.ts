// How work reaches the state machine: pipeline events on our bus, the nightly fleet and the reaper on
// EventBridge Scheduler (which, unlike classic cron rules, understands time zones).
import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import { RELEASE_PATTERN, REQUESTED_PATTERN } from '../event-patterns.js';

export interface TriggersProps {
  readonly bus: events.IEventBus;
  readonly stateMachine: sfn.IStateMachine;
  readonly startRunFunction: lambda.IFunction;
  readonly releaseFunction: lambda.IFunction;
  readonly reaperFunction: lambda.IFunction;
  /** Tears down the clones of an execution that ended without its own teardown. */
  readonly teardownRunFunction: lambda.IFunction;
  readonly schedules: DeployConfig['schedules'];
  /** Customer-managed key for the dead-letter queue (and to start executions of a CMK-encrypted state machine). */
  readonly kmsKey?: kms.IKey;
}

/**
 * A role only the given service may assume, and only on behalf of this account and this one rule or schedule
 * (aws:SourceAccount + aws:SourceArn: the confused-deputy guard). The ARN is built from a fixed name because
 * the rule or schedule itself refers to the role.
 */
function serviceRole(
  scope: Construct,
  id: string,
  service: string,
  sourceArn: string,
  description: string,
): iam.Role {
  return new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal(service, {
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(scope).account, 'aws:SourceArn': sourceArn },
      },
    }),
    description,
  });
}

/** EventBridge retries a failed delivery with backoff for up to maxEventAge, then parks it in the DLQ. */
const RETRY = { retryAttempts: 8, maxEventAge: Duration.hours(2) };

export class Triggers extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly requestedRule: events.Rule;
  readonly releaseRule: events.Rule;
  readonly executionEndedRule: events.Rule;
  readonly nightlySchedule?: scheduler.Schedule;
  readonly reaperSchedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: TriggersProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const scheduleArn = (name: string) =>
      stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `default/${name}` });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...(props.kmsKey === undefined
        ? { encryption: sqs.QueueEncryption.SQS_MANAGED }
        : { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.kmsKey }),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // EventBridge delivers at least once: the start function names the execution after the event id, so a
    // redelivery cannot start a second fleet (ADR 0004).
    this.requestedRule = new events.Rule(this, 'RequestedRule', {
      eventBus: props.bus,
      description: 'A pipeline asks for clones: the start function starts one execution per event id',
      eventPattern: REQUESTED_PATTERN,
    });
    // The start function starts executions of a CMK-encrypted state machine: it needs the key too.
    props.kmsKey?.grant(props.startRunFunction, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.requestedRule.addTarget(
      new targets.LambdaFunction(props.startRunFunction, { deadLetterQueue: this.deadLetterQueue, ...RETRY }),
    );

    this.releaseRule = new events.Rule(this, 'ReleaseRule', {
      eventBus: props.bus,
      description:
        'A pipeline is done with its clones: the release function ends the lease of the run it names',
      eventPattern: RELEASE_PATTERN,
    });
    this.releaseRule.addTarget(
      new targets.LambdaFunction(props.releaseFunction, { deadLetterQueue: this.deadLetterQueue, ...RETRY }),
    );
    // EventBridge invokes Lambda asynchronously and counts the hand-over as delivered, so the rule's DLQ never
    // sees an event a function rejected (a malformed detail, StartExecution or SendTaskSuccess failing); after
    // Lambda's own retries, its on-failure destination puts it in the same queue.
    this.failuresToDeadLetterQueue(props.startRunFunction, 'StartRun', props.kmsKey);
    this.failuresToDeadLetterQueue(props.releaseFunction, 'Release', props.kmsKey);

    // StopExecution, an execution timeout or a failed FinishRun end a run without its teardown: its clones would
    // run until the Reaper finds their lease expired. Step Functions reports every status change on the
    // account's default bus; a FAILED run that did tear down costs one search that finds nothing.
    this.executionEndedRule = new events.Rule(this, 'ExecutionEndedRule', {
      description: 'An execution ended without its own teardown: tear down its clones by run marker at once',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ['ABORTED', 'TIMED_OUT', 'FAILED'],
          stateMachineArn: [props.stateMachine.stateMachineArn],
        },
      },
    });
    this.executionEndedRule.addTarget(
      new targets.LambdaFunction(props.teardownRunFunction, {
        deadLetterQueue: this.deadLetterQueue,
        ...RETRY,
      }),
    );
    this.failuresToDeadLetterQueue(props.teardownRunFunction, 'TeardownRun', props.kmsKey);

    const nightly = props.schedules.nightlyFleet;
    if (nightly !== undefined) {
      const nightlyName = `${stack.stackName}-nightly-fleet`;
      const nightlyRole = serviceRole(
        this,
        'NightlyFleetRole',
        'scheduler.amazonaws.com',
        scheduleArn(nightlyName),
        'EventBridge Scheduler: start the nightly instant-clone fleet',
      );
      props.kmsKey?.grant(nightlyRole, 'kms:GenerateDataKey', 'kms:Decrypt');
      this.nightlySchedule = new scheduler.Schedule(this, 'NightlyFleet', {
        scheduleName: nightlyName,
        description: 'Nightly fleet: clone every configured template, smoke-test, tear down',
        schedule: scheduler.ScheduleExpression.expression(nightly.cron, TimeZone.of(nightly.timeZone)),
        enabled: nightly.enabled,
        target: new schedulerTargets.StepFunctionsStartExecution(props.stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject(nightly.input),
          role: nightlyRole,
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      });
    }

    const reaper = props.schedules.reaper;
    const reaperName = `${stack.stackName}-reaper`;
    const reaperRole = serviceRole(
      this,
      'ReaperScheduleRole',
      'scheduler.amazonaws.com',
      scheduleArn(reaperName),
      'EventBridge Scheduler: invoke the instant-clone reaper',
    );
    this.reaperSchedule = new scheduler.Schedule(this, 'Reaper', {
      scheduleName: reaperName,
      description: 'Reaper: destroy clones whose lease expired but which still exist',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(reaper.rateMinutes)),
      enabled: reaper.enabled,
      target: new schedulerTargets.LambdaInvoke(props.reaperFunction, {
        input: scheduler.ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
        role: reaperRole,
        deadLetterQueue: this.deadLetterQueue,
        // A missed run is harmless: the next one picks up the same VMs.
        retryAttempts: 0,
      }),
    });
    // Function.grantInvoke always adds the `<arn>:*` (versions and aliases) form next to the exact ARN.
    const fnLogicalId = Stack.of(this).getLogicalId(props.reaperFunction.node.defaultChild as CfnElement);
    Validations.of(reaperRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason:
        'Added by the Scheduler LambdaInvoke target (Function.grantInvoke): versions/aliases of the reaper function only; the schedule invokes the unqualified function.',
    });
  }

  /**
   * After Lambda's own retries of an asynchronous invocation, its on-failure destination puts the event in the
   * dead-letter queue. The destination's own grant (grantSendMessages) would add kms:ReEncrypt* and
   * kms:GenerateDataKey* with a customer-managed key; grant exactly what sending needs instead.
   */
  private failuresToDeadLetterQueue(fn: lambda.IFunction, sidPrefix: string, kmsKey?: kms.IKey): void {
    const queueArn = this.deadLetterQueue.queueArn;
    fn.configureAsyncInvoke({ onFailure: { bind: () => ({ destination: queueArn }) } });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: `Failed${sidPrefix}ToDeadLetterQueue`,
        actions: ['sqs:SendMessage'],
        resources: [queueArn],
      }),
    );
    if (kmsKey !== undefined) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: `${sidPrefix}EncryptsForDeadLetterQueue`,
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [kmsKey.keyArn],
        }),
      );
    }
  }
}
