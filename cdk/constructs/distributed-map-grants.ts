// What a state machine with Distributed Map states needs of its own role (docs/adr/0005-fleet-fan-out.md):
// start child executions of itself, and describe and stop them (the Map Run stops its children when it fails
// or is stopped). The ASL is a JSON document, so CDK adds none of this on its own. An inline Policy of its own,
// as CDK's DistributedMap does, because the role's default policy cannot name the state machine's ARN: the
// state machine depends on that policy.
import { Arn, ArnFormat, type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';

export function grantDistributedMap(stateMachine: sfn.StateMachine): iam.Policy {
  const stack = Stack.of(stateMachine);
  const name = Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  const executions = (suffix: string) =>
    stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${name}${suffix}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  const policy = new iam.Policy(stateMachine, 'DistributedMapPolicy', {
    statements: [
      new iam.PolicyStatement({
        sid: 'StartChildExecutions',
        actions: ['states:StartExecution'],
        resources: [stateMachine.stateMachineArn],
      }),
      new iam.PolicyStatement({
        sid: 'ManageChildExecutions',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        // children are `execution:<name>/<map run label>:<id>`
        resources: [executions('/*')],
      }),
    ],
  });
  stateMachine.role.attachInlinePolicy(policy);
  // cdk-nag names the finding after the resource as it renders it: pseudo parameters as <AWS::…>, the
  // state machine's name as the intrinsic that extracts it from the ARN.
  const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
  const logicalId = stack.getLogicalId(stateMachine.node.defaultChild as CfnElement);
  const nameExpr = JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalId }] }] });
  Validations.of(policy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:execution:${nameExpr}/*]`,
    reason:
      'Distributed Map child executions get names chosen by Step Functions (map run label and id); the grant is limited to executions of this one state machine.',
  });
  return policy;
}
