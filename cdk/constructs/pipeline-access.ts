// Who may talk to the stack from a pipeline, and how: the bus's resource policy (ADR 0004) and the managed
// policy a pipeline role attaches to run the `instant-clone` CLI (least privilege for its calls).
import { Arn, ArnFormat, type CfnElement, Stack, Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambdas/workflow/aws-names.js';

export interface PipelineAccessProps {
  readonly bus: events.EventBus;
  readonly stateMachine: sfn.StateMachine;
  /** From the deployment config: role/user ARNs or account ids allowed to put events. */
  readonly putEventsPrincipals: string[];
  /** The stack's own roles that put events with the stack's source (state machine, AnnounceReady, reaper). */
  readonly publisherRoles: iam.IRole[];
}

export class PipelineAccess extends Construct {
  readonly pipelinePolicy: iam.ManagedPolicy;
  /** `arn:…:execution:<state machine name>:*`: every execution of this state machine. */
  readonly executionsArn: string;
  private readonly stateMachineName: string;

  constructor(scope: Construct, id: string, props: PipelineAccessProps) {
    super(scope, id);
    this.stateMachineName = props.stateMachine.stateMachineName;
    const stack = Stack.of(this);
    const busArn = props.bus.eventBusArn;
    const publishers = props.publisherRoles.map((r) => r.roleArn);
    // aws:PrincipalArn of a role session is the role's ARN; an account id stands for any principal in it.
    const principalPatterns = props.putEventsPrincipals.map((p) =>
      /^\d{12}$/.test(p) ? `arn:${stack.partition}:iam::${p}:*` : p,
    );

    // Other accounts need an Allow here; principals of this account still need events:PutEvents in IAM.
    const crossAccount = props.putEventsPrincipals.filter(
      (p) => /^\d{12}$/.test(p) || !p.includes(`:${stack.account}:`),
    );
    if (crossAccount.length > 0) {
      props.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ConfiguredPipelinesMayPutEvents',
          principals: crossAccount.map((p) =>
            /^\d{12}$/.test(p) ? new iam.AccountPrincipal(p) : new iam.ArnPrincipal(p),
          ),
          actions: ['events:PutEvents'],
          resources: [busArn],
        }),
      );
    }
    props.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyConfiguredPrincipalsPutEvents',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [busArn],
        conditions: { ArnNotLike: { 'aws:PrincipalArn': [...principalPatterns, ...publishers] } },
      }),
    );
    props.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheStackPutsItsOwnSource',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [busArn],
        conditions: {
          StringEquals: { 'events:source': EVENT_SOURCE },
          ArnNotEquals: { 'aws:PrincipalArn': publishers },
        },
      }),
    );

    this.executionsArn = Arn.format(
      {
        service: 'states',
        resource: 'execution',
        resourceName: `${props.stateMachine.stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      stack,
    );
    this.pipelinePolicy = new iam.ManagedPolicy(this, 'PipelinePolicy', {
      description:
        'Attach to a CI pipeline role: the instant-clone CLI (acquire, status, list, extend, release, fleet) and Requested/Release events',
      statements: [
        new iam.PolicyStatement({
          sid: 'StartListAndAnswerRuns',
          actions: [
            'states:StartExecution',
            'states:ListExecutions',
            'states:SendTaskSuccess',
            'states:SendTaskFailure',
            'states:SendTaskHeartbeat',
          ],
          resources: [props.stateMachine.stateMachineArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadAndStopRuns',
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'],
          resources: [this.executionsArn],
        }),
        // `instant-clone fleet` and progress read the clones in the fan-out's child executions (ADR 0005):
        // the Map Runs' children by ListExecutions(mapRunArn), then their histories.
        new iam.PolicyStatement({
          sid: 'FollowFanOutChildren',
          actions: ['states:ListExecutions'],
          resources: [this.childrenArn('mapRun')],
        }),
        new iam.PolicyStatement({
          sid: 'ReadFanOutChildren',
          actions: ['states:GetExecutionHistory'],
          resources: [this.childrenArn('execution')],
        }),
        new iam.PolicyStatement({
          sid: 'PutPipelineEvents',
          actions: ['events:PutEvents'],
          resources: [busArn],
        }),
      ],
    });
  }

  /** Map Runs (`mapRun`) or child executions (`execution`) of this state machine's Distributed Maps. */
  childrenArn(kind: 'mapRun' | 'execution'): string {
    return Arn.format(
      {
        service: 'states',
        resource: kind,
        resourceName: `${this.stateMachineName}/*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
  }
}

/** cdk-nag's id for a grant on `PipelineAccess.childrenArn(kind)` (a Map Run or a child execution). */
export function childrenWildcardFinding(
  stack: Stack,
  stateMachine: sfn.StateMachine,
  kind: 'mapRun' | 'execution',
): string {
  const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
  const logicalId = stack.getLogicalId(stateMachine.node.defaultChild as CfnElement);
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:${kind}:<${logicalId}.Name>/*]`;
}

/** cdk-nag's id for a grant on `executionsArn` (IAM5 renders tokens as `<AWS::Region>`, `<Logical.Name>`). */
export function executionsWildcardFinding(stack: Stack, stateMachine: sfn.StateMachine): string {
  const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
  const logicalId = stack.getLogicalId(stateMachine.node.defaultChild as CfnElement);
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:execution:<${logicalId}.Name>:*]`;
}
