import * as assert from "node:assert/strict";
import {
    CLUSTER_ADMIN_POLICY,
    CONTROL_PLANE_LOG_TYPES,
    EksCluster,
    type EksClusterArgs,
    PUBLIC_ENDPOINT_TAGS,
} from "../../../components/compute/eksCluster";
import { kubeconfig } from "../../../components/compute/kubeconfig";
import { type Evaluation } from "../../../plan/runtime";
import { EXCEPTION_TAGS } from "../../../policy/aws/eks";
import { KUBERNETES_VERSIONS } from "../../../regions/versions";
import { ofType, one, promiseOf, evaluateOf, assertAllInRegion } from "../../support/harness";

const BASE: EksClusterArgs = {
    region: "eu-central-1",
    clusterName: "platform-test-euc1",
    kubernetesVersion: "1.36",
    subnetIds: ["subnet-0a", "subnet-0b", "subnet-0c"],
    deployerArn: "arn:aws:iam::123456789012:role/platform-deploy",
};

describe("EksCluster", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateOf(EksCluster, "euc1-eks", BASE);
    });

    it("pins the Kubernetes version and names the cluster", () => {
        const cluster = one(ev, "aws:eks/cluster:Cluster", "euc1-eks-cluster");
        assert.equal(cluster.inputs.version, "1.36");
        assert.equal(cluster.inputs.name, "platform-test-euc1");
        assert.deepEqual(cluster.inputs.upgradePolicy, { supportType: "EXTENDED" });
        assert.equal(cluster.inputs.bootstrapSelfManagedAddons, false);
        assert.equal(cluster.inputs.deletionProtection, true);
    });

    it("authenticates by access entries only: no implicit creator entry, the deployer's declared, the provider after it", () => {
        const cluster = one(ev, "aws:eks/cluster:Cluster", "euc1-eks-cluster");
        assert.deepEqual(cluster.inputs.accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        assert.deepEqual(
            ofType(ev, "aws:eks/accessEntry:AccessEntry").map((r) => [r.name, r.inputs.principalArn]),
            [["euc1-eks-deployer", "arn:aws:iam::123456789012:role/platform-deploy"]],
        );
        const association = one(ev, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "euc1-eks-deployer-policy");
        assert.equal(association.inputs.policyArn, CLUSTER_ADMIN_POLICY);
        const provider = ev.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.ok(provider.dependencies.includes(association.urn), "the Kubernetes provider waits for the deployer's access");
    });

    it("states the exception's tags as the pack reads them", () => {
        assert.deepEqual(PUBLIC_ENDPOINT_TAGS, EXCEPTION_TAGS);
    });

    it("envelope-encrypts secrets with a rotating, protected KMS key the cluster role may use", () => {
        const key = one(ev, "aws:kms/key:Key", "euc1-eks-secrets-key");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.protect, true);
        const cluster = one(ev, "aws:eks/cluster:Cluster", "euc1-eks-cluster");
        const encryption = cluster.inputs.encryptionConfig as { provider: { keyArn: string }; resources: string[] };
        assert.deepEqual(encryption.resources, ["secrets"]);
        assert.match(encryption.provider.keyArn, /^arn:aws:kms:eu-central-1:123456789012:key\//);
        const policy = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "euc1-eks-cluster-kms").inputs.policy as string);
        assert.equal(policy.Statement[0].Resource, encryption.provider.keyArn);
        assert.ok(policy.Statement[0].Action.includes("kms:CreateGrant"));
    });

    it("sends all five control-plane log types to a group with a retention, created first", () => {
        const cluster = one(ev, "aws:eks/cluster:Cluster", "euc1-eks-cluster");
        assert.deepEqual(cluster.inputs.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        assert.equal(CONTROL_PLANE_LOG_TYPES.length, 5);
        const logs = one(ev, "aws:cloudwatch/logGroup:LogGroup", "euc1-eks-control-plane-logs");
        assert.equal(logs.inputs.name, "/aws/eks/platform-test-euc1/cluster");
        assert.equal(logs.inputs.retentionInDays, 365);
        assert.ok(cluster.dependencies.includes(logs.urn));
    });

    it("keeps the API endpoint private by default", () => {
        const vpc = one(ev, "aws:eks/cluster:Cluster", "euc1-eks-cluster").inputs.vpcConfig as Record<string, unknown>;
        assert.equal(vpc.endpointPrivateAccess, true);
        assert.equal(vpc.endpointPublicAccess, false);
        assert.equal(vpc.publicAccessCidrs, undefined);
        assert.deepEqual(one(ev, "aws:eks/cluster:Cluster", "euc1-eks-cluster").inputs.tags, { Name: "platform-test-euc1" });
        assert.deepEqual(vpc.subnetIds, ["subnet-0a", "subnet-0b", "subnet-0c"]);
    });

    it("installs the networking add-ons at their pinned versions, NetworkPolicy enforced", () => {
        const pins = KUBERNETES_VERSIONS["1.36"].addons;
        for (const addon of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"] as const) {
            const r = one(ev, "aws:eks/addon:Addon", `euc1-eks-${addon}`);
            assert.equal(r.inputs.addonName, addon);
            assert.equal(r.inputs.addonVersion, pins[addon]);
            assert.equal(r.inputs.resolveConflictsOnCreate, "OVERWRITE");
            assert.equal(r.inputs.resolveConflictsOnUpdate, "PRESERVE");
            assert.equal("resolveConflicts" in r.inputs, false);
        }
        assert.equal(pins["vpc-cni"], "v1.22.4-eksbuild.3");
        assert.deepEqual(JSON.parse(one(ev, "aws:eks/addon:Addon", "euc1-eks-vpc-cni").inputs.configurationValues as string), {
            enableNetworkPolicy: "true",
        });
    });

    it("gives the control plane a role with the EKS cluster policy, named with the cell code", () => {
        const role = one(ev, "aws:iam/role:Role", "euc1-eks-cluster-role");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal, { Service: "eks.amazonaws.com" });
        assert.equal(
            one(ev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "euc1-eks-cluster-policy").inputs.policyArn,
            "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        );
        assert.deepEqual(
            ev.resources
                .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && !r.name.startsWith("euc1-eks-"))
                .map((r) => r.name),
            [],
        );
    });

    it("builds a Kubernetes provider from the cluster's outputs", () => {
        const provider = ev.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "euc1-eks-k8s")!;
        const config = JSON.parse(provider.rawInputs.kubeconfig as string);
        assert.match(config.clusters[0].cluster.server, /^https:\/\/[0-9A-F]{32}\.gr7\.eu-central-1\.eks\.amazonaws\.com$/);
        assert.ok(config.clusters[0].cluster["certificate-authority-data"].length > 40);
        assert.deepEqual(config.users[0].user.exec.args, [
            "eks",
            "get-token",
            "--cluster-name",
            "platform-test-euc1",
            "--region",
            "eu-central-1",
            "--output",
            "json",
        ]);
    });

    it("puts every regional resource in the cell's region", () => {
        assertAllInRegion(ev, "eu-central-1", 8);
    });
});

