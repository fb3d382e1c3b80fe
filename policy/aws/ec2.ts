/**
 * FSBP EC2 controls: security groups and their rules, launch templates and instances (on
 * inputs); EC2.6, a flow log per VPC, relates resources and is a stack policy.
 */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { type Inputs, type Props, isSet, list, refersTo, resourcePolicy, stackPolicy, whenKnown } from "../common";
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

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

/** The ingress rules a resource declares, normalised; "-1" (all traffic) covers every port. */
function ingressOf(type: string, p: Props): Ingress[] {
    const norm = (protocol: unknown, from: unknown, to: unknown, cidrs: unknown[]): Ingress => {
        const proto = String(protocol ?? "-1").toLowerCase();
        const all = proto === "-1" || proto === "all";
        return {
            protocol: all ? "-1" : proto,
            from: all ? 0 : Number(from ?? 0),
            to: all ? 65535 : Number(to ?? from ?? 65535),
            cidrs: cidrs.filter((c): c is string => typeof c === "string"),
        };
    };
    if (type === AWS_TYPES.securityGroup || type === AWS_TYPES.defaultSecurityGroup) {
        return list<Inputs<aws.types.input.ec2.SecurityGroupIngress>>((p as Inputs<aws.ec2.SecurityGroupArgs>).ingress).map((r) =>
            norm(r.protocol, r.fromPort, r.toPort, [...list(r.cidrBlocks), ...list(r.ipv6CidrBlocks)]),
        );
    }
    if (type === AWS_TYPES.securityGroupRule) {
        const r = p as Inputs<aws.ec2.SecurityGroupRuleArgs>;
        return r.type === "ingress" ? [norm(r.protocol, r.fromPort, r.toPort, [...list(r.cidrBlocks), ...list(r.ipv6CidrBlocks)])] : [];
    }
    if (type === AWS_TYPES.securityGroupIngressRule) {
        const r = p as Inputs<aws.vpc.SecurityGroupIngressRuleArgs>;
        return [norm(r.ipProtocol, r.fromPort, r.toPort, [r.cidrIpv4, r.cidrIpv6])];
    }
    return [];
}

function describeRule(r: Ingress): string {
    const ports = r.protocol === "-1" ? "all traffic" : r.from === r.to ? `${r.protocol}/${r.from}` : `${r.protocol}/${r.from}-${r.to}`;
    return `${ports} from ${r.cidrs.filter((c) => OPEN.has(c)).join(", ")}`;
}

const SG_TYPES = [AWS_TYPES.securityGroup, AWS_TYPES.securityGroupRule, AWS_TYPES.securityGroupIngressRule];

export const ec2Policies: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "ec2-2-default-sg-no-rules",
        control: "EC2.2",
        severity: "high",
        title: "VPC default security groups should not allow inbound or outbound traffic.",
        types: [AWS_TYPES.defaultSecurityGroup],
        check: (p, _a, report) => {
            // Adopting the default group with no ingress/egress blocks removes every rule.
            const g = p as Inputs<aws.ec2.DefaultSecurityGroupArgs>;
            const rules = list(g.ingress).length + list(g.egress).length;
            if (rules > 0)
                report(
                    `the default security group declares ${list(g.ingress).length} ingress and ${list(g.egress).length} egress rule(s); declare none`,
                );
        },
    }),
    resourcePolicy({
        name: "ec2-8-imdsv2",
        control: "EC2.8",
        severity: "high",
        title: "EC2 instances and launch templates should require IMDSv2.",
        types: [AWS_TYPES.launchTemplate, AWS_TYPES.ec2Instance],
        check: (p, _a, report) => {
            const m = (p as Inputs<aws.ec2.LaunchTemplateArgs>).metadataOptions;
            if (m?.httpEndpoint === "disabled") return;
            if (m?.httpTokens !== "required")
                report(
                    `metadataOptions.httpTokens is ${m?.httpTokens === undefined ? 'not set (default "optional")' : `"${m.httpTokens}"`}: set it to "required"`,
                );
        },
    }),
    resourcePolicy({
        name: "ec2-9-no-public-ip",
        control: "EC2.9",
        severity: "high",
        title: "EC2 instances and launch templates should not assign public IPv4 addresses.",
        types: [AWS_TYPES.launchTemplate, AWS_TYPES.ec2Instance],
        check: (p, a, report) => {
            if (a.type === AWS_TYPES.ec2Instance) {
                if ((p as Inputs<aws.ec2.InstanceArgs>).associatePublicIpAddress === true)
                    report("associatePublicIpAddress is true: instances stay private and egress through the NAT gateways");
                return;
            }
            // Omitted means the subnet decides; our subnets never map public IPs on launch.
            const nics = list<Inputs<aws.types.input.ec2.LaunchTemplateNetworkInterface>>(
                (p as Inputs<aws.ec2.LaunchTemplateArgs>).networkInterfaces,
            );
            const publicNics = nics.filter((n) => String(n.associatePublicIpAddress) === "true");
            if (publicNics.length > 0)
                report(`${publicNics.length} network interface(s) set associatePublicIpAddress "true": instances stay private`);
        },
    }),
    resourcePolicy({
        name: "ec2-18-authorized-ports",
        control: "EC2.18",
        severity: "high",
        title: "Security groups should only allow unrestricted incoming traffic for authorized ports.",
        types: SG_TYPES,
        config: { authorizedTcpPorts: [80, 443] },
        configDocs: { authorizedTcpPorts: "TCP ports that may be open to 0.0.0.0/0 or ::/0." },
        check: (p, a, report, c) => {
            for (const r of ingressOf(a.type, p)) {
                if (!r.cidrs.some((x) => OPEN.has(x))) continue;
                const authorized = r.protocol === "tcp" && r.from === r.to && c.authorizedTcpPorts.includes(r.from);
                if (!authorized)
                    report(`ingress ${describeRule(r)} is open to the internet; only tcp ports ${c.authorizedTcpPorts.join(", ")} may be`);
            }
        },
    }),
    resourcePolicy({
        name: "ec2-19-high-risk-ports",
        control: "EC2.19",
        severity: "critical",
        title: "Security groups should not allow unrestricted access to high-risk ports.",
        types: SG_TYPES,
        config: { highRiskPorts: HIGH_RISK_PORTS },
        configDocs: { highRiskPorts: "Ports never open to 0.0.0.0/0 or ::/0." },
        check: (p, a, report, c) => {
            for (const r of ingressOf(a.type, p)) {
                if (!r.cidrs.some((x) => OPEN.has(x))) continue;
                const exposed = c.highRiskPorts.filter((port) => port >= r.from && port <= r.to);
                if (exposed.length > 0) report(`ingress ${describeRule(r)} exposes high-risk port(s) ${exposed.join(", ")}`);
            }
        },
    }),
];

export const ec2StackPolicies: StackValidationPolicy[] = [
    stackPolicy({
        name: "ec2-6-vpc-flow-logs",
        control: "EC2.6",
        severity: "medium",
        title: "VPC flow logging should be enabled in all VPCs (every VPC has a FlowLog).",
        check: (resources, _a, report) => {
            const logs = resources.filter((r) => r.type === AWS_TYPES.flowLog);
            for (const vpc of resources.filter((r) => r.type === AWS_TYPES.vpc)) {
                const covered = logs.some(
                    (l) => refersTo(l, vpc, ["vpcId"]) || whenKnown(() => isSet(vpc.props.id) && l.props.vpcId === vpc.props.id, false),
                );
                if (!covered) report(`VPC ${vpc.name} has no aws:ec2/flowLog:FlowLog`, vpc.urn);
            }
        },
    }),
];
