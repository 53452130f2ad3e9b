// One construct owns how every Lambda of the product is built and run, so the runtime, bundling, network
// placement and logging cannot drift between functions.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_BUNDLE, HANDLER_NODE_OPTIONS, handlerEsbuildArgs } from './handler-bundle.js';

/** Where the Lambda runtime unpacks the bundle. */
const TASK_ROOT = '/var/task';
/** File name of the vCenter CA bundle inside the bundle (NODE_EXTRA_CA_CERTS points here). */
const CA_BUNDLE_FILE = 'vcenter-ca.pem';
/** Directory of the trimmed vim25 WSDL inside the bundle. */
const WSDL_DIR = 'wsdl';
const WSDL_SOURCE = 'lambdas/vsphere/wsdl';

export interface WorkflowFunctionProps {
  /** Repository root (entries and copied files resolve against it). */
  readonly root: string;
  /** Handler entry relative to root, e.g. lambdas/wait-for-ip/handler.ts. */
  readonly entry: string;
  readonly description: string;
  /** Only functions that call vCenter/ESXi run in the VPC, with the security group that reaches them. */
  readonly network?: {
    readonly vpc: ec2.IVpc;
    readonly subnets: ec2.SubnetSelection;
    readonly securityGroup: ec2.ISecurityGroup;
  };
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Customer-managed key for the function's log group. */
  readonly kmsKey?: kms.IKey;
  /** Talks to vCenter: ship the WSDL and the CA bundle. */
  readonly vsphere: boolean;
  /** CA bundle (PEM) path relative to root; trusted through NODE_EXTRA_CA_CERTS. */
  readonly caBundlePath?: string;
  /** @default 1024 — CPU scales with memory, and WSDL parsing plus TLS dominate cold starts. */
  readonly memorySize?: number;
  /**
   * Reads secrets (vCenter or guest accounts): add the AWS Parameters and Secrets Lambda Extension, which the
   * handler asks over HTTP on localhost instead of loading the Secrets Manager client (ADR 0010).
   */
  readonly readsSecrets?: boolean;
}

/**
 * The extension as the functions use it: secrets cached for 5 minutes (its maximum), so a rotated password is
 * picked up within that time; only warnings and errors in the function's log.
 */
export function paramsAndSecretsExtension(): lambda.ParamsAndSecretsLayerVersion {
  return lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
    cacheEnabled: true,
    secretsManagerTtl: Duration.minutes(5),
    logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
  });
}

export class WorkflowFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowFunctionProps) {
    super(scope, id);
    const entry = resolve(props.root, props.entry);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
      ...(props.kmsKey === undefined ? {} : { encryptionKey: props.kmsKey }),
    });

    // Own role instead of the AWS managed Lambda policies: logs only to this function's group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.network !== undefined) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'LambdaVpcNetworkInterfaces',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }

    const environment: Record<string, string> = {
      ...(HANDLER_NODE_OPTIONS ? { NODE_OPTIONS: HANDLER_NODE_OPTIONS } : {}),
      ...props.environment,
    };
    const copies: string[] = [];
    if (props.vsphere) {
      environment.VSPHERE_WSDL_DIR = `${TASK_ROOT}/${WSDL_DIR}`;
      copies.push(`mkdir -p "{out}/${WSDL_DIR}"`, `cp -R "{in}/${WSDL_SOURCE}/." "{out}/${WSDL_DIR}/"`);
      if (props.caBundlePath !== undefined) {
        // Node reads NODE_EXTRA_CA_CERTS only at process start, so it must be a Lambda env var, not code.
        environment.NODE_EXTRA_CA_CERTS = `${TASK_ROOT}/${CA_BUNDLE_FILE}`;
        copies.push(`cp "{in}/${props.caBundlePath}" "{out}/${CA_BUNDLE_FILE}"`);
      }
    }

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.network === undefined
        ? {}
        : {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: [props.network.securityGroup],
          }),
      environment,
      ...(props.readsSecrets ? { paramsAndSecrets: paramsAndSecretsExtension() } : {}),
      depsLockFilePath: resolve(props.root, 'package-lock.json'),
      projectRoot: props.root,
      bundling: {
        // The same settings the bench and the bundle tests build with (./handler-bundle.ts).
        format: nodejs.OutputFormat.ESM,
        mainFields: [...HANDLER_BUNDLE.mainFields],
        target: HANDLER_BUNDLE.target,
        minify: HANDLER_BUNDLE.minify,
        sourceMap: true,
        sourcesContent: false,
        // Bundled rather than the runtime's copy: a pinned version, and faster to load (README, Benchmarks).
        bundleAwsSDK: true,
        banner: HANDLER_BUNDLE.banner,
        esbuildArgs: handlerEsbuildArgs(),
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string): string[] =>
            copies.map((c) => c.replaceAll('{in}', inputDir).replaceAll('{out}', outputDir)),
        },
      },
    });

    if (props.vsphere && !existsSync(resolve(props.root, WSDL_SOURCE))) {
      // Synth without bundling (tests) still works; a real bundle would miss the WSDL.
      Validations.of(this).addWarning(
        'MissingWsdl',
        `${WSDL_SOURCE} does not exist yet; bundles of ${props.entry} would not contain the vim25 WSDL`,
      );
    }

    // Acknowledged on the resource each finding is about: the role's policy and the function.
    const policy = this.role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        props.network === undefined
          ? 'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) does not support resource-level permissions.'
          : 'Lambda VPC networking (ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DescribeSubnets, DeleteNetworkInterface, Assign/UnassignPrivateIpAddresses) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) do not support resource-level permissions.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the code base, middy v7 and the dev toolchain target Node.js 22 (supported by Lambda until 2027-04-30); the runtime moves with the pinned dev Node.',
    });
  }

  /**
   * Allows GetSecretValue on exactly these secrets (no DescribeSecret, no wildcard), and with a customer-managed
   * key kms:Decrypt on it only through Secrets Manager. The extension calls GetSecretValue with this role.
   */
  grantSecretRead(secretArns: string[], kmsKey?: kms.IKey): void {
    if (secretArns.length === 0) return;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCredentials',
        actions: ['secretsmanager:GetSecretValue'],
        resources: secretArns,
      }),
    );
    if (kmsKey === undefined) return;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptCredentials',
        actions: ['kms:Decrypt'],
        resources: [kmsKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }

  get functionArn(): string {
    return this.function.functionArn;
  }
}
