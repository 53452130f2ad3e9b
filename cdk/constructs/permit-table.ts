// The vCenter-wide throttle's permit table (docs/adr/0006-vcenter-throttle.md): one item per (vCenter#kind,
// slot), taken and given back with conditional writes by the handlers whose needs.ts declares a `permit`, and one
// item per requester with its runs' reservations (the quota) for those that declare `holdings`, and one item per
// kind of wait with its learned run times (`runtimes#<vCenter host>`, ADR 0009) for those that declare
// `runTimes`. Only those functions may touch it, and only with the calls they make.
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { RUN_TIMES_KEY_PREFIX } from '../../lambdas/workflow/run-time-keys.js';
import { PERMIT_TTL_ATTRIBUTE } from '../../lambdas/workflow/throttle-table.js';
import type { WorkflowFunction } from './workflow-function.js';

export interface PermitTableProps {
  /** the deployment's customer-managed key (config `kms`); absent: DynamoDB's own key */
  kmsKey?: kms.IKey | undefined;
}

export class PermitTable extends Construct {
  readonly table: dynamodb.Table;
  private readonly kmsKey: kms.IKey | undefined;
  private readonly keyGranted = new WeakSet<WorkflowFunction>();

  constructor(scope: Construct, id: string, props: PermitTableProps = {}) {
    super(scope, id);
    this.kmsKey = props.kmsKey;
    // Table, not TableV2: a TableV2 with a customer-managed key needs a region-bound stack, and this one is not.
    this.table = new dynamodb.Table(this, 'Table', {
      ...(props.kmsKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.kmsKey }
        : {}),
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
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
    this.grantTableKey(fn);
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
    this.grantTableKey(fn);
  }

  /**
   * Lets a workflow function load and append learned run times: Query and UpdateItem on the run-time items only
   * (their partition keys start with RUN_TIMES_KEY_PREFIX), so it can neither read nor touch a permit.
   */
  grantRunTimes(fn: WorkflowFunction): void {
    fn.function.addEnvironment('PERMIT_TABLE_NAME', this.table.tableName);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LearnedRunTimes',
        actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RUN_TIMES_KEY_PREFIX}*`] },
        },
      }),
    );
    this.grantTableKey(fn);
  }

  /** With a customer-managed key, the item calls need it too, and only through DynamoDB. */
  private grantTableKey(fn: WorkflowFunction): void {
    if (!this.kmsKey || this.keyGranted.has(fn)) return;
    this.keyGranted.add(fn);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PermitTableKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.kmsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}
