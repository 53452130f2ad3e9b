// The vCenter-wide throttle's permit table (docs/adr/0006-vcenter-throttle.md): one item per (vCenter#kind,
// slot), taken and given back with conditional writes by the handlers whose needs.ts declares a `permit`, and one
// item per requester with its runs' reservations (the quota) for those that declare `holdings`. Only those
// functions may touch it, and only with the calls they make.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PERMIT_TTL_ATTRIBUTE } from '../../lambdas/workflow/throttle-table.js';
import type { WorkflowFunction } from './workflow-function.js';

export class PermitTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: PERMIT_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Permits are leases of seconds to minutes: nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** Lets a workflow function read and write its requesters' reservations (the quota), conditionally. */
  grantHoldings(fn: WorkflowFunction): void {
    fn.function.addEnvironment('PERMIT_TABLE_NAME', this.table.tableName);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QuotaHoldings',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.table.tableArn],
      }),
    );
  }

  /** Lets a workflow function take and give back permits, and tells it the table's name. */
  grantPermits(fn: WorkflowFunction): void {
    fn.function.addEnvironment('PERMIT_TABLE_NAME', this.table.tableName);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ThrottlePermits',
        actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
      }),
    );
  }
}
