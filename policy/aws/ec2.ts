/**
 * FSBP EC2 controls: security groups and their rules, launch templates and instances judged
 * on their inputs; EC2.6, a flow log per VPC, relates resources and is a stack policy.
 */
import type * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    type Inputs,
    type Props,
    flag,
    fsbp,
    isSet,
    isUnknown,
    list,
    resourcePolicy,
    stackPolicy,
    undecided,
    unreferenced,
    whenKnown,
} from "../common";
import { AWS_TYPES } from "./types";

/** EC2.19's high-risk ports. */
const HIGH_RISK_PORTS = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300,
];

/** One ingress permission, whatever resource declared it. */
interface Ingress {
    readonly protocol: string;
    readonly from: number;
    readonly to: number;
    readonly cidrs: readonly string[];
}

const INTERNET = new Set(["0.0.0.0/0", "::/0"]);

/**
 * The ingress rules a resource declares, normalised; "-1" (all traffic) covers every port.
 * Decided on what is known during preview: a known 0.0.0.0/0 opens a rule whatever its unknown
 * sibling CIDRs; a rule with only unknown CIDRs, or open to the internet on an unknown protocol
 * or unknown ports, is left out after `undecided` (the update judges it).
 */
function ingressOf(type: string, props: Props): Ingress[] {
    const normalise = (path: string, protocol: unknown, from: unknown, to: unknown, cidrs: unknown[]): Ingress[] => {
        const known = cidrs.filter((cidr): cidr is string => typeof cidr === "string" && !isUnknown(cidr));
        // An unknown CIDR may be anything: undecided, unless a known one already opens the rule to the internet.
        if (cidrs.some(isUnknown) && !known.some((cidr) => INTERNET.has(cidr))) return (undecided(`${path} CIDR`), []);
        // Only rules open to the internet matter to the callers (internetIngressOf).
        if (!known.some((cidr) => INTERNET.has(cidr))) return [];
        if (isUnknown(protocol)) return (undecided(`${path}.protocol`), []);
        const name = String(protocol ?? "-1").toLowerCase();
        const allTraffic = name === "-1" || name === "all";
        if (!allTraffic && (isUnknown(from) || isUnknown(to))) return (undecided(`${path} ports`), []);
        return [
            {
                protocol: allTraffic ? "-1" : name,
                from: allTraffic ? 0 : Number(from ?? 0),
                to: allTraffic ? 65535 : Number(to ?? from ?? 65535),
                cidrs: known,
            },
        ];
    };
    const known = (value: unknown): unknown[] => (isUnknown(value) ? (undecided("a CIDR list"), []) : list(value));
    if (type === AWS_TYPES.securityGroup || type === AWS_TYPES.defaultSecurityGroup) {
        const rules = (props as Inputs<aws.ec2.SecurityGroupArgs>).ingress;
        return known(rules).flatMap((rule, i) =>
            isUnknown(rule)
                ? (undecided(`ingress[${i}]`), [])
                : ((r: Inputs<aws.types.input.ec2.SecurityGroupIngress>) =>
                      normalise(`ingress[${i}]`, r.protocol, r.fromPort, r.toPort, [...known(r.cidrBlocks), ...known(r.ipv6CidrBlocks)]))(
                      rule as Inputs<aws.types.input.ec2.SecurityGroupIngress>,
                  ),
        );
    }
    if (type === AWS_TYPES.securityGroupRule) {
        const rule = props as Inputs<aws.ec2.SecurityGroupRuleArgs>;
        if (isUnknown(rule.type)) return (undecided("type"), []);
        if (rule.type !== "ingress") return [];
        return normalise("", rule.protocol, rule.fromPort, rule.toPort, [...known(rule.cidrBlocks), ...known(rule.ipv6CidrBlocks)]);
    }
    if (type === AWS_TYPES.securityGroupIngressRule) {
        const rule = props as Inputs<aws.vpc.SecurityGroupIngressRuleArgs>;
        return normalise("", rule.ipProtocol, rule.fromPort, rule.toPort, [rule.cidrIpv4, rule.cidrIpv6]);
    }
    return [];
}

/** The ingress rules open to the whole internet (0.0.0.0/0 or ::/0). */
function internetIngressOf(type: string, props: Props): Ingress[] {
    return ingressOf(type, props).filter((rule) => rule.cidrs.some((cidr) => INTERNET.has(cidr)));
}

function describeIngress(rule: Ingress): string {
    const ports =
        rule.protocol === "-1"
            ? "all traffic"
            : rule.from === rule.to
              ? `${rule.protocol}/${rule.from}`
              : `${rule.protocol}/${rule.from}-${rule.to}`;
    return `${ports} from ${rule.cidrs.filter((cidr) => INTERNET.has(cidr)).join(", ")}`;
}

const SECURITY_GROUP_TYPES = [AWS_TYPES.securityGroup, AWS_TYPES.securityGroupRule, AWS_TYPES.securityGroupIngressRule];

