// The whole product in one stack: network placement, the Lambdas derived from the ASL, the state machine,
// triggers, the reaper and observability.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { lambdaTimeoutSeconds, MAX_LAMBDA_TIMEOUT_SECONDS } from '../statemachines/placeholders.js';
import { type AslDocument, EVENT_BUS_PLACEHOLDER } from './asl.js';
import type { DeployConfig } from './config.js';
import { grantDistributedMap } from './constructs/distributed-map-grants.js';
import { Network } from './constructs/network.js';
import { Observability } from './constructs/observability.js';
import { PermitTable, usesHoldings, usesPermits } from './constructs/permit-table.js';
import { Triggers } from './constructs/triggers.js';
import { WorkflowFunction } from './constructs/workflow-function.js';
import { METRIC_NAMESPACE, METRIC_SERVICE } from './metric-names.js';

export interface InstantCloneStackProps extends StackProps {
  readonly config: DeployConfig;
  readonly asl: AslDocument;
  /** Repository root. */
  readonly root: string;
}

/**
 * A handler declares that it runs guest operations with `workflowHandler({ ..., guest: true }, ...)`; its
 * middleware then fetches every source's guest secret, so exactly those functions get read access to them.
 */
const GUEST_OPTION = /\bguest\s*:\s*true\b/;

function needsGuestCredentials(root: string, entry: string): boolean {
  const file = resolve(root, entry);
  return existsSync(file) && GUEST_OPTION.test(readFileSync(file, 'utf8'));
}

/** Lambda timeout when no Task in the ASL sets TimeoutSeconds for that function. */
const DEFAULT_TIMEOUT_SECONDS = 300;
/** Lambda rejects functions whose environment exceeds 4 KB in total. */
const MAX_ENVIRONMENT_BYTES = 4096;

export class InstantCloneStack extends Stack {
  readonly network: Network;
  readonly bus: events.EventBus;
  readonly functions: Record<string, WorkflowFunction> = {};
  readonly releaseFunction: WorkflowFunction;
  readonly reaperFunction: WorkflowFunction;
  readonly stateMachine: sfn.StateMachine;
  /** Exactly the `definitionSubstitutions` handed to the state machine. */
  readonly substitutionKeys: string[];

