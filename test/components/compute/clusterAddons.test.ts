import * as assert from "node:assert/strict";
import { CLUSTER_AUTOSCALER_SA, ClusterAddons, EBS_CSI_SA } from "../../../components/compute/clusterAddons";
import { type Evaluation, EvaluationError } from "../../../plan/runtime";
import { CHARTS, KUBERNETES_VERSIONS } from "../../../regions/versions";
import { assertAllInRegion, chartOf, evaluateOf, ofType, one } from "../../support/harness";

describe("ClusterAddons", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateOf(ClusterAddons, "use1-addons", {
            region: "us-east-1",
            clusterName: "platform-test-use1",
            cluster: "platform-test-use1",
            kubernetesVersion: "1.36",
        });
    });

    it("installs CoreDNS and the EBS CSI driver as pinned EKS add-ons", () => {
        const coredns = one(ev, "aws:eks/addon:Addon", "use1-addons-coredns");
        assert.equal(coredns.inputs.addonVersion, "v1.14.3-eksbuild.16");
        assert.equal(coredns.inputs.resolveConflictsOnCreate, "OVERWRITE");
        assert.equal(coredns.inputs.resolveConflictsOnUpdate, "PRESERVE");
        const ebs = one(ev, "aws:eks/addon:Addon", "use1-addons-aws-ebs-csi-driver");
        assert.equal(ebs.inputs.addonVersion, KUBERNETES_VERSIONS["1.36"].addons["aws-ebs-csi-driver"]);
        const association = (ebs.inputs.podIdentityAssociations as { roleArn: string; serviceAccount: string }[])[0];
        assert.equal(association.serviceAccount, EBS_CSI_SA);
        assert.match(association.roleArn, /^arn:aws:iam::123456789012:role\/use1-addons-ebs-csi-role-/);
        assert.equal(
            one(ev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "use1-addons-ebs-csi-managed-0").inputs.policyArn,
            "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
        );
        const associations = ofType(ev, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((a) => a.inputs.serviceAccount);
        assert.deepEqual(associations, ["cluster-autoscaler"], "the EBS add-on's own association is the only one for its service account");
    });

    it("installs metrics-server from its pinned chart, two replicas with a PDB", () => {
        const release = one(ev, "kubernetes:helm.sh/v3:Release", "use1-addons-metrics-server");
        assert.equal(chartOf(release), "metrics-server@3.13.1 from https://kubernetes-sigs.github.io/metrics-server/ in kube-system");
        assert.deepEqual(release.inputs.values, { replicas: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } });
    });

    it("installs Cluster Autoscaler from its pinned chart, discovering this cluster's groups with the matching image", () => {
        const release = one(ev, "kubernetes:helm.sh/v3:Release", "use1-addons-cluster-autoscaler");
        assert.equal(
            chartOf(release),
            `${CHARTS.clusterAutoscaler.chart}@9.59.1 from https://kubernetes.github.io/autoscaler in kube-system`,
        );
        const values = release.inputs.values as Record<string, any>;
        assert.equal(values.cloudProvider, "aws");
        assert.equal(values.awsRegion, "us-east-1");
        assert.deepEqual(values.autoDiscovery, { clusterName: "platform-test-use1" });
        assert.deepEqual(values.image, { tag: "v1.36.1" });
        assert.deepEqual(values.rbac, { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SA } });
        assert.equal(values.extraArgs["balance-similar-node-groups"], true);
        assert.equal(values.extraArgs["skip-nodes-with-system-pods"], false);
    });

    it("scopes Cluster Autoscaler's IAM to this cluster's node groups by tag, through Pod Identity", () => {
        const role = one(ev, "aws:iam/role:Role", "use1-addons-cluster-autoscaler-role");
        const trust = JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0];
        assert.deepEqual(trust.Principal, { Service: "pods.eks.amazonaws.com" });
        assert.deepEqual(trust.Action, ["sts:AssumeRole", "sts:TagSession"]);
        const policy = JSON.parse(
            one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-addons-cluster-autoscaler-policy").inputs.policy as string,
        );
        const write = policy.Statement.find((s: { Sid: string }) => s.Sid === "ScaleOwnNodeGroupsOnly");
        assert.deepEqual(write.Action, ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
        assert.deepEqual(write.Condition, {
            StringEquals: {
                "aws:ResourceTag/k8s.io/cluster-autoscaler/platform-test-use1": "owned",
                "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
            },
        });
        const read = policy.Statement.find((s: { Sid: string }) => s.Sid === "Discover");
        assert.ok(
            read.Action.every((a: string) => /:(Describe|Get)/.test(a)),
            "the unscoped statement only reads",
        );
        const association = one(ev, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "use1-addons-cluster-autoscaler-pod-identity");
        assert.deepEqual(
            [association.inputs.namespace, association.inputs.serviceAccount, association.inputs.clusterName],
            ["kube-system", "cluster-autoscaler", "platform-test-use1"],
        );
        const release = one(ev, "kubernetes:helm.sh/v3:Release", "use1-addons-cluster-autoscaler");
        assert.ok(release.dependencies.includes(association.urn), "the autoscaler starts with its identity in place");
    });

    it("puts every regional resource in the cell's region", () => {
        assertAllInRegion(ev, "us-east-1", 3);
        assert.equal(ofType(ev, "kubernetes:helm.sh/v3:Release").length, 2);
    });
});

describe("ClusterAddons with a Kubernetes version it has no pins for", () => {
    it("fails naming the component, the pinned versions and the fix, before declaring anything", async () => {
        await assert.rejects(
            evaluateOf(ClusterAddons, "use1-addons", {
                region: "us-east-1",
                clusterName: "platform-test-use1",
                cluster: "platform-test-use1",
                kubernetesVersion: "1.99",
            }),
            (err: unknown) =>
                err instanceof EvaluationError &&
                err.message.includes(
                    `ClusterAddons "use1-addons": no add-on and chart pins for Kubernetes 1.99; pinned: ${Object.keys(KUBERNETES_VERSIONS).join(", ")} (add a row to KUBERNETES_VERSIONS in regions/versions.ts)`,
                ),
        );
    });
});
