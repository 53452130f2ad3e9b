// The whole product in one stack: network placement, the Lambdas derived from the ASL, the state machine,
// triggers, the reaper and observability.
import {
  Arn,
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../lambdas/workflow/aws-names.js';
import { STATE_MACHINE_ARN_ENV } from '../lambdas/workflow/run-ref.js';
import { workflowConfigDocument } from '../lambdas/workflow/workflow-config-document.js';
import { lambdaTimeoutSeconds, MAX_LAMBDA_TIMEOUT_SECONDS } from '../statemachines/placeholders.js';
import { type AslDocument, EVENT_BUS_PLACEHOLDER } from './asl.js';
import type { DeployConfig } from './config.js';
import { grantDistributedMap } from './constructs/distributed-map-grants.js';
import { Network } from './constructs/network.js';
import { Observability } from './constructs/observability.js';
import { PermitTable } from './constructs/permit-table.js';
import {
  childrenWildcardFinding,
  executionsWildcardFinding,
  PipelineAccess,
} from './constructs/pipeline-access.js';
import { Triggers } from './constructs/triggers.js';
import { WorkflowFunction } from './constructs/workflow-function.js';
import { handlerNeeds } from './handler-needs.js';

export interface InstantCloneStackProps extends StackProps {
  readonly config: DeployConfig;
  readonly asl: AslDocument;
  /** Repository root. */
  readonly root: string;
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
  readonly startRunFunction: WorkflowFunction;
  readonly reaperFunction: WorkflowFunction;
  readonly teardownRunFunction: WorkflowFunction;
  readonly pipelineAccess: PipelineAccess;
  readonly stateMachine: sfn.StateMachine;
  /** The customer-managed key (config `kms`), if any. */
  readonly kmsKey?: kms.IKey;
  /** Exactly the `definitionSubstitutions` handed to the state machine. */
  readonly substitutionKeys: string[];

  constructor(scope: Construct, id: string, props: InstantCloneStackProps) {
    super(scope, id, props);
    const { config, asl, root } = props;
    const retention = config.observability.logRetentionDays as logs.RetentionDays;

    const logRemovalPolicy =
      config.observability.logRemoval === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.kmsKey = this.customerManagedKey(config.kms);
    const kmsKey = this.kmsKey;
    const logOptions = {
      retention,
      removalPolicy: logRemovalPolicy,
      ...(kmsKey ? { encryptionKey: kmsKey } : {}),
    };

    this.network = new Network(this, 'Network', {
      config: config.network,
      logRetention: retention,
      logRemovalPolicy,
      ...(kmsKey ? { kmsKey } : {}),
    });
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `${this.stackName}-events`,
      ...(kmsKey ? { kmsKey } : {}),
    });

    const vcenterSecretArn = this.secretArn(config.vcenter.secret);
    const sources = Object.values(config.sources);
    const guestSecretArns = [...new Set(sources.map((s) => this.secretArn(s.guestSecret)))];
    const smokeSecretArns = [
      ...new Set(sources.flatMap((s) => (s.smokeGuestSecret ? [this.secretArn(s.smokeGuestSecret)] : []))),
    ];

    // The document the handlers validate with lambdas/workflow/config.ts (ADR 0001), built by the same function
    // the local runner uses.
    const workflowConfig = (withPolicies: boolean): string =>
      JSON.stringify(
        workflowConfigDocument(
          {
            deploymentId: config.deploymentId ?? config.stackName,
            cloneFolders: config.cloneFolders,
            vcenter: {
              url: config.vcenter.url,
              insecure: config.vcenter.insecure,
              thumbprint: config.vcenter.thumbprint,
              secret: config.vcenter.secret,
            },
            sources: config.sources,
            defaults: config.defaults,
            throttle: config.throttle,
            requestPolicies: config.requestPolicies,
          },
          { withPolicies },
        ),
      );
    const environment = (withPolicies: boolean) => ({
      WORKFLOW_CONFIG: workflowConfig(withPolicies),
      EVENT_BUS_NAME: this.bus.eventBusName,
      POWERTOOLS_SERVICE_NAME: METRIC_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    });
    const inVpc = {
      vpc: this.network.vpc,
      subnets: this.network.subnets,
      securityGroup: this.network.functionSecurityGroup,
    };
    // The throttle's permits, the quota's holdings (ADR 0006) and the learned run times (ADR 0009); granted per
    // handler by its needs.ts.
    const permits = new PermitTable(this, 'Permits', { kmsKey });
    const make = (
      fnId: string,
      entry: string,
      description: string,
      timeoutSeconds: number,
      env: Record<string, string>,
    ): WorkflowFunction => {
      const bytes = Object.entries(env).reduce((n, [k, v]) => n + k.length + v.length, 0);
      if (bytes > MAX_ENVIRONMENT_BYTES - 512) {
        throw new Error(
          `${fnId}: Lambda environment would be ${bytes} bytes (limit 4 KB); shorten sources/paths/requestPolicies in the config`,
        );
      }
      // What the handler declares it needs decides its network placement and its secrets.
      const needs = handlerNeeds(root, entry);
      const fn = new WorkflowFunction(this, fnId, {
        root,
        entry,
        description,
        vsphere: needs.vcenter,
        ...(needs.vcenter ? { network: inVpc } : {}),
        logRetention: retention,
        logRemovalPolicy,
        ...(kmsKey ? { kmsKey } : {}),
        ...(config.vcenter.caBundlePath === undefined || !needs.vcenter
          ? {}
          : { caBundlePath: config.vcenter.caBundlePath }),
        timeout: Duration.seconds(Math.min(MAX_LAMBDA_TIMEOUT_SECONDS, timeoutSeconds)),
        environment: env,
        readsSecrets: needs.vcenter || needs.guest || needs.smokeGuest,
      });
      fn.grantSecretRead(
        [
          ...(needs.vcenter ? [vcenterSecretArn] : []),
          ...(needs.guest ? guestSecretArns : []),
          ...(needs.smokeGuest ? smokeSecretArns : []),
        ],
        kmsKey,
      );
      if (needs.permit) permits.grantPermits(fn);
      if (needs.holdings) permits.grantHoldings(fn);
      if (needs.runTimes) permits.grantRunTimes(fn);
      return fn;
    };

    for (const fn of asl.functions) {
      // The function gives up before its Task does (see lambdaTimeoutSeconds), so the ASL sees the handler's
      // named error rather than States.Timeout while the invocation is still running.
      const timeout =
        fn.taskTimeoutSeconds === undefined
          ? DEFAULT_TIMEOUT_SECONDS
          : lambdaTimeoutSeconds(fn.taskTimeoutSeconds);
      this.functions[fn.state] = make(
        `${fn.state}Function`,
        fn.entry,
        `Instant clone: ${fn.state} state`,
        timeout,
        environment(fn.state === 'ValidateRequest'),
      );
    }

    this.releaseFunction = make(
      'ReleaseFunction',
      'lambdas/release/handler.ts',
      'Instant clone: release a lease by run id (history, then SendTaskSuccess) from an "Instant Clones Release" event',
      30,
      { POWERTOOLS_SERVICE_NAME: METRIC_SERVICE },
    );
    this.startRunFunction = make(
      'StartRunFunction',
      'lambdas/start-run/handler.ts',
      'Instant clone: start one execution per "Instant Clones Requested" event (named after the event id)',
      30,
      { POWERTOOLS_SERVICE_NAME: METRIC_SERVICE },
    );
    const reaper = config.schedules.reaper;
    this.reaperFunction = make(
      'ReaperFunction',
      'lambdas/reaper/handler.ts',
      'Instant clone: destroy clones whose lease expired',
      600,
      {
        ...environment(false),
        REAPER_MAX_PER_RUN: String(reaper.maxPerRun),
      },
    );
    this.teardownRunFunction = make(
      'TeardownRunFunction',
      'lambdas/teardown-run/handler.ts',
      'Instant clone: tear down the clones of an execution that ended without its own teardown',
      MAX_LAMBDA_TIMEOUT_SECONDS,
      environment(false),
    );
    this.allowPutEvents(this.reaperFunction.role);

    const substitutions: Record<string, string> = {};
    for (const fn of asl.functions)
      substitutions[fn.placeholder] = this.functions[fn.state]?.functionArn ?? '';
    if (asl.placeholders.includes(EVENT_BUS_PLACEHOLDER))
      substitutions[EVENT_BUS_PLACEHOLDER] = this.bus.eventBusName;
    this.substitutionKeys = Object.keys(substitutions).sort();

    const smLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${this.stackName}-instant-clone`,
      ...logOptions,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Instant-clone fleets: clone frozen vSphere VMs, hand out their IPs, tear them down',
      definitionBody: sfn.DefinitionBody.fromString(asl.text),
      definitionSubstitutions: substitutions,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Execution data stays out of CloudWatch: inputs name hosts and IPs, history is already access-controlled.
      logs: { destination: smLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      ...(kmsKey ? { encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(kmsKey) } : {}),
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

    // AnnounceReady puts the Ready event itself (the Ready state is a lambda:invoke.waitForTaskToken).
    const announcer = this.functions.AnnounceReady;
    if (announcer) this.allowPutEvents(announcer.role);

    this.pipelineAccess = new PipelineAccess(this, 'PipelineAccess', {
      bus: this.bus,
      stateMachine: this.stateMachine,
      putEventsPrincipals: config.eventBus.putEventsPrincipals,
      publisherRoles: [
        this.stateMachine.role,
        this.reaperFunction.role,
        ...(announcer ? [announcer.role] : []),
      ],
    });
    const executions = this.pipelineAccess.executionsArn;
    // What a pipeline needs to know: `instant-clone --state-machine`, the bus for events, the policy to attach.
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'PipelinePolicyArn', { value: this.pipelineAccess.pipelinePolicy.managedPolicyArn });

    for (const fn of [this.releaseFunction, this.startRunFunction]) {
      fn.function.addEnvironment(STATE_MACHINE_ARN_ENV, this.stateMachine.stateMachineArn);
    }
    // Release by run id: find the run (ListExecutions for a non-keyed run id), read the Ready wait's token from
    // the history, answer it.
    this.releaseFunction.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReleaseLease',
        actions: ['states:SendTaskSuccess', 'states:ListExecutions'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );
    this.releaseFunction.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadReadyWait',
        actions: ['states:GetExecutionHistory'],
        resources: [executions],
      }),
    );
    this.startRunFunction.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartOneExecutionPerEvent',
        actions: ['states:StartExecution'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );
    for (const kind of ['mapRun', 'execution'] as const) {
      Validations.of(this.pipelineAccess.pipelinePolicy).acknowledge({
        id: childrenWildcardFinding(this, this.stateMachine, kind),
        reason:
          'The Distributed Map children of this one state machine: Step Functions names them (map run label and id) when they start.',
      });
    }
    for (const construct of [this.releaseFunction.role, this.pipelineAccess.pipelinePolicy]) {
      Validations.of(construct).acknowledge({
        id: executionsWildcardFinding(this, this.stateMachine),
        reason:
          'Executions of this one state machine, by name: run ids (and so execution names) are made per run, so they cannot be listed in advance.',
      });
    }

    const triggers = new Triggers(this, 'Triggers', {
      bus: this.bus,
      stateMachine: this.stateMachine,
      startRunFunction: this.startRunFunction.function,
      releaseFunction: this.releaseFunction.function,
      reaperFunction: this.reaperFunction.function,
      teardownRunFunction: this.teardownRunFunction.function,
      schedules: config.schedules,
      ...(kmsKey ? { kmsKey } : {}),
    });
    this.addEndpointPolicies(
      vcenterSecretArn,
      [...guestSecretArns, ...smokeSecretArns],
      permits.table.tableArn,
    );

    new Observability(this, 'Observability', {
      stateMachine: this.stateMachine,
      functions: {
        ...this.functions,
        Release: this.releaseFunction,
        StartRun: this.startRunFunction,
        Reaper: this.reaperFunction,
        TeardownRun: this.teardownRunFunction,
      },
      reaper: this.reaperFunction,
      deadLetterQueue: triggers.deadLetterQueue,
      config: config.observability,
      dashboardName: `${this.stackName}`,
      ...(this.network.vpnConnection === undefined ? {} : { vpnConnection: this.network.vpnConnection }),
    });

    Validations.of(this.stateMachine.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) do not support resource-level permissions.',
    });
    Validations.of(triggers.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge rule and Scheduler targets.',
    });
  }

  /**
   * The config's customer-managed key: created here (rotation on; the key policy lets CloudWatch Logs of this
   * account and region, EventBridge and Scheduler use it), or an existing one whose key policy the operator
   * maintains (docs/deploy.md).
   */
  private customerManagedKey(config: DeployConfig['kms']): kms.IKey | undefined {
    if (config === undefined) return undefined;
    if (config.mode === 'existing') return kms.Key.fromKeyArn(this, 'ExistingKey', config.keyArn);
    const key = new kms.Key(this, 'Key', {
      description: `${this.stackName}: logs, event bus, dead-letter queue, state machine`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisStack',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:*`,
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventDeliveryToTheDeadLetterQueue',
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('scheduler.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    return key;
  }

  /**
   * Interface endpoint policies: through this stack's endpoints only this account's principals, and only the
   * calls the functions make, on this stack's resources. Other services keep the default (full) policy.
   */
  private addEndpointPolicies(
    vcenterSecretArn: string,
    guestSecretArns: string[],
    permitTableArn: string,
  ): void {
    const endpoints = this.network.interfaceEndpoints;
    const allow = (endpoint: ec2.InterfaceVpcEndpoint | undefined, actions: string[], resources: string[]) =>
      endpoint?.addToPolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions,
          resources,
          conditions: { StringEquals: { 'aws:PrincipalAccount': this.account } },
        }),
      );
    allow(
      endpoints.secretsmanager,
      ['secretsmanager:GetSecretValue'],
      [vcenterSecretArn, ...guestSecretArns],
    );
    allow(
      endpoints.states,
      ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      [this.stateMachine.stateMachineArn],
    );
    allow(endpoints.events, ['events:PutEvents'], [this.bus.eventBusArn]);
    if (this.kmsKey !== undefined) allow(endpoints.kms, ['kms:Decrypt'], [this.kmsKey.keyArn]);
    // Only the throttle's and the learned run times' calls reach DynamoDB from the VPC (the quota's handlers run
    // outside it); each role's own policy narrows them further.
    this.network.dynamoDbEndpoint?.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [permitTableArn],
        conditions: { StringEquals: { 'aws:PrincipalAccount': this.account } },
      }),
    );
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
