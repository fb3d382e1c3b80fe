// The pack under the engine's preview semantics (the analyzer's server: wire props with
// secrets and unknown sentinels, deserialised, behind the unknown-checking proxy): the cases the
// obs-policy review reproduced on the real entry point, each decided on what is known.
import * as assert from "node:assert/strict";
import { UNKNOWN, underEngine } from "../support/policy";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool";
const SECRET = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

describe("policy pack under pulumi preview (unknowns and secrets)", () => {
    const sshBesideUnknown = { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [UNKNOWN, "0.0.0.0/0"] }] };

    it("EC2.18 and EC2.19 fail on SSH open to 0.0.0.0/0 beside an unknown CIDR (the engine's proxy made them 'can't run')", async () => {
        assert.deepEqual(await underEngine("ec2-19-high-risk-ports", SG, "sg", sshBesideUnknown), {
            violations: ["ingress tcp/22 from 0.0.0.0/0 exposes high-risk port(s) 22"],
            undecided: false,
        });
        assert.deepEqual(await underEngine("ec2-18-authorized-ports", SG, "sg", sshBesideUnknown), {
            violations: ["ingress tcp/22 from 0.0.0.0/0 is open to the internet; only tcp ports 80, 443 may be"],
            undecided: false,
        });
    });

    it("EC2.19: a rule with only an unknown CIDR, or open to the internet on unknown ports, is undecided (never a pass)", async () => {
        const onlyUnknown = { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [UNKNOWN] }] };
        assert.deepEqual(await underEngine("ec2-19-high-risk-ports", SG, "sg", onlyUnknown), { violations: [], undecided: true });
        const unknownPorts = { ipProtocol: "tcp", fromPort: UNKNOWN, toPort: UNKNOWN, cidrIpv4: "0.0.0.0/0" };
        assert.deepEqual(await underEngine("ec2-19-high-risk-ports", INGRESS_RULE, "r", unknownPorts), { violations: [], undecided: true });
        // A known violation beside the undecided rule is still reported.
        const both = {
            ingress: [
                { protocol: UNKNOWN, fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
                { protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: ["0.0.0.0/0"] },
            ],
        };
        assert.deepEqual(await underEngine("ec2-19-high-risk-ports", SG, "sg", both), {
            violations: ["ingress tcp/3389 from 0.0.0.0/0 exposes high-risk port(s) 3389"],
            undecided: false,
        });
    });

    it("cloudflare-pool-has-monitor (critical) passes a pool whose monitor is another resource's unknown id, and fails one without", async () => {
        assert.deepEqual(await underEngine("cloudflare-pool-has-monitor", POOL, "p", { monitor: UNKNOWN }), {
            violations: [],
            undecided: false,
        });
        assert.equal((await underEngine("cloudflare-pool-has-monitor", POOL, "p", { name: UNKNOWN })).violations.length, 1);
    });

    it("ElastiCache.7 takes an unknown subnet group name for the group's own; EKS.2 is undecided on an unknown version", async () => {
        const group = "aws:elasticache/replicationGroup:ReplicationGroup";
        assert.deepEqual(await underEngine("elasticache-7-not-default-subnet-group", group, "g", { subnetGroupName: UNKNOWN }), {
            violations: [],
            undecided: false,
        });
        assert.deepEqual(await underEngine("eks-2-supported-version", "aws:eks/cluster:Cluster", "c", { version: UNKNOWN }), {
            violations: [],
            undecided: true,
        });
    });

    it("judges secrets by their value and never echoes a secret into a message", async () => {
        const cluster = "aws:rds/cluster:Cluster";
        const found = await underEngine("rds-24-25-custom-admin-username", cluster, "db", {
            engine: "aurora-postgresql",
            masterUsername: SECRET("postgres"),
        });
        assert.equal(found.violations.length, 1);
        assert.doesNotMatch(found.violations[0], /"postgres"/);
        assert.deepEqual(
            await underEngine("rds-24-25-custom-admin-username", cluster, "db", {
                engine: "aurora-postgresql",
                masterUsername: SECRET("platform_admin"),
            }),
            { violations: [], undecided: false },
        );
    });
});
