// Where the Lambdas run and what they may reach: private subnets that route to vCenter (an existing VPC, or a
// new one with a Site-to-Site VPN), one security group whose only egress is HTTPS to vCenter, the ESXi hosts
// and the AWS API endpoints.
import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
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

export interface NetworkProps {
  readonly config: DeployConfig['network'];
  readonly logRetention: logs.RetentionDays;
}

export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Attached to every function. */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  readonly vpnConnection?: ec2.VpnConnection;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config } = props;
    const vpcConfig = config.vpc;

    if (vpcConfig.mode === 'existing') {
      this.vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: vpcConfig.vpcId });
      this.subnets = { subnetGroupName: vpcConfig.subnetGroupName };
    } else {
      const { vpn } = vpcConfig;
      const psk = SecretValue.secretsManager(
        vpn.preSharedKeySecret,
        vpn.preSharedKeyJsonField === undefined ? {} : { jsonField: vpn.preSharedKeyJsonField },
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
        tunnelOptions: [{ preSharedKeySecret: psk }, { preSharedKeySecret: psk }],
      });
      vpc.addFlowLog('FlowLogs', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(
          new logs.LogGroup(this, 'FlowLogGroup', {
            retention: props.logRetention,
            removalPolicy: RemovalPolicy.DESTROY,
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
        this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
          service,
          subnets: this.subnets,
          securityGroups: [endpointSg],
          open: false,
          privateDnsEnabled: true,
        });
      }
    } else {
      config.endpoints.securityGroupIds.forEach((sgId, i) => {
        const sg = ec2.SecurityGroup.fromSecurityGroupId(this, `ExistingEndpointSg${i}`, sgId, {
          mutable: false,
        });
        this.functionSecurityGroup.addEgressRule(sg, ec2.Port.tcp(443), `Existing AWS API endpoints ${sgId}`);
      });
    }
  }
}
