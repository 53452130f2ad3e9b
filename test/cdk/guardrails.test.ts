// Issue "guard rails" at synth level: insecure needs a context flag, request policies and VPN routes are
// checked, service roles carry confused-deputy conditions, endpoints have policies, the optional KMS key,
// log retention and the Route 53 Resolver pieces are where they belong, and cdk-nag acknowledgments sit on
// the resource they are about.
import { CfnResource, Resource, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../cdk/config.js';
import type { Json } from './helpers.js';
import { exampleConfig, synthFixture, writeConfig } from './helpers.js';

type Resources = Record<string, { Type: string; Properties: Json; DeletionPolicy?: string }>;
/** CDK's AwsCustomResource provider (the DynamoDB prefix-list lookup, network.ts) is no workflow function. */
const ofType = (t: Template, type: string) =>
  Object.fromEntries(
    Object.entries(t.findResources(type)).filter(
      ([id]) => !id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'),
    ),
  ) as Resources;

function variant(change: (config: Json) => void): string {
  const config = exampleConfig() as Json;
  change(config);
  return writeConfig(config);
}

function synthError(change: (config: Json) => void, context: Record<string, unknown> = {}): string {
  try {
    synthFixture({ configPath: variant(change), context });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const thumbprint = 'AB:'.repeat(31).concat('AB');

describe('vCenter TLS options', () => {
  it('insecure fails synth without the context flag, naming the field and the safe alternative', () => {
    const message = synthError((c) => {
      c.vcenter.insecure = true;
    });
    expect(message).toContain('vcenter.insecure');
    expect(message).toContain('vcenter.thumbprint');
    expect(message).toContain('-c allowInsecureVcenter=true');
    const { template } = synthFixture({
      configPath: variant((c) => {
        c.vcenter.insecure = true;
      }),
      context: { allowInsecureVcenter: 'true' },
    });
    const configs = Object.values(ofType(template, 'AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment.Variables.WORKFLOW_CONFIG)
      .filter(Boolean)
      .map((text: string) => JSON.parse(text));
    expect(configs.every((c) => c.vcenter.insecure === true)).toBe(true);
  });

  it('insecure plus a thumbprint is refused: a pinned certificate is verified', () => {
    const message = synthError(
      (c) => {
        c.vcenter.insecure = true;
        c.vcenter.thumbprint = thumbprint;
      },
      { allowInsecureVcenter: 'true' },
    );
    expect(message).toContain('give insecure or thumbprint, not both');
  });

  it('a thumbprint reaches the vCenter callers; a malformed one fails synth', () => {
    const { template } = synthFixture({
      configPath: variant((c) => {
        c.vcenter.thumbprint = thumbprint;
      }),
    });
    const fn = Object.values(ofType(template, 'AWS::Lambda::Function')).find((f) =>
      f.Properties.Description.includes('InstantClone state'),
    );
    expect(JSON.parse(fn?.Properties.Environment.Variables.WORKFLOW_CONFIG).vcenter.thumbprint).toBe(
      thumbprint,
    );
    expect(
      synthError((c) => {
        c.vcenter.thumbprint = 'AB:CD';
      }),
    ).toContain('vcenter.thumbprint: must be a SHA-256');
  });
});

describe('request policies in the deployment config', () => {
  it('are required, name only configured sources, and must allow the nightly input', () => {
    expect(
      synthError((c) => {
        delete c.requestPolicies;
      }),
    ).toContain('requestPolicies');
    expect(
      synthError((c) => {
        c.requestPolicies.named[1].sources.push('macos');
      }),
    ).toContain('requestPolicies.named.1.sources.2: "macos" is not in sources');
    const nightly = synthError((c) => {
      c.requestPolicies.named[0].maxClones = 3;
    });
    expect(nightly).toContain('schedules.nightlyFleet.input: sources: 6 clones asked for, at most 3');
    expect(nightly).toContain("request policy 'nightly'");
  });
});

describe('VPN', () => {
  it('vCenter, ESXi and DNS servers must be inside the static routes', () => {
    expect(
      synthError((c) => {
        c.network.vcenterCidrs = ['192.168.1.10/32'];
      }),
    ).toContain(
      "network.vcenterCidrs.0: 192.168.1.10/32 is not inside the VPN's staticRoutes (10.20.0.0/16)",
    );
    expect(
      synthError((c) => {
        c.network.esxiCidrs = ['10.0.0.0/8'];
      }),
    ).toContain('network.esxiCidrs.0: 10.0.0.0/8 is not inside');
    expect(
      synthError((c) => {
        c.network.dns.serverIps = ['10.20.0.53', '172.16.0.53'];
      }),
    ).toContain('network.dns.serverIps.1: 172.16.0.53 is not inside');
  });

  it('BGP routes are learned at run time and not checked', () => {
    const { template } = synthFixture({
      configPath: variant((c) => {
        delete c.network.vpc.vpn.staticRoutes;
        c.network.vpc.vpn.bgpAsn = 65010;
        c.network.vcenterCidrs = ['192.168.1.10/32'];
      }),
    });
    template.resourceCountIs('AWS::EC2::VPNConnection', 1);
  });

  it('each tunnel has its own pre-shared key secret', () => {
    expect(
      synthError((c) => {
        c.network.vpc.vpn.tunnels[1].preSharedKeySecret = c.network.vpc.vpn.tunnels[0].preSharedKeySecret;
      }),
    ).toContain('network.vpc.vpn.tunnels.1.preSharedKeySecret: each tunnel needs its own');
  });
});

describe('Route 53 Resolver outbound endpoint', () => {
  const { template: t } = synthFixture();

  it('an outbound endpoint in two workflow subnets, with a security group allowing only DNS to the servers', () => {
    const [endpoint] = Object.values(ofType(t, 'AWS::Route53Resolver::ResolverEndpoint'));
    expect(endpoint?.Properties.Direction).toBe('OUTBOUND');
    expect(endpoint?.Properties.IpAddresses).toHaveLength(2);
    const sgId = endpoint?.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0];
    const sg = ofType(t, 'AWS::EC2::SecurityGroup')[sgId];
    const rules = ((sg?.Properties.SecurityGroupEgress ?? []) as Json[])
      .map((r) => `${r.IpProtocol} ${r.CidrIp} ${r.FromPort}-${r.ToPort}`)
      .sort();
    expect(rules).toEqual([
      'tcp 10.20.0.53/32 53-53',
      'tcp 10.20.0.54/32 53-53',
      'udp 10.20.0.53/32 53-53',
      'udp 10.20.0.54/32 53-53',
    ]);
    expect(sg?.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('a forwarding rule per on-premises domain to the DNS servers, associated with the VPC', () => {
    const rules = Object.entries(ofType(t, 'AWS::Route53Resolver::ResolverRule'));
    expect(rules.map(([, r]) => [r.Properties.RuleType, r.Properties.DomainName])).toEqual([
      ['FORWARD', 'lab.example.com'],
    ]);
    expect(rules[0]?.[1].Properties.TargetIps).toEqual([
      { Ip: '10.20.0.53', Port: '53' },
      { Ip: '10.20.0.54', Port: '53' },
    ]);
    const [association] = Object.values(ofType(t, 'AWS::Route53Resolver::ResolverRuleAssociation'));
    expect(association?.Properties.ResolverRuleId['Fn::GetAtt'][0]).toBe(rules[0]?.[0]);
    expect(association?.Properties.VPCId.Ref).toMatch(/^NetworkVpc/);
  });

  it('none without network.dns', () => {
    const { template } = synthFixture({
      configPath: variant((c) => {
        delete c.network.dns;
      }),
    });
    template.resourceCountIs('AWS::Route53Resolver::ResolverEndpoint', 0);
    template.resourceCountIs('AWS::Route53Resolver::ResolverRule', 0);
  });
});

const text = (v: unknown) => JSON.stringify(v);

describe('service roles and endpoint policies', () => {
  const { template: t } = synthFixture();
  const trust = (idPrefix: string) => {
    const [, role] =
      Object.entries(ofType(t, 'AWS::IAM::Role')).find(([id]) => id.startsWith(idPrefix)) ?? [];
    const [statement] = role?.Properties.AssumeRolePolicyDocument.Statement ?? [];
    return statement;
  };

  it('the schedule roles may only be assumed for this account and their own schedule; the Requested rule may invoke only the start function', () => {
    for (const [prefix, name] of [
      ['TriggersNightlyFleetRole', 'InstantCloneFleets-nightly-fleet'],
      ['TriggersReaperScheduleRole', 'InstantCloneFleets-reaper'],
    ] as const) {
      const statement = trust(prefix);
      expect(statement.Principal.Service).toBe('scheduler.amazonaws.com');
      expect(statement.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
      expect(text(statement.Condition.StringEquals['aws:SourceArn'])).toContain(`:schedule/default/${name}`);
    }
    const names = Object.values(ofType(t, 'AWS::Scheduler::Schedule')).map((s) => s.Properties.Name);
    expect(names.sort()).toEqual(['InstantCloneFleets-nightly-fleet', 'InstantCloneFleets-reaper']);
    // The Requested rule targets the start function: no role to assume, but a resource policy on the function
    // that lets EventBridge invoke it only for this rule.
    const permissions = Object.values(ofType(t, 'AWS::Lambda::Permission')).filter(
      (p) =>
        p.Properties.Principal === 'events.amazonaws.com' &&
        text(p.Properties.FunctionName).includes('StartRun'),
    );
    expect(permissions).toHaveLength(1);
    expect(text(permissions[0]?.Properties.SourceArn)).toMatch(/TriggersRequestedRule/);
  });

  it('interface endpoints allow only our calls, on our resources, by our account', () => {
    const endpoints = Object.values(ofType(t, 'AWS::EC2::VPCEndpoint'));
    const policyOf = (service: string) =>
      endpoints.find((e) => text(e.Properties.ServiceName).includes(service))?.Properties.PolicyDocument;
    const expectations: [string, string[], RegExp][] = [
      ['secretsmanager', ['secretsmanager:GetSecretValue'], /secret:instant-clone\//],
      [
        'states',
        ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        /StateMachine/,
      ],
      ['events', ['events:PutEvents'], /Bus/],
    ];
    for (const [service, actions, resource] of expectations) {
      const [statement, ...rest] = policyOf(service)?.Statement ?? [];
      expect(rest).toEqual([]);
      expect(statement.Principal).toEqual({ AWS: '*' });
      expect([statement.Action].flat().sort()).toEqual([...actions].sort());
      expect(text(statement.Resource)).toMatch(resource);
      expect(text(statement.Resource)).not.toContain('"*"');
      expect(statement.Condition).toEqual({
        StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } },
      });
    }
  });
});

describe('customer-managed KMS key and log retention', () => {
  it('kms create: a rotating key for log groups, bus, queue, state machine and permit table; kms:Decrypt via Secrets Manager', () => {
    const { template: t } = synthFixture({
      configPath: variant((c) => {
        c.kms = { mode: 'create' };
        c.network.endpoints.services.push('kms');
      }),
    });
    const [[keyId, key] = []] = Object.entries(ofType(t, 'AWS::KMS::Key'));
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    const keyRef = { 'Fn::GetAtt': [keyId, 'Arn'] };
    for (const group of Object.values(ofType(t, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties.KmsKeyId).toEqual(keyRef);
    }
    expect(Object.values(ofType(t, 'AWS::Events::EventBus'))[0]?.Properties.KmsKeyIdentifier).toEqual(keyRef);
    expect(Object.values(ofType(t, 'AWS::SQS::Queue'))[0]?.Properties.KmsMasterKeyId).toEqual(keyRef);
    expect(
      Object.values(ofType(t, 'AWS::StepFunctions::StateMachine'))[0]?.Properties.EncryptionConfiguration,
    ).toMatchObject({
      Type: 'CUSTOMER_MANAGED_KMS_KEY',
      KmsKeyId: keyRef,
    });
    const [table] = Object.values(ofType(t, 'AWS::DynamoDB::Table'));
    expect(table?.Properties.SSESpecification).toMatchObject({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: keyRef,
    });
    const decrypt = Object.entries(ofType(t, 'AWS::IAM::Policy')).flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as Json[])
        .filter((s) => s.Sid === 'DecryptCredentials')
        .map((s) => ({ id, s })),
    );
    expect(decrypt.map((d) => d.id.replace(/Function.*$/, '')).sort()).toEqual([
      'InstantClone',
      'Reaper',
      'Teardown',
      'TeardownRun',
      'WaitForIp',
    ]);
    for (const { s } of decrypt) {
      expect(s.Action).toBe('kms:Decrypt');
      expect(s.Resource).toEqual(keyRef);
      expect(text(s.Condition.StringEquals['kms:ViaService'])).toContain('secretsmanager.');
    }
  });

  it('logRemoval retain keeps every log group when the stack goes', () => {
    const { template: t } = synthFixture({
      configPath: variant((c) => {
        c.observability.logRemoval = 'retain';
      }),
    });
    const groups = Object.values(ofType(t, 'AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThan(5);
    for (const g of groups) expect(g.DeletionPolicy).toBe('Retain');
    const defaults = Object.values(ofType(synthFixture().template, 'AWS::Logs::LogGroup'));
    for (const g of defaults) expect(g.DeletionPolicy).toBe('Delete');
  });

  it('cdk-nag stays clean with a created key and with an existing one', () => {
    for (const kms of [
      { mode: 'create' },
      {
        mode: 'existing',
        keyArn: 'arn:aws:kms:eu-central-1:111122223333:key/12345678-1234-1234-1234-123456789012',
      },
    ]) {
      const { app } = synthFixture({
        nag: true,
        configPath: variant((c) => {
          c.kms = kms;
        }),
      });
      expect(() => app.synth()).not.toThrow();
    }
  });
});

describe('cdk-nag acknowledgments', () => {
  it('sit on the resource they are about, never on a whole construct or the stack', () => {
    const { stack } = synthFixture();
    const holders: IConstruct[] = [];
    const visit = (c: IConstruct) => {
      // Ours are the AwsSolutions ones (aws-cdk-lib acknowledges some of its own rules on the stack).
      const ours = c.node.metadata.some(
        (m) =>
          m.type === 'aws:cdk:acknowledged-rules' &&
          Object.keys(m.data as object).some((id) => id.includes('AwsSolutions-')),
      );
      if (ours) holders.push(c);
      for (const child of c.node.children) visit(child);
    };
    visit(stack);
    expect(holders.length).toBeGreaterThan(5);
    for (const c of holders) {
      const specific = c instanceof CfnResource || c instanceof Resource;
      expect({ path: c.node.path, specific }).toEqual({ path: c.node.path, specific: true });
      expect(c).not.toBeInstanceOf(Stack);
    }
  });
});
