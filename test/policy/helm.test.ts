// Helm releases under the Kubernetes rules through the charts' known workloads (policy/helm.ts):
// the table's shape, Helm's merge of values onto the chart's defaults, and k8s-helm-resources on a
// compliant, a non-compliant and an omitted-property release, plain and as `pulumi preview` passes them.
import * as assert from "node:assert/strict";
import type { Props } from "../../policy/common";
import { CHARTS, chartEntry, missingResources, valueAt } from "../../policy/helm";
import { type Row, UNKNOWN, checkRule, fixture, flagged, underEngine } from "../support/policy";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SIZED = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };
const LBC = { chart: "aws-load-balancer-controller", version: "3.5.0" };
const METRICS_SERVER = { chart: "metrics-server", version: "3.13.1" };
const FLUENT_BIT = { chart: "fluent-bit", version: "0.58.1" };
const KPS = { chart: "kube-prometheus-stack", version: "88.5.3" };

/** kube-prometheus-stack values sizing every workload the table lists for 88.5.3. */
function kpsSized(): Props {
    return {
        prometheusOperator: {
            resources: SIZED,
            prometheusConfigReloader: { resources: SIZED },
            admissionWebhooks: { patch: { resources: SIZED } },
        },
        prometheus: { prometheusSpec: { resources: SIZED } },
        alertmanager: { alertmanagerSpec: { resources: SIZED } },
        grafana: { resources: SIZED, sidecar: { resources: SIZED } },
        "kube-state-metrics": { resources: SIZED },
        "prometheus-node-exporter": { resources: SIZED },
    };
}

const MISSING_ALL = (path: string) => `${path}.requests.cpu, ${path}.requests.memory, ${path}.limits.memory not set`;

