import * as assert from "node:assert/strict";
import { INTERFACE_ENDPOINTS, Network } from "../../../components/network/network";
import { type Evaluation } from "../../../plan/runtime";
import { subnetPlan } from "../../../regions/addressPlan";
import { isRegionalAws, ofType, one, evaluateOf } from "../../support/harness";

describe("subnetPlan", () => {
    it("cuts a /16 into three /18 private subnets and /21 public and isolated subnets", () => {
        const plan = subnetPlan("10.10.0.0/16", ["use1-az1", "use1-az2", "use1-az4"]);
        assert.deepEqual(
            plan.map((s) => `${s.tier}-${s.zone} ${s.cidr}`),
            [
                "private-a 10.10.0.0/18",
                "public-a 10.10.192.0/21",
                "isolated-a 10.10.216.0/21",
                "private-b 10.10.64.0/18",
                "public-b 10.10.200.0/21",
                "isolated-b 10.10.224.0/21",
                "private-c 10.10.128.0/18",
                "public-c 10.10.208.0/21",
                "isolated-c 10.10.232.0/21",
            ],
        );
    });

    it("keeps the same shape for a /20", () => {
        const plan = subnetPlan("10.100.16.0/20", ["euc1-az1", "euc1-az2", "euc1-az3"]);
        assert.deepEqual(
            plan.filter((s) => s.zone === "a").map((s) => s.cidr),
            ["10.100.16.0/22", "10.100.28.0/25", "10.100.29.128/25"],
        );
    });

    it("refuses anything but three AZs", () => {
        assert.throws(() => subnetPlan("10.10.0.0/16", ["use1-az1", "use1-az2"]), /exactly 3 AZs, got 2/);
    });
});

describe("Network", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateOf(Network, "euc1-net", {
            region: "eu-central-1",
            cidr: "10.22.0.0/16",
            zoneIds: ["euc1-az1", "euc1-az2", "euc1-az3"],
            accountId: "123456789012",
        });
    });

    it("declares the VPC with its CIDR and DNS on", () => {
        const vpc = one(ev, "aws:ec2/vpc:Vpc", "euc1-net-vpc");
        assert.equal(vpc.inputs.cidrBlock, "10.22.0.0/16");
        assert.equal(vpc.inputs.enableDnsHostnames, true);
        assert.equal(vpc.inputs.enableDnsSupport, true);
    });

    it("puts every regional resource in the cell's region", () => {
        const regional = ev.resources.filter(isRegionalAws);
        assert.equal(regional.length, 41);
        assert.deepEqual(
            regional.filter((r) => r.inputs.region !== "eu-central-1").map((r) => r.urn),
            [],
        );
    });

    it("declares nine subnets, three per tier, one tier per AZ, none with public IPs on launch", () => {
        const subnets = ofType(ev, "aws:ec2/subnet:Subnet");
        assert.equal(subnets.length, 9);
        for (const tier of ["public", "private", "isolated"]) {
            const zones = subnets
                .filter((s) => (s.inputs.tags as Record<string, string>).Tier === tier)
                .map((s) => `${s.name} ${String(s.inputs.availabilityZoneId)} ${String(s.inputs.availabilityZone)}`)
                .sort();
            // By AZ ID, in order, named by position; never by AZ name (a different zone in each account).
            assert.deepEqual(zones, [
                `euc1-net-${tier}-a euc1-az1 undefined`,
                `euc1-net-${tier}-b euc1-az2 undefined`,
                `euc1-net-${tier}-c euc1-az3 undefined`,
            ]);
        }
        assert.ok(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false));
        assert.equal(
            (one(ev, "aws:ec2/subnet:Subnet", "euc1-net-public-a").inputs.tags as Record<string, string>)["kubernetes.io/role/elb"],
            "1",
        );
        assert.equal(
            (one(ev, "aws:ec2/subnet:Subnet", "euc1-net-private-b").inputs.tags as Record<string, string>)[
                "kubernetes.io/role/internal-elb"
            ],
            "1",
        );
    });

    it("gives each AZ its own NAT gateway in its own public subnet, and each private subnet a route through it", () => {
        const nats = ofType(ev, "aws:ec2/natGateway:NatGateway");
        assert.equal(nats.length, 3);
        for (const zone of ["a", "b", "c"]) {
            const nat = one(ev, "aws:ec2/natGateway:NatGateway", `euc1-net-nat-${zone}`);
            const publicSubnet = one(ev, "aws:ec2/subnet:Subnet", `euc1-net-public-${zone}`);
            assert.ok(nat.dependencies.includes(publicSubnet.urn), `NAT ${zone} sits in public-${zone}`);
            const routes = one(ev, "aws:ec2/routeTable:RouteTable", `euc1-net-private-${zone}-rt`);
            assert.ok(routes.dependencies.includes(nat.urn), `private-${zone} routes through NAT ${zone}`);
            assert.equal((routes.inputs.routes as { cidrBlock: string }[])[0].cidrBlock, "0.0.0.0/0");
        }
    });

    it("gives the isolated tier no route out", () => {
        assert.deepEqual(one(ev, "aws:ec2/routeTable:RouteTable", "euc1-net-isolated-rt").inputs.routes, []);
    });

    it("strips the default security group of all rules", () => {
        const sg = one(ev, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "euc1-net-default-sg");
        assert.deepEqual(sg.inputs.ingress, []);
        assert.deepEqual(sg.inputs.egress, []);
    });

    it("logs all VPC traffic to CloudWatch with a retention", () => {
        const log = one(ev, "aws:ec2/flowLog:FlowLog", "euc1-net-flow-log");
        assert.equal(log.inputs.trafficType, "ALL");
        assert.equal(log.inputs.logDestinationType, "cloud-watch-logs");
        assert.equal(one(ev, "aws:cloudwatch/logGroup:LogGroup", "euc1-net-flow-logs").inputs.retentionInDays, 365);
        // Only this account's flow logs may assume the role (confused deputy; compute review F14).
        const trust = JSON.parse(one(ev, "aws:iam/role:Role", "euc1-net-flow-logs-role").inputs.assumeRolePolicy as string);
        assert.deepEqual(trust.Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: { "aws:SourceArn": "arn:aws:ec2:eu-central-1:123456789012:vpc-flow-log/*" },
                },
            },
        ]);
    });

    it("reaches S3 through a gateway endpoint and ECR, STS, EKS Auth and Logs through private interface endpoints", () => {
        const endpoints = ofType(ev, "aws:ec2/vpcEndpoint:VpcEndpoint");
        const s3 = endpoints.find((e) => e.inputs.serviceName === "com.amazonaws.eu-central-1.s3")!;
        assert.equal(s3.inputs.vpcEndpointType, "Gateway");
        assert.equal((s3.inputs.routeTableIds as string[]).length, 4);
        const interfaces = endpoints.filter((e) => e.inputs.vpcEndpointType === "Interface");
        assert.deepEqual(
            interfaces.map((e) => e.inputs.serviceName).sort(),
            INTERFACE_ENDPOINTS.map((s) => `com.amazonaws.eu-central-1.${s}`).sort(),
        );
        assert.ok(interfaces.every((e) => e.inputs.privateDnsEnabled === true && (e.inputs.subnetIds as string[]).length === 3));
    });
});
