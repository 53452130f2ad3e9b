import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { placeholdersOf } from '../../cdk/asl.js';
import { METRIC_NAMESPACE, METRICS } from '../../lambdas/workflow/aws-names.js';
import { parseConfig } from '../../lambdas/workflow/config.js';
import { workflowConfigDocument } from '../../lambdas/workflow/workflow-config-document.js';
import type { Json } from './helpers.js';
import { exampleConfig, type Synth, synthFixture, writeConfig } from './helpers.js';

type Resources = Record<string, { Type: string; Properties: Record<string, Json> }>;

/** CDK's AwsCustomResource provider (the DynamoDB prefix-list lookup, network.ts) is no workflow function. */
const CDK_PROVIDER = /^AWS679f53fac002430cb0da5b7982bd2287/;

function ofType(template: Template, type: string): Resources {
  const all = template.findResources(type) as Resources;
  return Object.fromEntries(Object.entries(all).filter(([id]) => !CDK_PROVIDER.test(id)));
}

function statements(template: Template): { policy: string; statement: Json }[] {
  return Object.entries(ofType(template, 'AWS::IAM::Policy')).flatMap(([policy, r]) =>
    (r.Properties.PolicyDocument.Statement as Json[]).map((statement) => ({ policy, statement })),
  );
}

function asList<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}

