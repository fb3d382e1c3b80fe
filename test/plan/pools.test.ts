/**
 * The node pools (regions/capacity/nodes.ts POOLS): the API's pods and placeholders on Karpenter's
 * nodes, every other pod but the DaemonSets on the system nodes, and the system nodes able to
 * hold those pods with one zone lost. Read from the plan: the program's own workloads, and each
 * Helm release's values at the paths its chart reads (cited below at the pinned chart versions,
 * the commits policy/helmCharts.ts records).
 */
import * as assert from "node:assert/strict";
import { type PlanResource, type PlanRun } from "../../plan/plan";
import { projectRoot, readStack } from "../../plan/stackConfig";
import { coalesce, valueAt } from "../../policy/helm";
import { chartEntry } from "../../policy/helmCharts";
import { DEFAULT_DAEMONSETS, INSTANCE_TYPES, POOL_LABEL, POOLS, nodeAllocatable } from "../../regions/capacity/nodes";
import { RELEASE, planOf, prodStack } from "../support/harness";

const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

/** A pod a chart renders outside the DaemonSets: where its replicas and its containers' resources are set. */
interface ChartPod {
    readonly pod: string;
    /** Values paths of its nodeSelector. */
    readonly nodeSelector: string;
    /** Values path of its replica count and the chart's default, or a fixed count the template writes. */
    readonly replicas: { readonly path: string; readonly chartDefault: number } | number;
    /** Values paths of its running containers' `resources` (a path twice: two containers sized by it). */
    readonly containers: readonly string[];
    readonly source: string;
}

const PODS: Readonly<Record<string, readonly ChartPod[]>> = {
    "metrics-server": [
        {
            pod: "metrics-server",
            nodeSelector: "nodeSelector",
            replicas: { path: "replicas", chartDefault: 1 },
            containers: ["resources"],
            source: "3.13.1 values.yaml:78, 185; templates/deployment.yaml:162-163",
        },
    ],
    "oci://public.ecr.aws/karpenter/karpenter": [
        {
            pod: "karpenter",
            nodeSelector: "nodeSelector",
            replicas: { path: "replicas", chartDefault: 2 },
            containers: ["controller.resources"],
            source: "1.14.1 values.yaml:49, 90-91; templates/deployment.yaml:252-255",
        },
    ],
    "aws-load-balancer-controller": [
        {
            pod: "aws-load-balancer-controller",
            nodeSelector: "nodeSelector",
            replicas: { path: "replicaCount", chartDefault: 2 },
            containers: ["resources"],
            source: "3.5.0 values.yaml:5, 78; templates/deployment.yaml:264-265",
        },
    ],
    "kube-prometheus-stack": [
        {
            pod: "prometheus-operator",
            nodeSelector: "prometheusOperator.nodeSelector",
            replicas: 1,
            containers: ["prometheusOperator.resources"],
            source: "88.5.3 values.yaml:3434; templates/prometheus-operator/deployment.yaml:19 (replicas: 1), 241-243",
        },
        {
            pod: "prometheus",
            nodeSelector: "prometheus.prometheusSpec.nodeSelector",
            replicas: { path: "prometheus.prometheusSpec.replicas", chartDefault: 1 },
            containers: ["prometheus.prometheusSpec.resources", "prometheusOperator.prometheusConfigReloader.resources"],
            source: "88.5.3 values.yaml:4421, 4589; templates/prometheus/prometheus.yaml:90-93",
        },
        {
            pod: "alertmanager",
            nodeSelector: "alertmanager.alertmanagerSpec.nodeSelector",
            replicas: { path: "alertmanager.alertmanagerSpec.replicas", chartDefault: 1 },
            containers: ["alertmanager.alertmanagerSpec.resources", "prometheusOperator.prometheusConfigReloader.resources"],
            source: "88.5.3 values.yaml:1116, 1160; templates/alertmanager/alertmanager.yaml:51-54",
        },
        {
            pod: "grafana",
            nodeSelector: "grafana.nodeSelector",
            replicas: { path: "grafana.replicas", chartDefault: 1 },
            // Grafana, and its dashboards and datasources sidecars (one resources value for both).
            containers: ["grafana.resources", "grafana.sidecar.resources", "grafana.sidecar.resources"],
            source: "grafana 12.11.1 values.yaml:51, 438; templates/_pod.tpl:1548",
        },
        {
            pod: "kube-state-metrics",
            nodeSelector: "kube-state-metrics.nodeSelector",
            replicas: { path: "kube-state-metrics.replicas", chartDefault: 1 },
            containers: ["kube-state-metrics.resources"],
            source: "kube-state-metrics 8.4.0 values.yaml:43, 360; templates/deployment.yaml:355-356",
        },
        {
            pod: "admission Jobs (run at install and upgrade, then complete)",
            nodeSelector: "prometheusOperator.admissionWebhooks.patch.nodeSelector",
            replicas: 0,
            containers: [],
            source: "88.5.3 values.yaml:3144; templates/prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml:58-60, job-patchWebhook.yaml:67-69",
        },
    ],
};