export const ec2Policies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...fsbp("ec2-2-default-sg-no-rules", "EC2.2", "high"),
        title: "VPC default security groups should not allow inbound or outbound traffic.",
        types: [AWS_TYPES.defaultSecurityGroup],
        check: (group: Inputs<aws.ec2.DefaultSecurityGroupArgs>, _args, report) => {
            // Adopting the default group with no ingress/egress blocks removes every rule.
            const ingress = list(group.ingress).length;
            const egress = list(group.egress).length;
            if (ingress + egress > 0)
                report(`the default security group declares ${ingress} ingress and ${egress} egress rule(s); declare none`);
        },
    }),
    resourcePolicy({
        // EC2.8 is the instances' control; launch templates have their own, EC2.170 "EC2 launch
        // templates should use Instance Metadata Service Version 2 (IMDSv2)" (ec2-controls.html#ec2-170).
        ...fsbp("ec2-8-imdsv2", "EC2.8", "high", "EC2.170"),
        title: "EC2 instances and launch templates should require IMDSv2.",
        types: [AWS_TYPES.launchTemplate, AWS_TYPES.ec2Instance],
        check: (machine: Inputs<aws.ec2.LaunchTemplateArgs>, _args, report) => {
            const metadata = machine.metadataOptions;
            if (metadata?.httpEndpoint === "disabled") return;
            if (metadata?.httpTokens !== "required")
                report(
                    `metadataOptions.httpTokens is ${metadata?.httpTokens === undefined ? 'not set (default "optional")' : `"${metadata.httpTokens}"`}: set it to "required"`,
                );
        },
    }),
    resourcePolicy({
        // EC2.9 is the instances' control; launch templates have EC2.25 (High, AWS::EC2::LaunchTemplate:
        // "fails if an EC2 launch template is configured to assign a public IP address to network interfaces").
        ...fsbp("ec2-9-no-public-ip", "EC2.9", "high", "EC2.25"),
        title: "EC2 instances and launch templates should not assign public IPv4 addresses.",
        types: [AWS_TYPES.launchTemplate, AWS_TYPES.ec2Instance],
        check: (props, args, report) => {
            if (args.type === AWS_TYPES.ec2Instance) {
                if ((props as Inputs<aws.ec2.InstanceArgs>).associatePublicIpAddress === true)
                    report("associatePublicIpAddress is true: instances stay private and egress through the NAT gateways");
                return;
            }
            // Omitted means the subnet decides; our subnets never map public IPs on launch.
            const interfaces = list<Inputs<aws.types.input.ec2.LaunchTemplateNetworkInterface>>(
                (props as Inputs<aws.ec2.LaunchTemplateArgs>).networkInterfaces,
            );
            const publicInterfaces = interfaces.filter((networkInterface) => String(networkInterface.associatePublicIpAddress) === "true");
            if (publicInterfaces.length > 0)
                report(`${publicInterfaces.length} network interface(s) set associatePublicIpAddress "true": instances stay private`);
        },
    }),
    resourcePolicy({
        ...fsbp("ec2-15-subnet-no-auto-public-ip", "EC2.15", "medium"),
        // ec2-controls.html#ec2-15: "The control fails if the subnet is configured to automatically
        // assign public IPv4 or IPv6 addresses." Both inputs default to false (@pulumi/aws v7
        // ec2/subnet.d.ts), so an omitted one passes. Our public subnets hold only the ALB and the
        // NAT gateways, whose addresses are allocated by the service (the NAT's an Elastic IP).
        title: "EC2 subnets should not automatically assign public IP addresses (IPv4 or IPv6).",
        types: [AWS_TYPES.subnet],
        check: (subnet: Inputs<aws.ec2.SubnetArgs>, _args, report) => {
            if (flag(subnet.mapPublicIpOnLaunch, false))
                report("mapPublicIpOnLaunch is true: instances launched here get a public IPv4 address; set it to false");
            if (flag(subnet.assignIpv6AddressOnCreation, false))
                report("assignIpv6AddressOnCreation is true: network interfaces created here get an IPv6 address; set it to false");
        },
    }),
    resourcePolicy({
        ...fsbp("ec2-18-authorized-ports", "EC2.18", "high"),
        title: "Security groups should only allow unrestricted incoming traffic for authorized ports.",
        types: SECURITY_GROUP_TYPES,
        config: { authorizedTcpPorts: [80, 443] },
        decidesOnKnown: true,
        configDocs: { authorizedTcpPorts: "TCP ports that may be open to 0.0.0.0/0 or ::/0." },
        check: (props, args, report, config) => {
            for (const rule of internetIngressOf(args.type, props)) {
                const authorized = rule.protocol === "tcp" && rule.from === rule.to && config.authorizedTcpPorts.includes(rule.from);
                if (!authorized)
                    report(
                        `ingress ${describeIngress(rule)} is open to the internet; only tcp ports ${config.authorizedTcpPorts.join(", ")} may be`,
                    );
            }
        },
    }),
    resourcePolicy({
        ...fsbp("ec2-19-high-risk-ports", "EC2.19", "critical"),
        title: "Security groups should not allow unrestricted access to high-risk ports.",
        types: SECURITY_GROUP_TYPES,
        config: { highRiskPorts: HIGH_RISK_PORTS },
        decidesOnKnown: true,
        configDocs: { highRiskPorts: "Ports never open to 0.0.0.0/0 or ::/0." },
        check: (props, args, report, config) => {
            for (const rule of internetIngressOf(args.type, props)) {
                const exposed = config.highRiskPorts.filter((port) => port >= rule.from && port <= rule.to);
                if (exposed.length > 0) report(`ingress ${describeIngress(rule)} exposes high-risk port(s) ${exposed.join(", ")}`);
            }
        },
    }),
];

export const ec2StackPolicies: StackValidationPolicy[] = [
    stackPolicy({
        ...fsbp("ec2-6-vpc-flow-logs", "EC2.6", "medium"),
        title: "VPC flow logging should be enabled in all VPCs (every VPC has a FlowLog).",
        check: (resources, _args, report) => {
            const sameId = (flowLog: PolicyResource, vpc: PolicyResource) =>
                whenKnown(() => isSet(vpc.props.id) && flowLog.props.vpcId === vpc.props.id, false);
            for (const vpc of unreferenced(resources, AWS_TYPES.vpc, AWS_TYPES.flowLog, ["vpcId"], sameId))
                report(`VPC ${vpc.name} has no aws:ec2/flowLog:FlowLog`, vpc.urn);
        },
    }),
];
