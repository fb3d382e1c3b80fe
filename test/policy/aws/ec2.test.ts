// FSBP EC2 controls: the resource rules on security groups and their rules, subnets, launch templates
// and instances (compliant, omitted, non-compliant, exact messages); EC2.6 on a small resource
// graph, offline and as the engine hands it during preview.
import * as assert from "node:assert/strict";
import { cell, cellNetwork, checkRule, fixture, flagged, previewFindings, previewed, UNKNOWN, underEngine } from "../../support/policy";

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const VPC = "aws:ec2/vpc:Vpc";
const INSTANCE = "aws:ec2/instance:Instance";
const SUBNET = "aws:ec2/subnet:Subnet";
const MACHINES = [LAUNCH_TEMPLATE, INSTANCE];

/** A security group with one inline ingress rule. */
const ingress = (protocol: string, fromPort: number, toPort: number, source: Record<string, string[]>) => ({
    ingress: [{ protocol, fromPort, toPort, ...source }],
});
const ANYWHERE = { cidrBlocks: ["0.0.0.0/0"] };
const ONLY_WEB = "is open to the internet; only tcp ports 80, 443 may be";
const STAY_PRIVATE = "instances stay private";

describe("policy pack: EC2", () => {
    checkRule("ec2-2-default-sg-no-rules", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", [
        ["empty", { ingress: [], egress: [] }, null],
        ["omitted", {}, null],
        [
            "open",
            { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }], egress: [] },
            "the default security group declares 1 ingress and 0 egress rule(s); declare none",
        ],
    ]);
    checkRule("ec2-8-imdsv2", MACHINES, [
        ["required", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }, null],
        ["disabled", { metadataOptions: { httpEndpoint: "disabled" } }, null],
        ["omitted", {}, 'metadataOptions.httpTokens is not set (default "optional"): set it to "required"'],
        ["optional", { metadataOptions: { httpTokens: "optional" } }, 'metadataOptions.httpTokens is "optional": set it to "required"'],
    ]);
    checkRule("ec2-9-no-public-ip", LAUNCH_TEMPLATE, [
        ["omitted", {}, null],
        ["private", { networkInterfaces: [{ associatePublicIpAddress: "false" }] }, null],
        [
            "public",
            { networkInterfaces: [{ associatePublicIpAddress: "true" }] },
            `1 network interface(s) set associatePublicIpAddress "true": ${STAY_PRIVATE}`,
        ],
    ]);
    checkRule("ec2-9-no-public-ip", INSTANCE, [
        ["omitted", {}, null],
        ["private", { associatePublicIpAddress: false }, null],
        [
            "public",
            { associatePublicIpAddress: true },
            `associatePublicIpAddress is true: ${STAY_PRIVATE} and egress through the NAT gateways`,
        ],
    ]);
    // EC2.15: public IPv4 or IPv6 auto-assignment fails; both default to false.
    const IPV4_ON = "mapPublicIpOnLaunch is true: instances launched here get a public IPv4 address; set it to false";
    const IPV6_ON = "assignIpv6AddressOnCreation is true: network interfaces created here get an IPv6 address; set it to false";
    checkRule("ec2-15-subnet-no-auto-public-ip", SUBNET, [
        ["public-tier", { cidrBlock: "10.10.0.0/20", mapPublicIpOnLaunch: false, tags: { Tier: "public" } }, null],
        ["omitted", { cidrBlock: "10.10.16.0/20" }, null],
        ["ipv4", { mapPublicIpOnLaunch: true }, IPV4_ON],
        ["ipv6", { assignIpv6AddressOnCreation: true }, IPV6_ON],
        ["both", { mapPublicIpOnLaunch: true, assignIpv6AddressOnCreation: true }, [IPV4_ON, IPV6_ON]],
    ]);
    it("ec2-15-subnet-no-auto-public-ip during preview: an unknown setting is undecided; an unknown id it does not read is not", async () => {
        const policy = "ec2-15-subnet-no-auto-public-ip";
        assert.deepEqual(await underEngine(policy, SUBNET, "s", { mapPublicIpOnLaunch: UNKNOWN }), { violations: [], undecided: true });
        // An unknown input the rule does not read (the VPC's id) leaves it decided.
        assert.deepEqual(await underEngine(policy, SUBNET, "s", { vpcId: UNKNOWN, mapPublicIpOnLaunch: false }), {
            violations: [],
            undecided: false,
        });
    });
    checkRule("ec2-18-authorized-ports", SECURITY_GROUP, [
        ["https", ingress("tcp", 443, 443, ANYWHERE), null],
        ["internal", ingress("tcp", 5432, 5432, { cidrBlocks: ["10.10.0.0/16"] }), null],
        ["omitted", {}, null],
        ["range", ingress("tcp", 8000, 8100, { ipv6CidrBlocks: ["::/0"] }), `ingress tcp/8000-8100 from ::/0 ${ONLY_WEB}`],
        ["all", ingress("-1", 0, 0, ANYWHERE), `ingress all traffic from 0.0.0.0/0 ${ONLY_WEB}`],
    ]);
    checkRule("ec2-18-authorized-ports", INGRESS_RULE, [
        ["https", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1" }, null],
        ["omitted", { securityGroupId: "sg-1" }, null],
        [
            "ssh",
            { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1" },
            `ingress tcp/22 from 0.0.0.0/0 ${ONLY_WEB}`,
        ],
    ]);
    checkRule("ec2-19-high-risk-ports", SECURITY_GROUP, [
        ["https", ingress("tcp", 443, 443, ANYWHERE), null],
        ["ssh-internal", ingress("tcp", 22, 22, { cidrBlocks: ["10.0.0.0/8"] }), null],
        ["omitted", {}, null],
        ["db", ingress("tcp", 5400, 5500, ANYWHERE), "ingress tcp/5400-5500 from 0.0.0.0/0 exposes high-risk port(s) 5432, 5500"],
    ]);
    checkRule("ec2-19-high-risk-ports", SECURITY_GROUP_RULE, [
        ["egress", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, ...ANYWHERE, securityGroupId: "sg-1" }, null],
        [
            "rdp",
            { type: "ingress", protocol: "tcp", fromPort: 3389, toPort: 3389, ...ANYWHERE, securityGroupId: "sg-1" },
            "ingress tcp/3389 from 0.0.0.0/0 exposes high-risk port(s) 3389",
        ],
    ]);
    // The review's B4 gaps: EC2.18 on the legacy SecurityGroupRule, EC2.19 on the vpc module's ingress rule.
    checkRule("ec2-18-authorized-ports", SECURITY_GROUP_RULE, [
        ["https", { type: "ingress", protocol: "tcp", fromPort: 443, toPort: 443, ...ANYWHERE, securityGroupId: "sg-1" }, null],
        ["egress", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, ...ANYWHERE, securityGroupId: "sg-1" }, null],
        ["omitted", { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, securityGroupId: "sg-1" }, null],
        [
            "udp",
            { type: "ingress", protocol: "udp", fromPort: 53, toPort: 53, ...ANYWHERE, securityGroupId: "sg-1" },
            `ingress udp/53 from 0.0.0.0/0 ${ONLY_WEB}`,
        ],
    ]);
    checkRule("ec2-19-high-risk-ports", INGRESS_RULE, [
        ["https", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv6: "::/0", securityGroupId: "sg-1" }, null],
        ["omitted", { securityGroupId: "sg-1" }, null],
        [
            "opensearch",
            { ipProtocol: "tcp", fromPort: 9200, toPort: 9300, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1" },
            "ingress tcp/9200-9300 from 0.0.0.0/0 exposes high-risk port(s) 9200, 9300",
        ],
    ]);

    it("ec2-6-vpc-flow-logs: every VPC needs a FlowLog referring to it", async () => {
        const use1 = cell("use1");
        const bare = fixture(VPC, "bare-vpc", { region: "us-east-1" });
        assert.deepEqual(await flagged("ec2-6-vpc-flow-logs", [use1, ...cellNetwork(use1, "us-east-1"), bare]), [
            "bare-vpc: VPC bare-vpc has no aws:ec2/flowLog:FlowLog",
        ]);
    });

    it("ec2-6-vpc-flow-logs in preview: relates a flow log to its VPC by property dependency while the VPC id is unknown", async () => {
        const vpc = previewed(VPC, "vpc", { region: "us-east-1", id: UNKNOWN });
        const flowLog = previewed("aws:ec2/flowLog:FlowLog", "log", { vpcId: UNKNOWN }, { propertyDependencies: { vpcId: [vpc] } });
        const orphan = previewed(VPC, "orphan", { region: "us-east-1" });
        assert.deepEqual(await previewFindings("ec2-6-vpc-flow-logs", [vpc, flowLog, orphan]), [
            "orphan: VPC orphan has no aws:ec2/flowLog:FlowLog",
        ]);
    });
});
