import * as assert from "node:assert/strict";
import { ClusterAddons, EBS_CSI_SA } from "../../../components/compute/clusterAddons";
import { type Evaluation, EvaluationError } from "../../../plan/runtime";
import { KUBERNETES_VERSIONS } from "../../../regions/versions";
import { assertAllInRegion, chartOf, evaluateOf, ofType, one } from "../../support/harness";

describe("ClusterAddons", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateOf(ClusterAddons, "use1-addons", {
            region: "us-east-1",
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
        assert.deepEqual(associations, [], "the EBS add-on's own association is the only one for its service account");
    });

    it("installs metrics-server from its pinned chart, two replicas with a PDB, spread softly over zones and hosts, after CoreDNS", () => {
        const release = one(ev, "kubernetes:helm.sh/v3:Release", "use1-addons-metrics-server");
        assert.equal(chartOf(release), "metrics-server@3.13.1 from https://kubernetes-sigs.github.io/metrics-server/ in kube-system");
        const spread = (topologyKey: string) => ({
            maxSkew: 1,
            topologyKey,
            whenUnsatisfiable: "ScheduleAnyway",
            nodeTaintsPolicy: "Honor",
            labelSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-server" } },
        });
        assert.deepEqual(release.inputs.values, {
            replicas: 2,
            // A memory limit beside the chart's own requests (100m/200Mi), which Helm merges in.
            resources: { limits: { memory: "400Mi" } },
            podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
            nodeSelector: { "platform/pool": "system" },
            topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
        });
        assert.ok(release.dependencies.includes(one(ev, "aws:eks/addon:Addon", "use1-addons-coredns").urn));
    });

    it("puts every regional resource in the cell's region", () => {
        assertAllInRegion(ev, "us-east-1", 2);
        assert.equal(ofType(ev, "kubernetes:helm.sh/v3:Release").length, 1);
    });
});

describe("ClusterAddons with a Kubernetes version it has no pins for", () => {
    it("fails naming the component, the pinned versions and the fix, before declaring anything", async () => {
        await assert.rejects(
            evaluateOf(ClusterAddons, "use1-addons", { region: "us-east-1", cluster: "platform-test-use1", kubernetesVersion: "1.99" }),
            (err: unknown) =>
                err instanceof EvaluationError &&
                err.message.includes(
                    `ClusterAddons "use1-addons": no add-on and chart pins for Kubernetes 1.99; pinned: ${Object.keys(KUBERNETES_VERSIONS).join(", ")} (add a row to KUBERNETES_VERSIONS in regions/versions.ts)`,
                ),
        );
    });
});