describe("policy pack: Helm releases (the charts' known workloads)", () => {
    it("holds one entry per chart and version, each workload with a resources path and its source", () => {
        const keys = CHARTS.map((entry) => `${entry.chart}@${entry.version}`);
        assert.equal(new Set(keys).size, keys.length, keys.join(", "));
        for (const entry of CHARTS) {
            assert.match(entry.readFrom.commit, /^[0-9a-f]{40}$/, `${entry.chart}: commit`);
            assert.match(entry.readFrom.read, /^\d{4}-\d{2}-\d{2}$/, `${entry.chart}: date read`);
            for (const workload of entry.workloads) {
                assert.match(workload.resources, /(^|\.)resources$/, `${entry.chart} ${workload.workload}`);
                assert.ok(workload.source.includes("values.yaml"), `${entry.chart} ${workload.workload}: source`);
            }
        }
        assert.deepEqual(chartEntry("prometheus-operator-crds", "31.0.1")?.workloads, [], "CRDs only");
        assert.equal(chartEntry("metrics-server", "3.13.2"), undefined, "a version not in the table");
    });

    it("reads a value as Helm merges the release's values onto the chart's defaults: the release wins, null deletes, absent keeps", () => {
        const defaults = { resources: { requests: { cpu: "100m", memory: "200Mi" } } };
        assert.deepEqual(valueAt({}, defaults, ["resources", "requests", "cpu"]), { value: "100m" });
        assert.deepEqual(valueAt({ resources: {} }, defaults, ["resources", "requests", "cpu"]), { value: "100m" }, "an empty map merges");
        assert.deepEqual(valueAt({ resources: { requests: { cpu: "1" } } }, defaults, ["resources", "requests", "cpu"]), { value: "1" });
        assert.deepEqual(valueAt({ resources: { requests: { cpu: null } } }, defaults, ["resources", "requests", "cpu"]), {
            value: undefined,
        });
        assert.deepEqual(valueAt({ resources: null }, defaults, ["resources", "requests", "memory"]), { value: undefined });
        assert.deepEqual(valueAt({ resources: { limits: { memory: "1Gi" } } }, defaults, ["resources", "requests", "memory"]), {
            value: "200Mi",
        });
        assert.notEqual(typeof valueAt({ resources: UNKNOWN }, defaults, ["resources", "requests", "cpu"]), "object", "unknown");
    });

    it("counts a workload only when the chart renders it with these values (the chart's default condition otherwise)", () => {
        const reloader = chartEntry("fluent-bit", "0.58.1")!.workloads.find((w) => w.resources === "hotReload.resources")!;
        assert.deepEqual(missingResources({}, reloader, false), [], "hotReload off by default");
        assert.deepEqual(missingResources({ hotReload: { enabled: true } }, reloader, false), [
            "requests.cpu",
            "requests.memory",
            "limits.memory",
        ]);
        const jobs = chartEntry("kube-prometheus-stack", "88.5.3")!.workloads.find((w) => w.resources.includes("admissionWebhooks"))!;
        assert.equal((missingResources({}, jobs, false) as string[]).length, 3, "rendered by default");
        const certManager = { prometheusOperator: { admissionWebhooks: { certManager: { enabled: true } } } };
        assert.deepEqual(missingResources(certManager, jobs, false), [], "cert-manager issues the certificates: no Jobs");
        assert.deepEqual(missingResources({ prometheusOperator: { enabled: false } }, jobs, false), []);
    });

    const rows: Row[] = [
        ["lbc-sized", { ...LBC, values: { replicaCount: 2, resources: SIZED } }, null],
        // The chart requests 100m/200Mi itself (values.yaml of 3.13.1): a memory limit completes it.
        ["metrics-server-limit-only", { ...METRICS_SERVER, values: { resources: { limits: { memory: "400Mi" } } } }, null],
        ["fluent-bit-sized", { ...FLUENT_BIT, values: { kind: "DaemonSet", resources: SIZED } }, null],
        ["kps-sized", { ...KPS, values: kpsSized() }, null],
        ["kps-grafana-off", { ...KPS, values: { ...kpsSized(), grafana: { enabled: false } } }, null],
        ["crds", { chart: "prometheus-operator-crds", version: "31.0.1", values: { crds: { annotations: { a: "keep" } } } }, null],
        [
            "lbc-omitted",
            { ...LBC, values: { replicaCount: 2 } },
            `Deployment aws-load-balancer-controller (container aws-load-balancer-controller): ${MISSING_ALL("resources")}`,
        ],
        [
            "lbc-no-values",
            { ...LBC },
            `Deployment aws-load-balancer-controller (container aws-load-balancer-controller): ${MISSING_ALL("resources")}`,
        ],
        [
            "lbc-no-limit",
            { ...LBC, values: { resources: { requests: { cpu: "100m", memory: "128Mi" } } } },
            "Deployment aws-load-balancer-controller (container aws-load-balancer-controller): resources.limits.memory not set",
        ],
        [
            "metrics-server-defaults",
            { ...METRICS_SERVER, values: { replicas: 2 } },
            "Deployment metrics-server (container metrics-server): resources.limits.memory not set",
        ],
        [
            "metrics-server-requests-deleted",
            { ...METRICS_SERVER, values: { resources: { requests: null, limits: { memory: "400Mi" } } } },
            "Deployment metrics-server (container metrics-server): resources.requests.cpu, resources.requests.memory not set",
        ],
        [
            "fluent-bit-reloader",
            { ...FLUENT_BIT, values: { resources: SIZED, hotReload: { enabled: true } } },
            `fluent-bit pod (container reloader): ${MISSING_ALL("hotReload.resources")}`,
        ],
        [
            "kps-prometheus-omitted",
            { ...KPS, values: { ...kpsSized(), prometheus: { prometheusSpec: { replicas: 2 } } } },
            `Prometheus (StatefulSet by the operator, container prometheus): ${MISSING_ALL("prometheus.prometheusSpec.resources")}`,
        ],
        [
            "karpenter-bumped",
            { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.15.0", values: { controller: { resources: SIZED } } },
            "unknown chart: oci://public.ecr.aws/karpenter/karpenter 1.15.0 is not in the chart table; add it to the table (policy/helm.ts CHARTS) with its workloads and values paths",
        ],
        [
            "other-chart",
            { chart: "cert-manager", version: "v1.19.0", values: {} },
            "unknown chart: cert-manager v1.19.0 is not in the chart table; add it to the table (policy/helm.ts CHARTS) with its workloads and values paths",
        ],
    ];
    checkRule("k8s-helm-resources", RELEASE, rows);

    it("k8s-helm-resources: every omitted workload of an unsized kube-prometheus-stack, one finding each", async () => {
        const found = await flagged("k8s-helm-resources", [fixture(RELEASE, "kps", { ...KPS, values: {} })]);
        assert.deepEqual(
            found.map((message) => message.split(": ")[1]),
            [
                "Deployment prometheus-operator",
                "config-reloader containers of the Prometheus and Alertmanager pods (operator flags)",
                "Jobs admission-create and admission-patch (webhook certificates)",
                "Prometheus (StatefulSet by the operator, container prometheus)",
                "Alertmanager (StatefulSet by the operator, container alertmanager)",
                "Deployment grafana (container grafana)",
                "Deployment grafana (sidecars grafana-sc-dashboard, grafana-sc-datasources)",
                "Deployment kube-state-metrics",
                "DaemonSet prometheus-node-exporter",
            ],
        );
    });

    it("k8s-helm-resources: requireCpuLimit asks limits.cpu too; values from valueYamlFiles cannot be judged", async () => {
        const lbc = fixture(RELEASE, "lbc", { ...LBC, values: { resources: SIZED } });
        assert.deepEqual(await flagged("k8s-helm-resources", [lbc], { "k8s-helm-resources": { requireCpuLimit: true } }), [
            "lbc: Deployment aws-load-balancer-controller (container aws-load-balancer-controller): resources.limits.cpu not set",
        ]);
        const files = fixture(RELEASE, "files", { ...LBC, values: { resources: SIZED }, valueYamlFiles: ["values.yaml"] });
        assert.deepEqual(await flagged("k8s-helm-resources", [files]), [
            "files: valueYamlFiles cannot be judged: pass the release's values as `values`",
        ]);
    });

    it("k8s-helm-resources under preview: an unknown chart or version is undecided; a known gap beside an unknown value is reported", async () => {
        assert.deepEqual(await underEngine("k8s-helm-resources", RELEASE, "r", { chart: UNKNOWN, version: "3.5.0" }), {
            violations: [],
            undecided: true,
        });
        const besideUnknown = {
            ...KPS,
            values: { ...kpsSized(), grafana: { resources: UNKNOWN, sidecar: { resources: SIZED } }, prometheus: {} },
        };
        assert.deepEqual(await underEngine("k8s-helm-resources", RELEASE, "r", besideUnknown), {
            violations: [
                `Prometheus (StatefulSet by the operator, container prometheus): ${MISSING_ALL("prometheus.prometheusSpec.resources")}`,
            ],
            undecided: false,
        });
        const onlyUnknown = {
            ...LBC,
            values: { vpcId: UNKNOWN, resources: { requests: { cpu: UNKNOWN, memory: "1Gi" }, limits: { memory: "1Gi" } } },
        };
        assert.deepEqual(await underEngine("k8s-helm-resources", RELEASE, "r", onlyUnknown), { violations: [], undecided: true });
        const vpcUnknown = { ...LBC, values: { vpcId: UNKNOWN, resources: SIZED } };
        assert.deepEqual(await underEngine("k8s-helm-resources", RELEASE, "r", vpcUnknown), { violations: [], undecided: false });
    });
});
