// How work reaches the state machine: pipeline events on our bus, the nightly fleet and the reaper on
// EventBridge Scheduler (which, unlike classic cron rules, understands time zones).
import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
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
  readonly schedules: DeployConfig['schedules'];
}

/** EventBridge retries a failed delivery with backoff for up to maxEventAge, then parks it in the DLQ. */
const RETRY = { retryAttempts: 8, maxEventAge: Duration.hours(2) };

export class Triggers extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly requestedRule: events.Rule;
  readonly releaseRule: events.Rule;
  readonly nightlySchedule?: scheduler.Schedule;
  readonly reaperSchedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: TriggersProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // EventBridge delivers at least once: the start function names the execution after the event id, so a
    // redelivery cannot start a second fleet (ADR 0002).
    this.requestedRule = new events.Rule(this, 'RequestedRule', {
      eventBus: props.bus,
      description: 'A pipeline asks for clones: the start function starts one execution per event id',
      eventPattern: REQUESTED_PATTERN,
    });
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
    for (const fn of [props.startRunFunction, props.releaseFunction]) {
      fn.configureAsyncInvoke({ onFailure: new destinations.SqsDestination(this.deadLetterQueue) });
    }

    const nightly = props.schedules.nightlyFleet;
    if (nightly !== undefined) {
      this.nightlySchedule = new scheduler.Schedule(this, 'NightlyFleet', {
        description: 'Nightly fleet: clone every configured template, smoke-test, tear down',
        schedule: scheduler.ScheduleExpression.expression(nightly.cron, TimeZone.of(nightly.timeZone)),
        enabled: nightly.enabled,
        target: new schedulerTargets.StepFunctionsStartExecution(props.stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject(nightly.input),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      });
    }

    const reaper = props.schedules.reaper;
    const reaperRole = new iam.Role(this, 'ReaperScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EventBridge Scheduler: invoke the instant-clone reaper',
    });
    this.reaperSchedule = new scheduler.Schedule(this, 'Reaper', {
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
}
