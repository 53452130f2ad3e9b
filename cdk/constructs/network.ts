// Where the Lambdas run and what they may reach: private subnets that route to vCenter (an existing VPC, or a
// new one with a Site-to-Site VPN), one security group whose only egress is HTTPS to vCenter, the ESXi hosts
// and the AWS API endpoints.
import { type RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';

const ENDPOINT_SERVICES: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  secretsmanager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  states: ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
  events: ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  xray: ec2.InterfaceVpcEndpointAwsService.XRAY,
  sts: ec2.InterfaceVpcEndpointAwsService.STS,
  kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
};

/** The id CDK gives the AwsCustomResource provider singleton (aws-cdk-lib custom-resources). */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

export interface NetworkProps {
  readonly config: DeployConfig['network'];
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly kmsKey?: kms.IKey;
}

type Tunnel = Extract<DeployConfig['network']['vpc'], { mode: 'new' }>['vpn']['tunnels'][number];

/** CloudFormation's VpnTunnelOptionsSpecification spelling of a tunnel's IKE options. */
function ikeProperties(ike: NonNullable<Tunnel['ike']>): Record<string, unknown> {
  const values = (list: readonly (string | number)[] | undefined) => list?.map((Value) => ({ Value }));
  const props: Record<string, unknown> = {
    IKEVersions: values(ike.ikeVersions),
    Phase1EncryptionAlgorithms: values(ike.phase1EncryptionAlgorithms),
    Phase2EncryptionAlgorithms: values(ike.phase2EncryptionAlgorithms),
    Phase1IntegrityAlgorithms: values(ike.phase1IntegrityAlgorithms),
    Phase2IntegrityAlgorithms: values(ike.phase2IntegrityAlgorithms),
    Phase1DHGroupNumbers: values(ike.phase1DhGroupNumbers),
    Phase2DHGroupNumbers: values(ike.phase2DhGroupNumbers),
    Phase1LifetimeSeconds: ike.phase1LifetimeSeconds,
    Phase2LifetimeSeconds: ike.phase2LifetimeSeconds,
  };
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Attached to the functions that call vCenter or ESXi (the others run outside the VPC). */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  readonly vpnConnection?: ec2.VpnConnection;
  /** The interface endpoints this stack created, by service name (their policies are added by the stack). */
  readonly interfaceEndpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
  /**
   * The DynamoDB gateway endpoint (when the stack creates endpoints): the permit table (the throttle's permits,
   * ADR 0006, and the learned run times, ADR 0009) from the isolated subnets without NAT; its policy is added by
   * the stack.
   */
  readonly dynamoDbEndpoint?: ec2.GatewayVpcEndpoint;
  readonly resolverSecurityGroup?: ec2.SecurityGroup;
  readonly resolverEndpoint?: route53resolver.CfnResolverEndpoint;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config } = props;
    const vpcConfig = config.vpc;

    if (vpcConfig.mode === 'existing') {
      this.vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: vpcConfig.vpcId });
      this.subnets = { subnetGroupName: vpcConfig.subnetGroupName };
    } else {
      const { vpn } = vpcConfig;
      const psk = (t: Tunnel) =>
        SecretValue.secretsManager(
          t.preSharedKeySecret,
          t.preSharedKeyJsonField === undefined ? {} : { jsonField: t.preSharedKeyJsonField },
        );
      // Isolated subnets only: no NAT, no internet gateway. vCenter is reached over the VPN (its routes
      // propagate into these subnets), AWS APIs through interface endpoints.
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(vpcConfig.cidr),
        maxAzs: vpcConfig.maxAzs,
        natGateways: 0,
        subnetConfiguration: [
          { name: 'Workflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 },
        ],
        vpnGateway: true,
        vpnRoutePropagation: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      });
      this.vpnConnection = vpc.addVpnConnection('OnPremises', {
        ip: vpn.customerGatewayIp,
        ...(vpn.staticRoutes === undefined ? {} : { staticRoutes: vpn.staticRoutes }),
        ...(vpn.bgpAsn === undefined ? {} : { asn: vpn.bgpAsn }),
        tunnelOptions: vpn.tunnels.map((t) => ({ preSharedKeySecret: psk(t) })),
      });
      const cfnVpn = this.vpnConnection.node.defaultChild as ec2.CfnVPNConnection;
      vpn.tunnels.forEach((t, i) => {
        for (const [key, value] of Object.entries(t.ike === undefined ? {} : ikeProperties(t.ike))) {
          cfnVpn.addPropertyOverride(`VpnTunnelOptionsSpecifications.${i}.${key}`, value);
        }
      });
      vpc.addFlowLog('FlowLogs', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(
          new logs.LogGroup(this, 'FlowLogGroup', {
            retention: props.logRetention,
            removalPolicy: props.logRemovalPolicy,
            ...(props.kmsKey === undefined ? {} : { encryptionKey: props.kmsKey }),
          }),
        ),
        trafficType: ec2.FlowLogTrafficType.REJECT,
      });
      this.vpc = vpc;
      this.subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    }

    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Instant-clone Lambdas: HTTPS to vCenter, ESXi management and AWS API endpoints only',
      allowAllOutbound: false,
    });
    for (const cidr of config.vcenterCidrs) {
      this.functionSecurityGroup.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), `vCenter SDK ${cidr}`);
    }
    for (const cidr of config.esxiCidrs) {
      this.functionSecurityGroup.addEgressRule(
        ec2.Peer.ipv4(cidr),
        ec2.Port.tcp(443),
        `ESXi guest file transfer ${cidr}`,
      );
    }

    if (config.endpoints.mode === 'create') {
      const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'Interface endpoints of the instant-clone stack: HTTPS from its Lambdas only',
        allowAllOutbound: false,
      });
      endpointSg.addIngressRule(this.functionSecurityGroup, ec2.Port.tcp(443), 'From instant-clone Lambdas');
      this.functionSecurityGroup.addEgressRule(endpointSg, ec2.Port.tcp(443), 'AWS API interface endpoints');
      for (const name of config.endpoints.services) {
        const service = ENDPOINT_SERVICES[name];
        if (service === undefined) throw new Error(`network.endpoints.services: unknown service ${name}`);
        this.interfaceEndpoints[name] = this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
          service,
          subnets: this.subnets,
          securityGroups: [endpointSg],
          open: false,
          privateDnsEnabled: true,
        });
      }
      this.dynamoDbEndpoint = this.addDynamoDbGateway();
    } else {
      config.endpoints.securityGroupIds.forEach((sgId, i) => {
        const sg = ec2.SecurityGroup.fromSecurityGroupId(this, `ExistingEndpointSg${i}`, sgId, {
          mutable: false,
        });
        this.functionSecurityGroup.addEgressRule(sg, ec2.Port.tcp(443), `Existing AWS API endpoints ${sgId}`);
      });
    }

    if (config.dns !== undefined) {
      const { resolverSecurityGroup, resolverEndpoint } = this.addResolver(config.dns);
      this.resolverSecurityGroup = resolverSecurityGroup;
      this.resolverEndpoint = resolverEndpoint;
    }
  }

  /**
   * A gateway endpoint adds a route to DynamoDB's public addresses (the Region's `com.amazonaws.<region>.dynamodb`
   * prefix list) to the subnets' route tables; the functions' security group then needs HTTPS egress to that
   * prefix list. Its id differs per Region and CloudFormation cannot look it up, so a custom resource reads it
   * (DescribeManagedPrefixLists) at deploy time.
   */
  private addDynamoDbGateway(): ec2.GatewayVpcEndpoint {
    const endpoint = this.vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [this.subnets],
    });
    const prefixListName = `com.amazonaws.${Stack.of(this).region}.dynamodb`;
    const lookup = new cr.AwsCustomResource(this, 'DynamoDbPrefixList', {
      onUpdate: {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [prefixListName] }] },
        physicalResourceId: cr.PhysicalResourceId.of(prefixListName),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    const lookupPolicy = lookup.node.findChild('CustomResourcePolicy');
    Validations.of(lookupPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeManagedPrefixLists has no resource-level permissions; it only reads.',
    });
    // The custom resource's one provider function per stack (CDK's singleton, by this fixed id).
    const providerRole = Stack.of(this).node.tryFindChild(PROVIDER_ID)?.node.tryFindChild('ServiceRole');
    if (providerRole) {
      Validations.of(providerRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK’s AwsCustomResource provider: it writes only its own logs; it runs once per deployment.',
      });
    }
    this.functionSecurityGroup.addEgressRule(
      ec2.Peer.prefixList(lookup.getResponseField('PrefixLists.0.PrefixListId')),
      ec2.Port.tcp(443),
      'DynamoDB gateway endpoint (the throttle permit table)',
    );
    return endpoint;
  }

  /**
   * The functions sit in isolated subnets and resolve with the VPC resolver, which knows nothing of on-premises
   * names; TLS needs those names (vcenter.url's host, the ESXi hosts in guest file-transfer URLs). An outbound
   * Resolver endpoint forwards the on-premises domains to the on-premises DNS servers over the VPN.
   */
  private addResolver(dns: NonNullable<DeployConfig['network']['dns']>): {
    resolverSecurityGroup: ec2.SecurityGroup;
    resolverEndpoint: route53resolver.CfnResolverEndpoint;
  } {
    const resolverSecurityGroup = new ec2.SecurityGroup(this, 'ResolverSecurityGroup', {
      vpc: this.vpc,
      description: 'Route 53 Resolver outbound endpoint: DNS (53) to the on-premises DNS servers only',
      allowAllOutbound: false,
    });
    for (const ip of dns.serverIps) {
      resolverSecurityGroup.addEgressRule(ec2.Peer.ipv4(`${ip}/32`), ec2.Port.udp(53), `DNS ${ip}`);
      resolverSecurityGroup.addEgressRule(ec2.Peer.ipv4(`${ip}/32`), ec2.Port.tcp(53), `DNS over TCP ${ip}`);
    }
    const subnetIds = this.vpc.selectSubnets(this.subnets).subnetIds;
    const resolverEndpoint = new route53resolver.CfnResolverEndpoint(this, 'ResolverOutbound', {
      direction: 'OUTBOUND',
      // An outbound endpoint needs two addresses; one per subnet, at least two.
      ipAddresses: (subnetIds.length >= 2 ? subnetIds : [subnetIds[0], subnetIds[0]]).map((subnetId) => ({
        subnetId: subnetId as string,
      })),
      securityGroupIds: [resolverSecurityGroup.securityGroupId],
    });
    dns.domains.forEach((domain, i) => {
      const rule = new route53resolver.CfnResolverRule(this, `ForwardRule${i}`, {
        ruleType: 'FORWARD',
        domainName: domain,
        resolverEndpointId: resolverEndpoint.attrResolverEndpointId,
        targetIps: dns.serverIps.map((ip) => ({ ip, port: '53' })),
      });
      new route53resolver.CfnResolverRuleAssociation(this, `ForwardRuleAssociation${i}`, {
        resolverRuleId: rule.attrResolverRuleId,
        vpcId: this.vpc.vpcId,
      });
    });
    return { resolverSecurityGroup, resolverEndpoint };
  }
}