  constructor(scope: Construct, id: string, props: InstantCloneStackProps) {
    super(scope, id, props);
    const { config, asl, root } = props;
    const retention = config.observability.logRetentionDays as logs.RetentionDays;

    this.network = new Network(this, 'Network', { config: config.network, logRetention: retention });
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `${this.stackName}-events` });

    const vcenterSecretArn = this.secretArn(config.vcenter.secret);
    const guestSecretArns = [
      ...new Set(Object.values(config.sources).map((s) => this.secretArn(s.guestSecret))),
    ];

    // The document the handlers validate with lambdas/workflow/config.ts (ADR 0001). Secret ids only, never values.
    const workflowConfig = JSON.stringify({
      vcenter: {
        url: config.vcenter.url,
        insecure: config.vcenter.insecure,
        secretId: config.vcenter.secret,
      },
      sources: Object.fromEntries(
        Object.entries(config.sources).map(([name, s]) => [
          name,
          {
            paths: s.paths,
            os: s.os,
            guestSecretId: s.guestSecret,
            ...(s.nicName === undefined ? {} : { nicName: s.nicName }),
            ...(s.refreshCommand === undefined ? {} : { refreshCommand: s.refreshCommand }),
            ...(s.staticRefreshCommand === undefined ? {} : { staticRefreshCommand: s.staticRefreshCommand }),
          },
        ]),
      ),
      defaults: config.defaults,
      throttle: config.throttle,
    });
    const environment = {
      WORKFLOW_CONFIG: workflowConfig,
      EVENT_BUS_NAME: this.bus.eventBusName,
      POWERTOOLS_SERVICE_NAME: METRIC_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    };
    const common = {
      root,
      vpc: this.network.vpc,
      subnets: this.network.subnets,
      securityGroup: this.network.functionSecurityGroup,
      logRetention: retention,
      ...(config.vcenter.caBundlePath === undefined ? {} : { caBundlePath: config.vcenter.caBundlePath }),
    };
    const make = (
      fnId: string,
      entry: string,
      description: string,
      vsphere: boolean,
      timeoutSeconds: number,
      env: Record<string, string>,
    ): WorkflowFunction => {
      const bytes = Object.entries(env).reduce((n, [k, v]) => n + k.length + v.length, 0);
      if (bytes > MAX_ENVIRONMENT_BYTES - 512) {
        throw new Error(
          `${fnId}: Lambda environment would be ${bytes} bytes (limit 4 KB); shorten sources/paths in the config`,
        );
      }
      return new WorkflowFunction(this, fnId, {
        ...common,
        entry,
        description,
        vsphere,
        timeout: Duration.seconds(Math.min(MAX_LAMBDA_TIMEOUT_SECONDS, timeoutSeconds)),
        environment: env,
      });
    };

    // Every workflow handler shares lambdas/workflow/workflow-handler.ts: it loads the vSphere client (WSDL, CA)
    // and fetches the vCenter secret; the guest secrets only where the handler asks for them.
    const permits = new PermitTable(this, 'Permits');
    for (const fn of asl.functions) {
      // The function gives up before its Task does (see lambdaTimeoutSeconds), so the ASL sees the handler's
      // named error rather than States.Timeout while the invocation is still running.
      const timeout =
        fn.taskTimeoutSeconds === undefined
          ? DEFAULT_TIMEOUT_SECONDS
          : lambdaTimeoutSeconds(fn.taskTimeoutSeconds);
      const wf = make(
        `${fn.state}Function`,
        fn.entry,
        `Instant clone: ${fn.state} state`,
        true,
        timeout,
        environment,
      );
      const guest = needsGuestCredentials(root, fn.entry);
      wf.grantSecretRead(guest ? [vcenterSecretArn, ...guestSecretArns] : [vcenterSecretArn]);
      if (usesPermits(root, fn.entry)) permits.grantPermits(wf);
      if (usesHoldings(root, fn.entry)) permits.grantHoldings(wf);
      this.functions[fn.state] = wf;
    }

    this.releaseFunction = make(
      'ReleaseFunction',
      'lambdas/release/handler.ts',
      'Instant clone: release a lease (SendTaskSuccess) from an "Instant Clones Release" event',
      false,
      30,
      { POWERTOOLS_SERVICE_NAME: METRIC_SERVICE },
    );
    const reaper = config.schedules.reaper;
    this.reaperFunction = make(
      'ReaperFunction',
      'lambdas/reaper/handler.ts',
      'Instant clone: destroy clones whose lease expired',
      true,
      600,
      {
        ...environment,
        REAPER_MAX_PER_RUN: String(reaper.maxPerRun),
      },
    );
    this.reaperFunction.grantSecretRead([vcenterSecretArn]);
    this.allowPutEvents(this.reaperFunction.role);

    const substitutions: Record<string, string> = {};
    for (const fn of asl.functions)
      substitutions[fn.placeholder] = this.functions[fn.state]?.functionArn ?? '';
    if (asl.placeholders.includes(EVENT_BUS_PLACEHOLDER))
      substitutions[EVENT_BUS_PLACEHOLDER] = this.bus.eventBusName;
    this.substitutionKeys = Object.keys(substitutions).sort();

    const smLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${this.stackName}-instant-clone`,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Instant-clone fleets: clone frozen vSphere VMs, hand out their IPs, tear them down',
      definitionBody: sfn.DefinitionBody.fromString(asl.text),
      definitionSubstitutions: substitutions,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Execution data stays out of CloudWatch: inputs name hosts and IPs, history is already access-controlled.
      logs: { destination: smLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The ASL is JSON, not CDK chainables, so nothing is granted implicitly: invoke exactly our functions
    // (the unqualified ARNs the ASL uses, no `:*` versions) and put events on our bus only.
    const workflowArns = Object.values(this.functions).map((f) => f.functionArn);
    if (workflowArns.length > 0) {
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'InvokeWorkflowFunctions',
          actions: ['lambda:InvokeFunction'],
          resources: workflowArns,
        }),
      );
    }
    this.allowPutEvents(this.stateMachine.role);
    grantDistributedMap(this.stateMachine);

    this.releaseFunction.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReleaseLease',
        actions: ['states:SendTaskSuccess'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );

    const triggers = new Triggers(this, 'Triggers', {
      bus: this.bus,
      stateMachine: this.stateMachine,
      releaseFunction: this.releaseFunction.function,
      reaperFunction: this.reaperFunction.function,
      schedules: config.schedules,
    });

    new Observability(this, 'Observability', {
      stateMachine: this.stateMachine,
      functions: { ...this.functions, Release: this.releaseFunction, Reaper: this.reaperFunction },
      reaper: this.reaperFunction,
      deadLetterQueue: triggers.deadLetterQueue,
      config: config.observability,
      dashboardName: `${this.stackName}`,
      ...(this.network.vpnConnection === undefined ? {} : { vpnConnection: this.network.vpnConnection }),
    });

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) do not support resource-level permissions.',
    });
    Validations.of(triggers.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge rule and Scheduler targets.',
    });
  }

  /** ARN to grant on: complete ARNs as given; names get Secrets Manager's random 6-character suffix. */
  private secretArn(ref: string): string {
    if (ref.startsWith('arn:')) return ref;
    return Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${ref}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      this,
    );
  }

  private allowPutEvents(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PutEventsOnOwnBus',
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
      }),
    );
  }
}
