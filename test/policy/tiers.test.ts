// The pack against the merged tiers' real output (evaluated as their own tests build them):
// no mandatory violation, and the advisory findings listed exactly, so a tier change that
// breaks a control, or a policy change that misjudges a tier, fails here.
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { Edge } from "../../components/edge/edge";
import { Observability } from "../../components/observability/observability";
import { OBSERVABILITY_DEFAULTS } from "../../config/observability";
import { ACCOUNT_ID } from "../../plan/mocks";
import { checkPolicies } from "../../plan/policyRunner";
import { type Evaluation } from "../../plan/runtime";
import { testEdgeArgs, testEdgeCell } from "../support/cells";
import { buildData } from "../support/data";
import { evaluateComponent, evaluateOf } from "../support/harness";

const REGIONS = ["us-east-1", "eu-central-1", "ap-southeast-1"];

async function findingsOf(ev: Evaluation): Promise<string[]> {
    const violations = await checkPolicies(ev.resources, { config: {} });
    return violations.map((v) => `${v.enforcementLevel} ${v.policy} ${v.urn ? v.urn.split("::").pop() : "(stack)"}`);
}

describe("policy pack on the tiers", () => {
    it("data tier (global database, proxies, caches in three regions): no finding (the caches hold no static secret)", async () => {
        const ev = await evaluateComponent((opts) => buildData(REGIONS, undefined, opts));
        assert.deepEqual(await findingsOf(ev), []);
    });

    it("edge (Cloudflare pools, monitors, load balancer): no finding", async () => {
        const cells = REGIONS.map((r, i) => testEdgeCell(r, { primary: i === 0 }));
        const ev = await evaluateOf(Edge, "edge", testEdgeArgs(cells));
        assert.ok(ev.resources.some((r) => r.type === "cloudflare:index/loadBalancer:LoadBalancer"));
        assert.deepEqual(await findingsOf(ev), []);
    });

    it("observability (OpenSearch log domain, Fluent Bit, kube-prometheus-stack, alarms) in one region: only the one-region notice and the chart images by tag", async () => {
        const ev = await evaluateComponent((opts) => {
            const o = new Observability(
                "apse1-obs",
                {
                    region: "ap-southeast-1",
                    accountId: ACCOUNT_ID,
                    vpcId: "vpc-0123",
                    vpcCidr: "10.31.0.0/16",
                    privateSubnetIds: ["subnet-0a", "subnet-0b", "subnet-0c"],
                    endpointSecurityGroupId: "sg-0endpoints",
                    clusterName: "apse1-eks",
                    k8sProvider: new k8s.Provider("k8s", {
                        kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
                    }),
                    ...OBSERVABILITY_DEFAULTS,
                    alb: { arnSuffix: "app/apse1-api/1" },
                },
                opts,
            );
            return { topicArn: o.topicArn };
        });
        assert.ok(ev.resources.some((r) => r.type === "aws:opensearch/domain:Domain"));
        // One cell's tier evaluated alone names one region; every OpenSearch, KMS and protection rule passes,
        // and so do the Helm rules but the advisory on the charts' tag-only images (policy/README.md "Chart images").
        assert.deepEqual(await findingsOf(ev), [
            "advisory k8s-helm-image-digest apse1-obs-fluent-bit-release",
            "advisory k8s-helm-image-digest apse1-obs-metrics-release",
            "mandatory multi-region (stack)",
        ]);
    });
});
