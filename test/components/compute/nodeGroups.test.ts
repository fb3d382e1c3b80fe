import * as assert from "node:assert/strict";
import {
    NODE_POLICIES,
    NodeGroups,
    type NodeGroupsArgs,
    amiTypeFor,
    nodeGroupProblems,
    releaseVersionParameter,
} from "../../../components/compute/nodeGroups";
import { COMPUTE_DEFAULTS } from "../../../config/compute";
import { type Evaluation } from "../../../plan/runtime";
import { catalogRegions } from "../../../regions/catalog";
import { awsFacts } from "../../support/awsFacts";
import { ofType, one, evaluateOf, assertAllInRegion } from "../../support/harness";

const ARGS: NodeGroupsArgs = {
    region: "ap-southeast-1",
    clusterName: "platform-test-apse1",
    kubernetesVersion: "1.36",
    zoneIds: ["apse1-az1", "apse1-az2", "apse1-az3"],
    subnetIds: ["subnet-0a", "subnet-0b", "subnet-0c"],
    instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
    nodesPerZone: 2,
};

describe("NodeGroups", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateOf(NodeGroups, "apse1-nodes", ARGS);
    });

    it("declares one managed node group per AZ, each in that AZ's private subnet", () => {
        const groups = ofType(ev, "aws:eks/nodeGroup:NodeGroup");
        assert.deepEqual(groups.map((g) => g.name).sort(), ["apse1-nodes-a", "apse1-nodes-b", "apse1-nodes-c"]);
        assert.deepEqual(one(ev, "aws:eks/nodeGroup:NodeGroup", "apse1-nodes-b").inputs.subnetIds, ["subnet-0b"]);
    });

    it("fixes each group's size (min = desired = max, nothing ignored: an update can never send min > desired), with auto-repair", () => {
        for (const g of ofType(ev, "aws:eks/nodeGroup:NodeGroup")) {
            assert.deepEqual(g.inputs.scalingConfig, { minSize: 2, desiredSize: 2, maxSize: 2 });
            assert.deepEqual(g.inputs.nodeRepairConfig, { enabled: true });
            assert.deepEqual(g.ignoreChanges, []);
            assert.deepEqual(g.inputs.updateConfig, { maxUnavailable: 1 });
            assert.deepEqual(g.inputs.instanceTypes, ["m7i.xlarge", "m6i.xlarge"]);
            assert.equal(g.inputs.amiType, "AL2023_x86_64_STANDARD");
            assert.equal(g.inputs.capacityType, "ON_DEMAND");
            assert.equal(g.inputs.version, "1.36");
            // The recommended AMI release of the day, read from AWS's public parameter (the plan's fake answer).
            assert.equal(g.inputs.releaseVersion, "1.36.0-20261101");
        }
    });

    it("tracks the recommended AMI release of the minor and architecture (compute review F11)", () => {
        assert.equal(
            releaseVersionParameter("1.36", ["m7i.xlarge", "m6i.xlarge"]),
            "/aws/service/eks/optimized-ami/1.36/amazon-linux-2023/x86_64/standard/recommended/release_version",
        );
        assert.equal(
            releaseVersionParameter("1.35", ["m7g.xlarge", "m6g.xlarge"]),
            "/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/arm64/standard/recommended/release_version",
        );
    });

    it("launches nodes with IMDSv2 required, hop limit 1, and encrypted gp3 root volumes", () => {
        const lt = one(ev, "aws:ec2/launchTemplate:LaunchTemplate", "apse1-nodes-lt");
        assert.deepEqual(lt.inputs.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        });
        assert.deepEqual(lt.inputs.blockDeviceMappings, [
            { deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
        ]);
        assert.equal(lt.inputs.vpcSecurityGroupIds, undefined, "no security groups: EKS attaches the cluster security group");
        for (const g of ofType(ev, "aws:eks/nodeGroup:NodeGroup")) {
            assert.ok(g.dependencies.includes(lt.urn));
            assert.equal((g.inputs.launchTemplate as { version: string }).version, "1");
        }
    });

    it("gives the nodes a role with only the node policies", () => {
        const role = one(ev, "aws:iam/role:Role", "apse1-nodes-role");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal, { Service: "ec2.amazonaws.com" });
        const attached = ofType(ev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .map((a) => a.inputs.policyArn)
            .sort();
        assert.deepEqual(attached, NODE_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`).sort());
    });

    it("puts every regional resource in the cell's region", () => {
        assertAllInRegion(ev, "ap-southeast-1", 4);
    });
});

describe("nodeGroupProblems", () => {
    it("accepts the defaults", () => {
        assert.deepEqual(nodeGroupProblems(ARGS), []);
    });

    it("names every problem", () => {
        assert.deepEqual(nodeGroupProblems({ ...ARGS, subnetIds: ["subnet-0a"], instanceTypes: ["m7g.xlarge"], nodesPerZone: 0 }), [
            "3 AZs but 1 subnets; give one private subnet per AZ",
            "1 instance type(s); give at least two so one type's shortage cannot stop scaling",
            "0 nodes per zone; need a whole number ≥ 1",
        ]);
        assert.deepEqual(nodeGroupProblems({ ...ARGS, instanceTypes: ["m7g.xlarge", "m7i.xlarge"] }), [
            "instance types mix Graviton (m7g.xlarge) and x86; one node group runs one AMI architecture",
        ]);
    });

    it("picks the AMI architecture from the instance types", () => {
        assert.equal(amiTypeFor(["m7g.xlarge", "c7gn.xlarge"]), "AL2023_ARM_64_STANDARD");
        assert.equal(amiTypeFor(["m7i.xlarge", "m6a.xlarge"]), "AL2023_x86_64_STANDARD");
    });
});

describe("default instance types", () => {
    it("exist in every catalog region (reference AWS data)", function () {
        const facts = awsFacts();
        const missing = catalogRegions().flatMap((r) =>
            COMPUTE_DEFAULTS.instanceTypes
                .filter((t) => !(facts.ec2TypesByRegion[r.name] ?? []).includes(t))
                .map((t) => `${t} in ${r.name}`),
        );
        assert.deepEqual(missing, []);
    });
});
