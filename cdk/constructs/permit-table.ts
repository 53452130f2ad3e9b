// The vCenter-wide throttle's permit table (docs/adr/0003-vcenter-throttle.md): one item per (vCenter#kind,
// slot), taken and given back with conditional writes by the handlers that declare `permit:` in
// workflowHandler. Only those functions may touch it, and only with the two calls they make.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PERMIT_TTL_ATTRIBUTE } from '../../lambdas/workflow/throttle-table.js';
import type { WorkflowFunction } from './workflow-function.js';

const PERMIT_OPTION = /workflowHandler\(\s*\{[^}]*\bpermit:\s*'/;
const HOLDINGS_IMPORT = /from '\.\.\/workflow\/holdings\.js'/;

/** True when the handler at `entry` reads or writes the requesters' reservations (imports holdings.js). */
export function usesHoldings(root: string, entry: string): boolean {
  const file = resolve(root, entry);
  return existsSync(file) && HOLDINGS_IMPORT.test(readFileSync(file, 'utf8'));
}

/** True when the handler at `entry` runs under the throttle (declares `permit:` in workflowHandler). */
export function usesPermits(root: string, entry: string): boolean {
  const file = resolve(root, entry);
  return existsSync(file) && PERMIT_OPTION.test(readFileSync(file, 'utf8'));
}

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