const values = (r: PlanResource) => r.inputs.values as Record<string, unknown>;

/** The release's own value at a dotted values path (the plan knows every one: no preview here). */
function at(given: unknown, dotted: string): unknown {
    const read = valueAt(given, {}, dotted.split("."));
    assert.equal(typeof read, "object", `${dotted} is known`);
    return (read as { readonly value: unknown }).value;
}

/** The default of the release's chart, at the release's version, at a resources path, as policy/helmCharts.ts records it. */
function resourcesDefault(release: PlanResource, resources: string): Record<string, unknown> {
    const entry = chartEntry(release.inputs.chart, release.inputs.version);
    return (entry?.workloads.find((w) => w.resources === resources)?.resourcesDefault ?? {}) as Record<string, unknown>;
}

/** Kubernetes quantities as millicores or MiB. */
function cpuMillis(q: unknown): number {
    const s = String(q);
    return s.endsWith("m") ? Number(s.slice(0, -1)) : Number(s) * 1000;
}
function memoryMiB(q: unknown): number {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(String(q));
    assert.ok(m, `memory quantity ${String(q)}`);
    return Number(m[1]) * ({ Ki: 1 / 1024, Mi: 1, Gi: 1024 } as Record<string, number>)[m[2] ?? "Mi"];
}

interface PodRequests {
    readonly name: string;
    readonly replicas: number;
    readonly cpuMillis: number;
    readonly memoryMiB: number;
}

function systemPods(plan: PlanRun["plan"], cell: string): PodRequests[] {
    const out: PodRequests[] = [];
    for (const release of plan.resources.filter((r) => r.type === RELEASE && r.name.startsWith(`${cell}-`))) {
        const chart = String(release.inputs.chart);
        for (const pod of PODS[chart] ?? []) {
            const given = values(release);
            const replicas =
                typeof pod.replicas === "number" ? pod.replicas : Number(at(given, pod.replicas.path) ?? pod.replicas.chartDefault);
            let cpu = 0;
            let memory = 0;
            for (const resources of pod.containers) {
                const merged = coalesce(at(given, resources), resourcesDefault(release, resources)) as {
                    requests?: { cpu?: unknown; memory?: unknown };
                };
                assert.ok(
                    merged?.requests?.cpu !== undefined && merged.requests.memory !== undefined,
                    `${cell} ${pod.pod}: requests at ${resources}`,
                );
                cpu += cpuMillis(merged.requests.cpu);
                memory += memoryMiB(merged.requests.memory);
            }
            out.push({ name: `${chart} ${pod.pod}`, replicas, cpuMillis: cpu, memoryMiB: memory });
        }
    }
    return out;
}

