import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PlannedSubnet, type SubnetTier, subnetPlan } from "../../regions/addressPlan";
import { confinedServiceTrust, policyDocument } from "../iam";

export interface NetworkArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    /** VPC CIDR (/16 to /20), validated by the config. */
    readonly cidr: string;
    /** Exactly three AZ IDs of `region` (`use1-az1`); plain because they decide how many subnets exist. */
    readonly zoneIds: readonly string[];
    /** Days VPC flow logs are kept in CloudWatch. @default 365 */
    readonly flowLogRetentionDays?: number;
    /** The account: only its own flow logs may assume the flow-log role. */
    readonly accountId: pulumi.Input<string>;
}

/**
 * Interface endpoints that let nodes pull images and get credentials without the NAT:
 * ECR (API and registry), STS (IRSA), EKS Auth (Pod Identity) and CloudWatch Logs (Fluent
 * Bit, control-plane logs). S3 (ECR's image layers) is a gateway endpoint.
 */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "sts", "eks-auth", "logs"] as const;

/**
 * A cell's network: a VPC over three AZs with public, private (workloads) and isolated
 * (data) subnets, a NAT gateway per AZ so that losing an AZ never cuts the others off,
 * flow logs, a default security group with no rules, and private endpoints.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly cidr: string;
    /** The AZ IDs, in the order of every per-AZ list below. */
    readonly zoneIds: readonly string[];
    readonly publicSubnetIds: pulumi.Output<string>[];
    /** The public subnets' CIDRs (plain, from the address plan): where the ALB's nodes are. */
    readonly publicSubnetCidrs: readonly string[];
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly isolatedSubnetIds: pulumi.Output<string>[];
    /** Security group of the interface endpoints (HTTPS from the VPC). */
    readonly endpointSecurityGroupId: pulumi.Output<string>;
    /** The interface endpoints, by service (what calls one from the VPC can wait for it). */
    readonly interfaceEndpoints: Record<(typeof INTERFACE_ENDPOINTS)[number], aws.ec2.VpcEndpoint>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:Network", name, {}, opts);
        const { region } = args;
        const child = { parent: this };
        const plan = subnetPlan(args.cidr, args.zoneIds);
        this.cidr = args.cidr;
        this.zoneIds = args.zoneIds;
        this.publicSubnetCidrs = plan.filter((s) => s.tier === "public").map((s) => s.cidr);

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { region, cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${name}-vpc` } },
            child,
        );

        // EC2.2: the default security group must allow nothing; declaring it with no rules strips them.
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            { region, vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${name}-default-sg (no rules)` } },
            child,
        );

        const subnets = new Map<string, aws.ec2.Subnet>();
        for (const s of plan) {
            subnets.set(
                key(s.tier, s.zone),
                new aws.ec2.Subnet(
                    `${name}-${s.tier}-${s.zone}`,
                    {
                        region,
                        vpcId: vpc.id,
                        cidrBlock: s.cidr,
                        // By AZ ID, never by name: a name is a different zone in each account (aws 7.x ec2/subnet.d.ts).
                        availabilityZoneId: s.zoneId,
                        // EC2.15: even public subnets get no automatic public IPs; only NAT gateways and ALBs live there.
                        mapPublicIpOnLaunch: false,
                        tags: { Name: `${name}-${s.tier}-${s.zone}`, Tier: s.tier, ...roleTags(s) },
                    },
                    child,
                ),
            );
        }
        const byTier = (tier: SubnetTier) => plan.filter((s) => s.tier === tier).map((s) => subnets.get(key(tier, s.zone))!);

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { region, vpcId: vpc.id, tags: { Name: `${name}-igw` } }, child);
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public-rt`,
            { region, vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { Name: `${name}-public-rt` } },
            child,
        );
        const isolatedRoutes = new aws.ec2.RouteTable(
            `${name}-isolated-rt`,
            { region, vpcId: vpc.id, routes: [], tags: { Name: `${name}-isolated-rt (no internet)` } },
            child,
        );

        const privateRouteTables: aws.ec2.RouteTable[] = [];
        for (const s of plan.filter((p) => p.tier === "private")) {
            const publicSubnet = subnets.get(key("public", s.zone))!;
            const eip = new aws.ec2.Eip(
                `${name}-nat-${s.zone}-eip`,
                { region, domain: "vpc", tags: { Name: `${name}-nat-${s.zone}` } },
                child,
            );
            const nat = new aws.ec2.NatGateway(
                `${name}-nat-${s.zone}`,
                { region, allocationId: eip.id, subnetId: publicSubnet.id, tags: { Name: `${name}-nat-${s.zone}` } },
                { parent: this, dependsOn: [igw] },
            );
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${s.zone}-rt`,
                {
                    region,
                    vpcId: vpc.id,
                    routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
                    tags: { Name: `${name}-private-${s.zone}-rt` },
                },
                child,
            );
            privateRouteTables.push(routes);
        }

        for (const s of plan) {
            const routeTable =
                s.tier === "public"
                    ? publicRoutes
                    : s.tier === "isolated"
                      ? isolatedRoutes
                      : privateRouteTables[args.zoneIds.indexOf(s.zoneId)];
            new aws.ec2.RouteTableAssociation(
                `${name}-${s.tier}-${s.zone}-rta`,
                { region, subnetId: subnets.get(key(s.tier, s.zone))!.id, routeTableId: routeTable.id },
                child,
            );
        }

        const flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { region, retentionInDays: args.flowLogRetentionDays ?? 365 },
            child,
        );
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                // Amazon VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs": the
                // source account owns the flow log, the source ARN is the flow log's.
                assumeRolePolicy: confinedServiceTrust(
                    "vpc-flow-logs.amazonaws.com",
                    args.accountId,
                    pulumi.interpolate`arn:aws:ec2:${region}:${args.accountId}:vpc-flow-log/*`,
                ),
            },
            child,
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs-policy`,
            {
                role: flowLogRole.id,
                policy: pulumi.jsonStringify(
                    policyDocument({
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: pulumi.interpolate`${flowLogGroup.arn}:*`,
                    }),
                ),
            },
            child,
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                region,
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: flowLogGroup.arn,
                iamRoleArn: flowLogRole.arn,
                maxAggregationInterval: 60,
            },
            child,
        );

        const endpointSg = new aws.ec2.SecurityGroup(
            `${name}-endpoints-sg`,
            {
                region,
                vpcId: vpc.id,
                description: "HTTPS from the VPC to its interface endpoints",
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.cidr], description: "HTTPS from the VPC" }],
                egress: [],
                tags: { Name: `${name}-endpoints-sg` },
            },
            child,
        );
        new aws.ec2.VpcEndpoint(
            `${name}-s3-endpoint`,
            {
                region,
                vpcId: vpc.id,
                serviceName: `com.amazonaws.${region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: [...privateRouteTables.map((t) => t.id), isolatedRoutes.id],
                tags: { Name: `${name}-s3` },
            },
            child,
        );
        const privateSubnets = byTier("private");
        const endpoints: Partial<Record<(typeof INTERFACE_ENDPOINTS)[number], aws.ec2.VpcEndpoint>> = {};
        for (const service of INTERFACE_ENDPOINTS) {
            endpoints[service] = new aws.ec2.VpcEndpoint(
                `${name}-${service.replace(".", "-")}-endpoint`,
                {
                    region,
                    vpcId: vpc.id,
                    serviceName: `com.amazonaws.${region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: privateSubnets.map((s) => s.id),
                    securityGroupIds: [endpointSg.id],
                    tags: { Name: `${name}-${service}` },
                },
                child,
            );
        }

        this.vpcId = vpc.id;
        this.publicSubnetIds = byTier("public").map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.isolatedSubnetIds = byTier("isolated").map((s) => s.id);
        this.endpointSecurityGroupId = endpointSg.id;
        this.interfaceEndpoints = endpoints as Record<(typeof INTERFACE_ENDPOINTS)[number], aws.ec2.VpcEndpoint>;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
        });
    }
}

function key(tier: SubnetTier, zone: string): string {
    return `${tier}-${zone}`;
}

/** Tags the AWS Load Balancer Controller and Karpenter use to find subnets. */
function roleTags(s: PlannedSubnet): Record<string, string> {
    if (s.tier === "public") return { "kubernetes.io/role/elb": "1" };
    if (s.tier === "private") return { "kubernetes.io/role/internal-elb": "1" };
    return {};
}