describe("EksCluster with an admin role and a public-endpoint exception", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateOf(EksCluster, "use1-eks", {
            ...BASE,
            region: "us-east-1",
            kubernetesVersion: "1.35",
            adminRoleArn: "arn:aws:iam::123456789012:role/platform-admins",
            publicEndpoint: { cidrs: ["203.0.113.0/24"], reason: "first deploy", until: "2026-12-16" },
        });
    });

    it("gives the admin role an access entry with the cluster-admin policy, cluster-wide", () => {
        const entry = one(ev, "aws:eks/accessEntry:AccessEntry", "use1-eks-admin");
        assert.equal(entry.inputs.principalArn, "arn:aws:iam::123456789012:role/platform-admins");
        assert.equal(entry.inputs.type, "STANDARD");
        const association = one(ev, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "use1-eks-admin-policy");
        assert.equal(association.inputs.policyArn, CLUSTER_ADMIN_POLICY);
        assert.deepEqual(association.inputs.accessScope, { type: "cluster" });
        assert.equal(association.inputs.region, "us-east-1");
    });

    it("opens the public endpoint to the listed CIDRs only, with the reason and the date tagged", () => {
        const cluster = one(ev, "aws:eks/cluster:Cluster", "use1-eks-cluster");
        const vpc = cluster.inputs.vpcConfig as Record<string, unknown>;
        assert.equal(vpc.endpointPublicAccess, true);
        assert.deepEqual(vpc.publicAccessCidrs, ["203.0.113.0/24"]);
        assert.deepEqual(cluster.inputs.tags, {
            Name: "platform-test-euc1",
            "platform/public-endpoint-reason": "first deploy",
            "platform/public-endpoint-until": "2026-12-16",
        });
    });

    it("declares two admins, the deployer and the admin role, when they differ", () => {
        assert.deepEqual(
            ofType(ev, "aws:eks/accessEntry:AccessEntry")
                .map((r) => r.name)
                .sort(),
            ["use1-eks-admin", "use1-eks-deployer"],
        );
    });

    it("pins the 1.35 add-ons for a 1.35 cluster", () => {
        assert.equal(one(ev, "aws:eks/addon:Addon", "use1-eks-kube-proxy").inputs.addonVersion, "v1.35.3-eksbuild.21");
    });
});

describe("EksCluster whose admin role is the deploy role", () => {
    it("declares one access entry for it (a second would fail with 409 ResourceInUseException)", async () => {
        const role = "arn:aws:iam::123456789012:role/platform-admins";
        const ev = await evaluateOf(EksCluster, "use1-eks", { ...BASE, region: "us-east-1", adminRoleArn: role, deployerArn: role });
        assert.deepEqual(
            ofType(ev, "aws:eks/accessEntry:AccessEntry").map((r) => [r.name, r.inputs.principalArn]),
            [["use1-eks-deployer", role]],
        );
    });
});

describe("kubeconfig", () => {
    it("gets a token with the cluster name and the region explicit", async () => {
        const text = await promiseOf(
            kubeconfig({
                clusterName: "platform-prod-use1",
                endpoint: "https://x.gr7.us-east-1.eks.amazonaws.com",
                certificateAuthorityData: "Q0E=",
                region: "us-east-1",
            }),
        );
        const config = JSON.parse(text);
        assert.equal(config.clusters[0].cluster.server, "https://x.gr7.us-east-1.eks.amazonaws.com");
        assert.equal(config.clusters[0].cluster["certificate-authority-data"], "Q0E=");
        assert.equal(config.users[0].user.exec.command, "aws");
        assert.deepEqual(config.users[0].user.exec.args, [
            "eks",
            "get-token",
            "--cluster-name",
            "platform-prod-use1",
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]);
    });
});