describe('InstantCloneStack (example config, fixture ASL)', () => {
  let s: Synth;
  let t: Template;
  beforeAll(() => {
    s = synthFixture();
    t = s.template;
  });

  it('one function per ASL placeholder plus release, start, reaper and run teardown, Node.js 22 arm64; only vCenter callers in the VPC', () => {
    const fns = Object.values(ofType(t, 'AWS::Lambda::Function'));
    expect(fns).toHaveLength(8);
    const inVpc: string[] = [];
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.MemorySize).toBe(1024);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
      if (fn.Properties.VpcConfig === undefined) continue;
      expect(fn.Properties.VpcConfig.SubnetIds).toHaveLength(2);
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toHaveLength(1);
      inVpc.push(fn.Properties.Description);
    }
    // The fixture's needs.ts files: InstantClone, Teardown and WaitForIp call vCenter, ValidateRequest does not;
    // lambdas/reaper and lambdas/release declare theirs.
    expect(inVpc.map((d) => d.replace(/^Instant clone: /, '').split(/[ :]/)[0]).sort()).toEqual([
      'InstantClone',
      'Teardown',
      'WaitForIp',
      'destroy',
      'tear',
    ]);
    expect(Object.keys(s.stack.functions).sort()).toEqual([
      'InstantClone',
      'Teardown',
      'ValidateRequest',
      'WaitForIp',
    ]);
  });

  it('Lambda timeouts end before the ASL Task timeouts (cold-start init plus a margin earlier)', () => {
    const byDescription = (d: string) =>
      Object.values(ofType(t, 'AWS::Lambda::Function')).find((f) => f.Properties.Description.includes(d));
    expect(byDescription('WaitForIp state')?.Properties.Timeout).toBe(225);
    expect(byDescription('InstantClone state')?.Properties.Timeout).toBe(285);
  });

  it("every function's WORKFLOW_CONFIG parses with the handlers' own schema, as they will read it", () => {
    const fns = Object.values(ofType(t, 'AWS::Lambda::Function'));
    const withConfig = fns.filter((f) => f.Properties.Environment.Variables.WORKFLOW_CONFIG !== undefined);
    expect(withConfig.length).toBe(fns.length - 2); // all but release and start
    for (const f of withConfig) {
      const text = f.Properties.Environment.Variables.WORKFLOW_CONFIG;
      // parseConfig throws InvalidConfig naming the first bad field; strict keys catch renamed fields too.
      const config = parseConfig(text);
      expect(Object.keys(JSON.parse(text).defaults).sort()).toEqual(Object.keys(config.defaults).sort());
      expect(Object.keys(config.sources).sort()).toEqual(
        Object.keys(exampleConfig().sources as object).sort(),
      );
      // The request policies go to ValidateRequest only, the one handler that applies them.
      expect(config.requestPolicies !== undefined).toBe(f.Properties.Description.includes('ValidateRequest'));
    }
  });

  it('builds WORKFLOW_CONFIG with the same function as the local runner, from the deployment config', () => {
    const deploy = exampleConfig() as Json;
    const fns = Object.values(ofType(t, 'AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment.Variables.WORKFLOW_CONFIG !== undefined,
    );
    const validate = fns.find((f) => f.Properties.Description.includes('ValidateRequest'));
    const expected = workflowConfigDocument(
      {
        deploymentId: (deploy.deploymentId ?? deploy.stackName ?? 'InstantCloneFleets') as string,
        cloneFolders: deploy.cloneFolders as string[] | undefined,
        vcenter: { ...(deploy.vcenter as { url: string; secret: string }), insecure: false },
        sources: deploy.sources as never,
        defaults: parseConfig(validate?.Properties.Environment.Variables.WORKFLOW_CONFIG).defaults,
        throttle: deploy.throttle as Record<string, unknown> | undefined,
        requestPolicies: JSON.parse(validate?.Properties.Environment.Variables.WORKFLOW_CONFIG)
          .requestPolicies,
      },
      { withPolicies: true },
    );
    expect(JSON.parse(validate?.Properties.Environment.Variables.WORKFLOW_CONFIG)).toEqual(
      JSON.parse(JSON.stringify(expected)),
    );
  });

  it('passes WORKFLOW_CONFIG with secret ids only, and the CA via NODE_EXTRA_CA_CERTS only when configured', () => {
    const fn = Object.values(ofType(t, 'AWS::Lambda::Function')).find((f) =>
      f.Properties.Description.includes('InstantClone state'),
    );
    const env = fn?.Properties.Environment.Variables;
    const config = JSON.parse(env.WORKFLOW_CONFIG);
    expect(config.vcenter).toEqual({
      url: 'https://vcenter.lab.example.com/sdk',
      insecure: false,
      secretId: 'instant-clone/vcenter',
    });
    expect(config.sources['windows-2022']).toMatchObject({
      os: 'windows',
      nicName: 'Ethernet0',
      guestSecretId: 'instant-clone/guest/windows',
    });
    expect(config.defaults.provisioningAllowanceMinutes).toBe(60);
    expect(env.NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(env.VSPHERE_WSDL_DIR).toBe('/var/task/wsdl');

    const withCa = synthFixture({
      configPath: writeConfig({
        ...exampleConfig(),
        vcenter: { ...(exampleConfig().vcenter as object), caBundlePath: 'test/fixtures/cdk/vcenter-ca.pem' },
      }),
    });
    const vars = Object.values(ofType(withCa.template, 'AWS::Lambda::Function')).map(
      (f) => f.Properties.Environment.Variables,
    );
    // Only the vCenter callers: InstantClone, Teardown, WaitForIp, the reaper and TeardownRun.
    expect(vars.filter((v) => v.NODE_EXTRA_CA_CERTS === '/var/task/vcenter-ca.pem')).toHaveLength(5);
  });

  it('new VPC: isolated subnets, no NAT/IGW, VPN with static routes, a PSK secret and IKE options per tunnel, flow logs', () => {
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.hasResourceProperties('AWS::EC2::CustomerGateway', { IpAddress: '203.0.113.10', Type: 'ipsec.1' });
    const [vpn] = Object.values(ofType(t, 'AWS::EC2::VPNConnection'));
    expect(vpn?.Properties.StaticRoutesOnly).toBe(true);
    const tunnels = vpn?.Properties.VpnTunnelOptionsSpecifications as Json[];
    expect(tunnels.map((o) => o.PreSharedKey)).toEqual([
      '{{resolve:secretsmanager:instant-clone/vpn-psk-1:SecretString:::}}',
      '{{resolve:secretsmanager:instant-clone/vpn-psk-2:SecretString:::}}',
    ]);
    for (const o of tunnels) {
      expect(o).toMatchObject({
        IKEVersions: [{ Value: 'ikev2' }],
        Phase1EncryptionAlgorithms: [{ Value: 'AES256-GCM-16' }],
        Phase2IntegrityAlgorithms: [{ Value: 'SHA2-384' }],
        Phase1DHGroupNumbers: [{ Value: 20 }],
      });
    }
    t.hasResourceProperties('AWS::EC2::VPNConnectionRoute', { DestinationCidrBlock: '10.20.0.0/16' });
    t.hasResourceProperties('AWS::EC2::VPNGatewayRoutePropagation', {});
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
  });

  it('interface endpoints for Secrets Manager, Step Functions and EventBridge, reachable only from the Lambdas', () => {
    const endpoints = Object.values(ofType(t, 'AWS::EC2::VPCEndpoint')).filter(
      (e) => e.Properties.VpcEndpointType === 'Interface',
    );
    const names = endpoints.map((e) => JSON.stringify(e.Properties.ServiceName));
    expect(names.some((n) => n.includes('secretsmanager'))).toBe(true);
    expect(names.some((n) => n.includes('states'))).toBe(true);
    expect(names.some((n) => n.includes('events'))).toBe(true);
    expect(endpoints).toHaveLength(3);
    for (const e of endpoints)
      expect(e.Properties).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
  });

  it("a DynamoDB gateway endpoint for the throttle and the learned run times: routes for the functions' subnets, PutItem/DeleteItem/Query/UpdateItem on the permit table only, HTTPS egress to its prefix list", () => {
    const gateways = Object.values(ofType(t, 'AWS::EC2::VPCEndpoint')).filter(
      (e) => e.Properties.VpcEndpointType === 'Gateway',
    );
    expect(gateways).toHaveLength(1);
    const gateway = gateways[0]?.Properties as Json;
    expect(JSON.stringify(gateway.ServiceName)).toContain('dynamodb');
    expect(gateway.RouteTableIds.length).toBeGreaterThan(0);
    const [statement, ...rest] = gateway.PolicyDocument.Statement;
    expect(rest).toEqual([]);
    expect([statement.Action].flat().sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statement.Resource)).toMatch(/PermitsTable/);
    expect(statement.Condition).toEqual({
      StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } },
    });
    const groups = ofType(t, 'AWS::EC2::SecurityGroup');
    const [fnSgId] =
      Object.entries(groups).find(([, g]) =>
        g.Properties.GroupDescription.startsWith('Instant-clone Lambdas'),
      ) ?? [];
    const toPrefixList = Object.values(ofType(t, 'AWS::EC2::SecurityGroupEgress')).filter(
      (r) => r.Properties.GroupId['Fn::GetAtt'][0] === fnSgId && r.Properties.DestinationPrefixListId,
    );
    const inline = ((groups[fnSgId ?? '']?.Properties.SecurityGroupEgress ?? []) as Json[]).filter(
      (r) => r.DestinationPrefixListId,
    );
    const rules = [...toPrefixList.map((r) => r.Properties), ...inline];
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(JSON.stringify(rules[0]?.DestinationPrefixListId)).toMatch(/DynamoDbPrefixList/);
  });

  it('function security group: egress only 443 to vCenter, ESXi and the endpoint security group', () => {
    const groups = ofType(t, 'AWS::EC2::SecurityGroup');
    const [fnSgId, fnSg] =
      Object.entries(groups).find(([, g]) =>
        g.Properties.GroupDescription.startsWith('Instant-clone Lambdas'),
      ) ?? [];
    expect(fnSg).toBeDefined();
    const cidrEgress = fnSg?.Properties.SecurityGroupEgress as Json[];
    expect(cidrEgress.map((r) => [r.CidrIp, r.IpProtocol, r.FromPort, r.ToPort]).sort()).toEqual([
      ['10.20.0.10/32', 'tcp', 443, 443],
      ['10.20.1.0/24', 'tcp', 443, 443],
    ]);
    const sgEgress = Object.values(ofType(t, 'AWS::EC2::SecurityGroupEgress')).filter(
      (r) => r.Properties.GroupId['Fn::GetAtt'][0] === fnSgId && !r.Properties.DestinationPrefixListId,
    );
    expect(sgEgress).toHaveLength(1);
    expect(sgEgress[0]?.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(sgEgress[0]?.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0]).toMatch(
      /EndpointSecurityGroup/,
    );
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [fnSgId, 'GroupId'] },
    });
    // No rule anywhere opens egress to the world.
    expect(JSON.stringify(t.toJSON())).not.toContain('0.0.0.0/0');
  });

  it('existing VPC mode: Vpc.fromLookup, subnet group, existing endpoint security groups', () => {
    const config = exampleConfig() as Json;
    config.env = { account: '111122223333', region: 'eu-central-1' };
    config.network.vpc = { mode: 'existing', vpcId: 'vpc-0123456789abcdef0', subnetGroupName: 'Private' };
    config.network.endpoints = { mode: 'existing', securityGroupIds: ['sg-0123456789abcdef0'] };
    const existing = synthFixture({ configPath: writeConfig(config) });
    existing.template.resourceCountIs('AWS::EC2::VPC', 0);
    existing.template.resourceCountIs('AWS::EC2::VPNConnection', 0);
    existing.template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    existing.template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      DestinationSecurityGroupId: 'sg-0123456789abcdef0',
      FromPort: 443,
    });
  });

  it('the functions that read secrets, and only they, ask the AWS Parameters and Secrets extension (layer, 5-minute cache)', () => {
    const fns = Object.entries(ofType(t, 'AWS::Lambda::Function'));
    const secretReaders = new Set(
      statements(t)
        .filter(({ statement }) => asList(statement.Action).includes('secretsmanager:GetSecretValue'))
        .map(({ policy }) => policy.replace(/Function.*$/, '')),
    );
    expect(secretReaders.size).toBeGreaterThan(0);
    // Region-agnostic stack: the layer ARN comes from CDK's per-region map of AWS's published layer (arm64).
    const map = (t.toJSON().Mappings?.ParamsandsecretslayerMap ?? {}) as Record<
      string,
      Record<string, string>
    >;
    expect(map['eu-central-1']?.['1x0x103xarm64']).toMatch(
      /^arn:aws:lambda:eu-central-1:\d+:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/,
    );
    for (const [id, fn] of fns) {
      const layers = JSON.stringify(fn.Properties.Layers ?? []);
      const env = fn.Properties.Environment?.Variables ?? {};
      if (secretReaders.has(id.replace(/Function.*$/, ''))) {
        expect(layers, id).toBe(
          '[{"Fn::FindInMap":["ParamsandsecretslayerMap",{"Ref":"AWS::Region"},"1x0x103xarm64"]}]',
        );
        expect(env.SECRETS_MANAGER_TTL, id).toBe('300');
        expect(env.PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED, id).toBe('true');
      } else {
        expect(layers, id).not.toMatch(/Paramsandsecrets/);
      }
    }
  });

  it('secrets: only GetSecretValue, only on the configured secrets, guest secrets only where guest ops run', () => {
    const secretStatements = statements(t).filter(({ statement }) =>
      asList(statement.Action).some((a: string) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements.length).toBeGreaterThan(0);
    for (const { statement } of secretStatements) {
      expect(statement.Action).toBe('secretsmanager:GetSecretValue');
      for (const r of asList(statement.Resource)) {
        const text = JSON.stringify(r);
        expect(text).not.toContain('*');
        expect(text).toMatch(
          /secret:instant-clone\/(vcenter|guest\/linux|guest\/linux-smoke|guest\/windows)-\?\?\?\?\?\?/,
        );
      }
    }
    const holders = (pattern: RegExp) =>
      secretStatements
        .filter(({ statement }) => pattern.test(JSON.stringify(statement.Resource)))
        .map((p) => p.policy.replace(/Function.*$/, ''))
        .sort();
    // As the handlers declare in needs.ts: vCenter only for vCenter callers, guest and smoke accounts only
    // where guest operations run; ValidateRequest and Release read no secret at all.
    expect(holders(/instant-clone\/vcenter/)).toEqual([
      'InstantClone',
      'Reaper',
      'Teardown',
      'TeardownRun',
      'WaitForIp',
    ]);
    expect(holders(/guest\/linux-/)).toEqual(['WaitForIp']);
    expect(holders(/guest\/linux-smoke/)).toEqual(['WaitForIp']);
    const vpcStatements = statements(t).filter(({ statement }) =>
      asList(statement.Action).includes('ec2:CreateNetworkInterface'),
    );
    expect(vpcStatements.map((p) => p.policy.replace(/Function.*$/, '')).sort()).toEqual([
      'InstantClone',
      'Reaper',
      'Teardown',
      'TeardownRun',
      'WaitForIp',
    ]);
  });

  it('no wildcard resource where a specific ARN exists', () => {
    for (const { policy, statement } of statements(t)) {
      const resources = asList(statement.Resource).map((r) => JSON.stringify(r));
      const wildcard = resources.filter((r) => r.includes('*'));
      if (wildcard.length === 0) continue;
      const actions = asList(statement.Action) as string[];
      // Only services without resource-level permissions, Function.grantInvoke's `:*` on the reaper, and the
      // release function reading the history of this state machine's executions (named per run), and the
      // Distributed Map children of the state machine (names chosen by Step Functions).
      const allowed =
        actions.every((a) => /^(ec2|xray|logs):/.test(a)) ||
        (policy.startsWith('TriggersReaperScheduleRole') && actions.includes('lambda:InvokeFunction')) ||
        (policy.startsWith('ReleaseFunction') &&
          actions.join() === 'states:GetExecutionHistory' &&
          resources.every((r) => r.includes(':execution:') && r.includes('StateMachine'))) ||
        (policy.startsWith('StateMachineDistributedMapPolicy') &&
          actions.every((a) => a === 'states:DescribeExecution' || a === 'states:StopExecution') &&
          wildcard.every((r) => r.includes(':execution:') && r.includes('"/*"')));
      expect({ policy, actions, allowed }).toEqual({ policy, actions, allowed: true });
    }
  });

  it('state machine: Standard, from the ASL with substitutions, logging ALL without execution data, X-Ray', () => {
    const [sm] = Object.values(ofType(t, 'AWS::StepFunctions::StateMachine'));
    expect(sm?.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    const keys = Object.keys(sm?.Properties.DefinitionSubstitutions).sort();
    expect(keys).toEqual(s.stack.substitutionKeys);
    expect(sm?.Properties.DefinitionString).toContain(['${', 'WaitForIpFunctionArn}'].join(''));
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/states/InstantCloneFleets-instant-clone',
      RetentionInDays: 30,
    });
  });

  it('the ASL placeholder set equals the substitution keys', () => {
    const [sm] = Object.values(ofType(t, 'AWS::StepFunctions::StateMachine'));
    const text = sm?.Properties.DefinitionString as string;
    expect(placeholdersOf(text)).toEqual(Object.keys(sm?.Properties.DefinitionSubstitutions).sort());
  });

  it('state machine role: invoke exactly the workflow functions (no :*), PutEvents on our bus only', () => {
    const smPolicy = statements(t).filter(({ policy }) => policy.startsWith('StateMachineRole'));
    const invoke = smPolicy.find(({ statement }) => statement.Action === 'lambda:InvokeFunction')?.statement;
    const arns = asList(invoke.Resource)
      .map((r: Json) => r['Fn::GetAtt'][0])
      .sort();
    expect(arns).toHaveLength(4);
    expect(
      arns.every((a: string) => /^(InstantClone|Teardown|ValidateRequest|WaitForIp)Function/.test(a)),
    ).toBe(true);
    const put = smPolicy.find(({ statement }) => statement.Action === 'events:PutEvents')?.statement;
    expect(put.Resource['Fn::GetAtt'][1]).toBe('Arn');
    expect(put.Resource['Fn::GetAtt'][0]).toMatch(/^Bus/);
  });

  it('rules: Requested → start function, Release → release function, both with DLQ and retries', () => {
    const target = (fn: RegExp) =>
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp(fn.source), 'Arn'] },
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
      });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['Instant Clones Requested'] },
      Targets: [target(/^StartRunFunction/)],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['Instant Clones Release'] },
      Targets: [target(/^ReleaseFunction/)],
    });
    const grants = (action: string) =>
      statements(t).filter(({ statement }) => asList(statement.Action).includes(action));
    expect(grants('states:SendTaskSuccess').map((g) => g.policy)).toEqual([
      expect.stringMatching(/^ReleaseFunction/),
    ]);
    expect(grants('states:SendTaskSuccess')[0]?.statement.Resource.Ref).toMatch(/^StateMachine/);
    expect(grants('states:GetExecutionHistory').map((g) => g.policy)).toEqual([
      expect.stringMatching(/^ReleaseFunction/),
    ]);
    // Events reach the state machine only through the start function (the nightly schedule starts it directly,
    // and the state machine its own Distributed Map children).
    const start = grants('states:StartExecution').filter(
      (g) =>
        !/^(SchedulerRoleForTarget|TriggersNightlyFleetRole|StateMachineDistributedMapPolicy)/.test(g.policy),
    );
    expect(start.map((g) => g.policy)).toEqual([expect.stringMatching(/^StartRunFunction/)]);
    expect(start[0]?.statement.Action).toBe('states:StartExecution');
    expect(start[0]?.statement.Resource.Ref).toMatch(/^StateMachine/);
    for (const fn of Object.values(ofType(t, 'AWS::Lambda::Function')).filter((f) =>
      /Release a lease|start one execution/i.test(f.Properties.Description),
    )) {
      expect(fn.Properties.Environment.Variables.INSTANT_CLONE_STATE_MACHINE_ARN.Ref).toMatch(
        /^StateMachine/,
      );
    }
    t.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
  });

  it('an event the release or start function rejects reaches the DLQ too (Lambda async on-failure destination)', () => {
    const [dlqId] = Object.keys(ofType(t, 'AWS::SQS::Queue'));
    const configs = Object.values(ofType(t, 'AWS::Lambda::EventInvokeConfig'));
    for (const fn of [/^ReleaseFunction/, /^StartRunFunction/]) {
      const config = configs.find((c) => fn.test(c.Properties.FunctionName.Ref));
      expect(config?.Properties.DestinationConfig.OnFailure.Destination).toEqual({
        'Fn::GetAtt': [dlqId, 'Arn'],
      });
    }
    const release = configs.find((c) => /^ReleaseFunction/.test(c.Properties.FunctionName.Ref));
    expect(release).toBeDefined();
    const send = statements(t).find(
      ({ policy, statement }) =>
        policy.startsWith('ReleaseFunction') && asList(statement.Action).includes('sqs:SendMessage'),
    );
    expect(send?.statement.Resource).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
  });

  it('schedules: nightly fleet (cron, time zone, input from config) and the reaper rate', () => {
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Target: Match.objectLike({
        Input: Match.serializedJson(
          Match.objectLike({ requesterId: 'nightly-fleet', namePrefix: 'nightly' }),
        ),
        DeadLetterConfig: Match.anyValue(),
      }),
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 minutes)',
      State: 'ENABLED',
    });
    const reaper = Object.values(ofType(t, 'AWS::Lambda::Function')).find((f) =>
      f.Properties.Description.includes('lease expired'),
    );
    expect(reaper?.Properties.Environment.Variables.REAPER_MAX_PER_RUN).toBe('25');
  });

  it('log groups have retention; function logs are JSON', () => {
    for (const g of Object.values(ofType(t, 'AWS::Logs::LogGroup')))
      expect(g.Properties.RetentionInDays).toBe(30);
    for (const fn of Object.values(ofType(t, 'AWS::Lambda::Function'))) {
      expect(fn.Properties.LoggingConfig.LogFormat).toBe('JSON');
    }
  });

  it('alarms on failures, time-outs, reaped clones, DLQ and slow phases; a dashboard on the EMF metrics', () => {
    const alarms = Object.values(ofType(t, 'AWS::CloudWatch::Alarm'));
    const metricNames = alarms.map((a) => a.Properties.MetricName);
    expect(metricNames).toEqual(
      expect.arrayContaining([
        'ExecutionsFailed',
        'ExecutionsTimedOut',
        METRICS.clonesReaped,
        METRICS.reapFailures,
        METRICS.clonePhaseMs,
        METRICS.ipPhaseMs,
        'ApproximateNumberOfMessagesVisible',
        'Errors',
      ]),
    );
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/VPN',
      MetricName: 'TunnelState',
      ComparisonOperator: 'LessThanThreshold',
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.ipPhaseMs,
      ExtendedStatistic: 'p90',
      Threshold: 60000,
    });
    const [dashboard] = Object.values(ofType(t, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const m of [METRICS.clonePhaseMs, METRICS.ipPhaseMs, METRICS.guestOpRetries, METRICS.clonesReaped])
      expect(body).toContain(m);
  });
});