describe("node pools", function () {
    this.timeout(600_000);
    const stacks = () => [prodStack(), readStack(projectRoot(), "staging")];

    it("puts the API's pods and placeholders on Karpenter's pool, and the NodePool and the system groups label their nodes so", async () => {
        for (const stack of stacks()) {
            const { plan } = await planOf(stack);
            const workloads = plan.resources.filter((r) => WORKLOADS.includes(r.type));
            assert.ok(workloads.length > 0);
            for (const w of workloads) {
                const selector = ((w.inputs.spec as { template: { spec: { nodeSelector?: Record<string, string> } } }).template.spec
                    .nodeSelector ?? {})[POOL_LABEL];
                assert.equal(selector, POOLS.api, `${stack.stack} ${w.name}: nodeSelector ${POOL_LABEL}`);
            }
            const pools = plan.resources.filter((r) => r.type === "kubernetes:karpenter.sh/v1:NodePool");
            assert.ok(pools.length > 0);
            for (const p of pools)
                assert.equal(
                    (p.inputs.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels[POOL_LABEL],
                    POOLS.api,
                );
            for (const g of plan.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup"))
                assert.equal((g.inputs.labels as Record<string, string>)[POOL_LABEL], POOLS.system, g.name);
        }
    });

    it("puts every pod of every Helm release but its DaemonSets on the system pool, at the paths the charts read", async () => {
        for (const stack of stacks()) {
            const { plan } = await planOf(stack);
            const releases = plan.resources.filter((r) => r.type === RELEASE);
            const charts = new Set(releases.map((r) => String(r.inputs.chart)));
            // Fluent Bit runs as a DaemonSet (every node's logs); the CRD chart renders no pod.
            assert.deepEqual([...charts].filter((c) => !(c in PODS)).sort(), ["fluent-bit", "prometheus-operator-crds"]);
            for (const release of releases.filter((r) => r.inputs.chart === "kube-prometheus-stack"))
                for (const spec of ["prometheus.prometheusSpec", "alertmanager.alertmanagerSpec"]) {
                    // Each replica binds a zonal volume where it first runs: the replicas prefer different zones.
                    assert.equal(
                        at(values(release), `${spec}.podAntiAffinityTopologyKey`),
                        "topology.kubernetes.io/zone",
                        `${release.name} ${spec}`,
                    );
                    assert.equal(
                        at(values(release), `${spec}.podAntiAffinity`),
                        undefined,
                        "the chart's soft default (88.5.3 values.yaml:1174, 4628)",
                    );
                }
            for (const release of releases)
                for (const pod of PODS[String(release.inputs.chart)] ?? []) {
                    assert.deepEqual(
                        at(values(release), pod.nodeSelector),
                        { [POOL_LABEL]: POOLS.system },
                        `${stack.stack} ${release.name} ${pod.pod}: ${pod.nodeSelector}`,
                    );
                }
        }
    });

    it("holds every system pod on the system nodes with one zone's nodes lost, after the DaemonSets' budget", async () => {
        for (const stack of stacks()) {
            const { plan } = await planOf(stack);
            const groups = plan.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
            for (const cell of [...new Set(groups.map((g) => g.name.split("-")[0]))]) {
                const cellGroups = groups.filter((g) => g.name.startsWith(`${cell}-`));
                const sizes = cellGroups.map((g) => (g.inputs.scalingConfig as { desiredSize: number }).desiredSize);
                const nodes = sizes.reduce((n, s) => n + s, 0);
                // One group per zone: a zone lost takes its group's nodes.
                const left = nodes - Math.max(...sizes);
                const types = new Set(cellGroups.flatMap((g) => g.inputs.instanceTypes as string[]));
                // The smallest type a group may launch.
                const node = [...types]
                    .map((t) => nodeAllocatable(INSTANCE_TYPES[t]))
                    .reduce((a, b) => (a.cpuMillis * a.memoryMiB <= b.cpuMillis * b.memoryMiB ? a : b));
                const free = {
                    cpuMillis: node.cpuMillis - DEFAULT_DAEMONSETS.cpuMillis,
                    memoryMiB: node.memoryMiB - DEFAULT_DAEMONSETS.memoryMiB,
                };
                const pods = systemPods(plan, cell);
                assert.ok(pods.length >= 8, `${stack.stack} ${cell}: ${pods.map((p) => p.name).join(", ")}`);
                const sum = (f: (p: PodRequests) => number) => pods.reduce((s, p) => s + p.replicas * f(p), 0);
                const [cpu, memory] = [sum((p) => p.cpuMillis), sum((p) => p.memoryMiB)];
                const label = `${stack.stack} ${cell}: ${cpu}m / ${memory} MiB requested on ${nodes} nodes of ${free.cpuMillis}m / ${free.memoryMiB} MiB free`;
                assert.ok(cpu <= left * free.cpuMillis, label);
                assert.ok(memory <= left * free.memoryMiB, label);
                for (const p of pods) assert.ok(p.cpuMillis <= free.cpuMillis && p.memoryMiB <= free.memoryMiB, `${label}: ${p.name}`);
            }
        }
    });
});
