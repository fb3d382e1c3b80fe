import * as assert from "node:assert/strict";
import { LogShipper } from "../../../components/observability/logShipper";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type Evaluation } from "../../../plan/runtime";
import { chartOf, evaluateOf, k8sProvider, one, policyOf, RELEASE } from "../../support/harness";

describe("LogShipper", () => {
    const shipper = (region: string, code: string) =>
        evaluateOf(LogShipper, `${code}-fluent-bit`, {
            region,
            clusterName: `${code}-eks`,
            domainArn: `arn:aws:es:${region}:${ACCOUNT_ID}:domain/${code}-obs-logs`,
            domainEndpoint: `vpc-${code}-obs-logs-abc.${region}.es.amazonaws.com`,
            k8sProvider: k8sProvider(),
        });
    let use1: Evaluation;
    let apse1: Evaluation;
    before(async () => {
        use1 = await shipper("us-east-1", "use1");
        apse1 = await shipper("ap-southeast-1", "apse1");
    });

    it("may only POST and PUT to its own region's domain", () => {
        for (const [ev, region, code] of [
            [use1, "us-east-1", "use1"],
            [apse1, "ap-southeast-1", "apse1"],
        ] as const) {
            const statements = policyOf(one(ev, "aws:iam/rolePolicy:RolePolicy", `${code}-fluent-bit-policy`)).Statement;
            assert.deepEqual(statements, [
                {
                    Effect: "Allow",
                    Action: ["es:ESHttpPost", "es:ESHttpPut"],
                    Resource: `arn:aws:es:${region}:${ACCOUNT_ID}:domain/${code}-obs-logs/*`,
                },
            ]);
        }
    });

    it("gets its role through EKS Pod Identity for the fluent-bit service account", () => {
        const role = one(use1, "aws:iam/role:Role", "use1-fluent-bit-role");
        // Only this cluster's fluent-bit service account (Pod Identity's session tags; compute review F14).
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-name": "use1-eks",
                        "aws:RequestTag/kubernetes-namespace": "logging",
                        "aws:RequestTag/kubernetes-service-account": "fluent-bit",
                    },
                },
            },
        ]);
        const association = one(use1, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "use1-fluent-bit-pod-identity");
        assert.equal(association.inputs.region, "us-east-1");
        assert.equal(association.inputs.clusterName, "use1-eks");
        assert.equal(association.inputs.namespace, "logging");
        assert.equal(association.inputs.serviceAccount, "fluent-bit");
        assert.match(association.inputs.roleArn as string, /^arn:aws:iam::123456789012:role\/use1-fluent-bit-role-/);
    });

    it("installs the pinned fluent-bit chart as a DaemonSet with that service account", () => {
        const release = one(use1, RELEASE, "use1-fluent-bit-release");
        assert.equal(chartOf(release), "fluent-bit@0.58.1 from https://fluent.github.io/helm-charts in logging");
        const values = release.inputs.values as Record<string, unknown>;
        assert.equal(values.kind, "DaemonSet");
        assert.deepEqual(values.serviceAccount, { create: true, name: "fluent-bit" });
        // The chart's ServiceMonitor (port http, /api/v2/metrics/prometheus) lets Prometheus see dropped records.
        assert.deepEqual(values.serviceMonitor, { enabled: true, interval: "30s" });
        assert.match(release.provider ?? "", /::k8s::/);
    });

    it("adds Kubernetes metadata and ships to its domain with SigV4 in its region", () => {
        for (const [ev, region, code] of [
            [use1, "us-east-1", "use1"],
            [apse1, "ap-southeast-1", "apse1"],
        ] as const) {
            const config = (
                one(ev, RELEASE, `${code}-fluent-bit-release`).inputs.values as { config: { filters: string; outputs: string } }
            ).config;
            assert.match(config.filters, /Name kubernetes\n\s+Match kube\.\*/);
            const outputs = config.outputs.split("[OUTPUT]").slice(1);
            assert.equal(outputs.length, 2);
            for (const output of outputs) {
                assert.match(output, /Name opensearch\n/);
                assert.match(output, new RegExp(`Host vpc-${code}-obs-logs-abc\\.${region}\\.es\\.amazonaws\\.com\\n`));
                assert.match(output, /Port 443\n\s+tls On\n\s+tls.verify On\n\s+AWS_Auth On\n/);
                assert.match(output, new RegExp(`AWS_Region ${region}\\n`));
                assert.match(output, /Suppress_Type_Name On/);
            }
            assert.match(outputs[0], /Match kube\.\*\n[\s\S]*Logstash_Prefix kube\n/);
            assert.match(outputs[1], /Match host\.\*\n[\s\S]*Logstash_Prefix node\n/);
        }
    });
});
