// Helm releases under the Kubernetes rules through the charts' known workloads (policy/helm.ts):
// the table's shape, Helm's merge of values onto the chart's defaults, and each Helm rule
// (k8s-helm-resources, -pod-security-restricted, -probes, -image-digest) on compliant,
// non-compliant, omitted-property and chart-default releases, plain and as `pulumi preview` passes them.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../plan/stackConfig";
import type { Props } from "../../policy/common";
import { coalesce, favourable, holds, missingResources, releaseValue, rendered, unmodelledContainers, valueAt } from "../../policy/helm";
import { CHARTS, chartEntry, exemptions } from "../../policy/helmCharts";
import { RESTRICTED_COMPLIANT, RESTRICTED_FIELDS, restrictedProblems } from "../../policy/kubernetes";
import { RELEASE } from "../support/harness";
import { type Row, UNKNOWN, checkRule, findings, fixture, flagged, underEngine } from "../support/policy";

const SIZED = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };
const LBC = { chart: "aws-load-balancer-controller", version: "3.5.0" };
const KARPENTER_CHART = { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.14.1" };
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

/** k8s-helm-resources' finding for a values path of `chart`'s entry that adds a container the table does not model. */
function unmodelled(chart: { chart: string; version: string }, path: string): string {
    const added = chartEntry(chart.chart, chart.version)!.addsContainers.find((a) => a.path === path);
    assert.ok(added, `${chart.chart}: ${path} in addsContainers`);
    return `${path} adds a container through values that CHARTS does not model (${added.adds}; ${added.source}): model it in policy/helmCharts.ts CHARTS so the Helm rules judge it`;
}

describe("policy pack: Helm releases (the charts' known workloads)", () => {
    it("holds one entry per chart and version, each workload with a resources path and its source", () => {
        const keys = CHARTS.map((entry) => `${entry.chart}@${entry.version}`);
        assert.equal(new Set(keys).size, keys.length, keys.join(", "));
        for (const entry of CHARTS) {
            assert.match(entry.readFrom.commit, /^[0-9a-f]{40}$/, `${entry.chart}: commit`);
            assert.match(entry.readFrom.read, /^\d{4}-\d{2}-\d{2}$/, `${entry.chart}: date read`);
            for (const workload of entry.workloads) {
                const at = `${entry.chart} ${workload.workload}`;
                assert.match(workload.resources, /(^|\.)resources$/, at);
                assert.ok(workload.source.includes("values.yaml"), `${at}: source`);
                const { security, probes, images } = workload;
                assert.ok(security.pods.length > 0 && security.containers.length > 0, `${at}: pods and containers`);
                assert.match(security.source, /\.(yaml|go|tpl):\d+/, `${at}: security source`);
                for (const context of [...security.pods, ...security.containers].map((c) => c.context))
                    assert.ok(context.path !== undefined || context.fixed !== undefined, `${at}: a context from values or fixed`);
                for (const field of security.exempt?.fields ?? []) assert.ok(RESTRICTED_FIELDS.includes(field), `${at}: ${field}`);
                assert.match(probes.source, /\.(yaml|go|tpl)(:\d+)?/, `${at}: probes source`);
                assert.ok(images.length > 0, `${at}: images`);
                for (const image of images) {
                    assert.match(image.source, /\.(yaml|tpl):\d+/, `${at}: image source`);
                    assert.ok(image.digest !== undefined || image.tagTakesDigest === true, `${at}: somewhere to pin ${image.container}`);
                }
            }
        }
        for (const entry of CHARTS)
            for (const added of entry.addsContainers) {
                const at = `${entry.chart} ${added.path}`;
                assert.match(added.source, /\.(yaml|tpl|go):\d+/, `${at}: source`);
                assert.ok(
                    added.when.some((c) => c.path === added.path),
                    `${at}: a condition on its own path`,
                );
            }
        // Manifests a release adds whole (a DaemonSet among them) are reported like added containers.
        const kpsEntry = chartEntry("kube-prometheus-stack", "88.5.3")!;
        assert.deepEqual(
            unmodelledContainers(
                {
                    extraManifests: [{ kind: "DaemonSet" }],
                    grafana: { extraObjects: [{ kind: "Deployment" }] },
                    "kube-state-metrics": { extraManifests: [{ kind: "Pod" }] },
                    "prometheus-node-exporter": { extraManifests: ["kind: Job"] },
                    crds: { upgradeJob: { enabled: true } },
                },
                kpsEntry,
            ).map((a) => a.path),
            [
                "extraManifests",
                "crds.upgradeJob.enabled",
                "grafana.extraObjects",
                "kube-state-metrics.extraManifests",
                "prometheus-node-exporter.extraManifests",
            ],
        );
        assert.deepEqual(
            unmodelledContainers(
                { crds: { enabled: false, upgradeJob: { enabled: true } }, grafana: { enabled: false, extraObjects: [{}] } },
                kpsEntry,
            ),
            [],
            "not rendered when its subchart is off",
        );
        // The charts' defaults add no container the table does not model (else it would model it).
        for (const entry of CHARTS) assert.deepEqual(unmodelledContainers({}, entry), [], `${entry.chart}: defaults`);
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

    it("reads a null part-way along a path as Helm does, the whole subtree deleted, in the merge and in the release's own value alike", () => {
        const defaults = { sidecar: { dashboards: { enabled: true } } };
        assert.deepEqual(valueAt({ sidecar: null }, defaults, ["sidecar", "dashboards", "enabled"]), { value: undefined });
        assert.deepEqual(releaseValue({ sidecar: null }, "sidecar.dashboards.enabled"), { value: null }, "deleted, not unset");
        assert.deepEqual(releaseValue({ sidecar: {} }, "sidecar.dashboards.enabled"), { value: undefined }, "unset: the default");
        assert.deepEqual(releaseValue({}, "sidecar.dashboards.enabled"), { value: undefined });
        // So a condition whose default is on is off once a map above it is deleted.
        const on = { path: "grafana.sidecar.dashboards.enabled", byDefault: true };
        assert.equal(holds({ grafana: { sidecar: null } }, on), false);
        assert.equal(holds({ grafana: { sidecar: {} } }, on), true);
        assert.equal(holds({ grafana: null }, on), false);
        // A subchart's condition is read as Helm reads dependency conditions: only a bool changes it.
        const grafanaOn = { path: "grafana.enabled", byDefault: true, dependency: true } as const;
        assert.equal(holds({ grafana: null }, grafanaOn), true, "null keeps the subchart (helm pkg/chartutil/dependencies.go)");
        assert.equal(holds({ grafana: { enabled: null } }, grafanaOn), true);
        assert.equal(holds({ grafana: { enabled: "false" } }, grafanaOn), true, "a string is no bool");
        assert.equal(holds({ grafana: { enabled: false } }, grafanaOn), false);
        const kps = chartEntry("kube-prometheus-stack", "88.5.3")!;
        const grafanaRow = kps.workloads.find((w) => w.resources === "grafana.resources")!;
        assert.equal(rendered({ grafana: null }, grafanaRow), true, "grafana: null still installs Grafana");
        const kind = { path: "kind", byDefault: "DaemonSet", equals: "DaemonSet" };
        assert.equal(holds({}, kind), true, "the chart's default kind");
        assert.equal(holds({ kind: "Deployment" }, kind), false);
        assert.equal(holds({ kind: null }, kind), false, "deleted: equal to nothing");
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

    it("renders each Grafana sidecar on its own condition, and the config reloaders in each pod the chart renders", () => {
        const kps = chartEntry("kube-prometheus-stack", "88.5.3")!;
        const row = (name: string) => kps.workloads.find((w) => w.workload.includes(name))!;
        const [dashboard, datasources] = [row("sidecar grafana-sc-dashboard"), row("sidecar grafana-sc-datasources")];
        assert.deepEqual([rendered({}, dashboard), rendered({}, datasources)], [true, true], "kps turns both on");
        const initDashboards = { grafana: { sidecar: { dashboards: { initDashboards: true } } } };
        assert.deepEqual([rendered(initDashboards, dashboard), rendered(initDashboards, datasources)], [false, true]);
        const noDatasources = { grafana: { sidecar: { datasources: { enabled: false } } } };
        assert.deepEqual([rendered(noDatasources, dashboard), rendered(noDatasources, datasources)], [true, false]);
        const reloaders = row("config-reloader");
        assert.equal(rendered({ alertmanager: { enabled: false } }, reloaders), true, "in the Prometheus pod");
        assert.equal(rendered({ prometheus: { enabled: false }, alertmanager: { enabled: false } }, reloaders), false, "in no pod");
        assert.deepEqual(missingResources({ prometheus: { enabled: false }, alertmanager: { enabled: false } }, reloaders, false), []);
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
        // Container-adding values left empty, or under a subchart that is off: nothing added.
        ["fluent-bit-extra-empty", { ...FLUENT_BIT, values: { resources: SIZED, extraContainers: [], initContainers: "" } }, null],
        [
            "kps-permission-fix-exporter-off",
            {
                ...KPS,
                values: {
                    ...kpsSized(),
                    nodeExporter: { enabled: false },
                    "prometheus-node-exporter": { permissionInitContainer: { fixes: { rapl: true } } },
                },
            },
            null,
        ],
        [
            "fluent-bit-extra-containers",
            { ...FLUENT_BIT, values: { resources: SIZED, extraContainers: [{ name: "tail", image: "busybox" }] } },
            unmodelled(FLUENT_BIT, "extraContainers"),
        ],
        [
            "fluent-bit-init-template",
            { ...FLUENT_BIT, values: { resources: SIZED, initContainers: "- name: wait\n  image: busybox" } },
            unmodelled(FLUENT_BIT, "initContainers"),
        ],
        [
            "karpenter-sidecar",
            { ...KARPENTER_CHART, values: { controller: { resources: SIZED, sidecarContainer: [{ name: "proxy", image: "envoy" }] } } },
            unmodelled(KARPENTER_CHART, "controller.sidecarContainer"),
        ],
        [
            "kps-permission-fix",
            {
                ...KPS,
                values: {
                    ...kpsSized(),
                    "prometheus-node-exporter": { resources: SIZED, permissionInitContainer: { fixes: { rapl: true } } },
                },
            },
            unmodelled(KPS, "prometheus-node-exporter.permissionInitContainer.fixes.rapl"),
        ],
        [
            "kps-added-everywhere",
            {
                ...KPS,
                values: {
                    ...kpsSized(),
                    prometheus: {
                        prometheusSpec: { resources: SIZED, containers: [{ name: "prometheus", securityContext: { runAsUser: 0 } }] },
                    },
                    alertmanager: { alertmanagerSpec: { resources: SIZED, containers: [{ name: "oauth-proxy", image: "oauth2-proxy" }] } },
                    grafana: { resources: SIZED, sidecar: { resources: SIZED, alerts: { enabled: true } }, extraContainers: "- name: x" },
                    "kube-state-metrics": { resources: SIZED, kubeRBACProxy: { enabled: true } },
                },
            },
            [
                "prometheus.prometheusSpec.containers",
                "alertmanager.alertmanagerSpec.containers",
                "grafana.sidecar.alerts.enabled",
                "grafana.extraContainers",
                "kube-state-metrics.kubeRBACProxy.enabled",
            ].map((path) => unmodelled(KPS, path)),
        ],
        [
            // The init variant replaces the running sidecar: the table's sc-dashboard row is not rendered, the init container is reported.
            "kps-init-dashboards",
            {
                ...KPS,
                values: {
                    ...kpsSized(),
                    grafana: { resources: SIZED, sidecar: { resources: SIZED, dashboards: { initDashboards: true } } },
                },
            },
            unmodelled(KPS, "grafana.sidecar.dashboards.initDashboards"),
        ],
        [
            "karpenter-bumped",
            { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.15.0", values: { controller: { resources: SIZED } } },
            "unknown chart: oci://public.ecr.aws/karpenter/karpenter 1.15.0 is not in the chart table; add it to the table (policy/helmCharts.ts CHARTS) with its workloads and values paths",
        ],
        [
            "other-chart",
            { chart: "cert-manager", version: "v1.19.0", values: {} },
            "unknown chart: cert-manager v1.19.0 is not in the chart table; add it to the table (policy/helmCharts.ts CHARTS) with its workloads and values paths",
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
                "Deployment grafana (sidecar grafana-sc-dashboard)",
                "Deployment grafana (sidecar grafana-sc-datasources)",
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

const KARPENTER = { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.14.1" };
const HEX = "4f1c8e0b7a9d2c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0";
/** The restricted fields the LBC chart's default context lacks, as the program sets them. */
const LBC_RESTRICTED = { capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
/** node-exporter's missing restricted fields, as the program sets them (components/observability/monitoring.ts). */
const NODE_EXPORTER_RESTRICTED = {
    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
};
const FLUENT_BIT_ROOT = {
    runAsUser: 0,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
const NODE_EXPORTER_DEFAULTS =
    "DaemonSet prometheus-node-exporter: allowPrivilegeEscalation is not set (default true); capabilities.drop does not include ALL; seccompProfile.type is not set (pod or container); use RuntimeDefault";

describe("policy pack: Helm releases under the restricted fields, probes and digests", () => {
    it("merges a release's map onto the chart's default key by key; null deletes; an unknown stays", () => {
        const defaults = { runAsNonRoot: true, capabilities: { drop: ["ALL"] } };
        assert.deepEqual(coalesce({ capabilities: { add: ["NET_ADMIN"] } }, defaults), {
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"], add: ["NET_ADMIN"] },
        });
        assert.deepEqual(coalesce({ runAsNonRoot: null }, defaults), { capabilities: { drop: ["ALL"] } });
        assert.equal(coalesce(null, defaults), undefined);
        assert.deepEqual(coalesce(undefined, defaults), defaults);
        assert.deepEqual(coalesce({ capabilities: UNKNOWN }, defaults), { runAsNonRoot: true, capabilities: UNKNOWN });
    });

    it("puts the compliant value in place of an unknown one (known values stay, violations beside unknowns remain)", () => {
        const calls: string[] = [];
        const mark = () => calls.push("unknown");
        assert.deepEqual(
            restrictedProblems(
                { containers: [], securityContext: RESTRICTED_COMPLIANT.pod },
                { name: "c", securityContext: RESTRICTED_COMPLIANT.container },
            ),
            [],
            "the compliant contexts meet every field",
        );
        assert.deepEqual(favourable(UNKNOWN, RESTRICTED_COMPLIANT.container, mark), RESTRICTED_COMPLIANT.container);
        assert.deepEqual(
            favourable(
                { privileged: true, capabilities: { drop: [UNKNOWN], add: [UNKNOWN, "SYS_ADMIN"] } },
                RESTRICTED_COMPLIANT.container,
                mark,
            ),
            { privileged: true, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } },
        );
        assert.equal(calls.length, 3);
    });

    it("records each exemption with the fields it waives, its reason and its source", () => {
        assert.deepEqual(
            exemptions().map((e) => `${e.chart} | ${e.workload} | ${e.rule} | ${e.fields.join(", ")}`),
            [
                "fluent-bit 0.58.1 | DaemonSet or Deployment (by `kind`) fluent-bit (container fluent-bit) | k8s-helm-pod-security-restricted | runAsNonRoot, runAsUser",
                "fluent-bit 0.58.1 | DaemonSet or Deployment (by `kind`) fluent-bit (container fluent-bit) | not judged (host access) | hostPath volumes (daemonSetVolumes: /var/log, /etc/machine-id, the state directory)",
                "kube-prometheus-stack 88.5.3 | Deployment grafana (sidecar grafana-sc-dashboard) | k8s-helm-probes | readinessProbe, livenessProbe",
                "kube-prometheus-stack 88.5.3 | Deployment grafana (sidecar grafana-sc-datasources) | k8s-helm-probes | readinessProbe, livenessProbe",
                "kube-prometheus-stack 88.5.3 | DaemonSet prometheus-node-exporter | not judged (host access) | hostNetwork, hostPID, hostPath volumes (/proc, /sys, / at /host/root)",
            ],
        );
        // policy/README.md lists them, one row each.
        const readme = readFileSync(path.join(projectRoot(), "policy", "README.md"), "utf8");
        const table = readme.split("## Helm workloads: exemptions")[1].split("\n## ")[0];
        assert.equal(
            table.split("\n").filter((line) => /^\| (fluent-bit|kube-prometheus-stack|metrics-server|aws-|oci:)/.test(line)).length,
            exemptions().length,
        );
        for (const e of exemptions()) {
            assert.ok(table.includes(`| ${e.chart} |`), `${e.chart} in policy/README.md`);
            assert.ok(e.exemption.reason.length > 40, `${e.workload}: a reason`);
            assert.match(e.exemption.source, /\.(ts|yaml|tpl|md)/, `${e.workload}: a source`);
        }
    });

    const security: Row[] = [
        ["lbc-program", { ...LBC, values: { resources: SIZED, securityContext: LBC_RESTRICTED } }, null],
        // The chart's own context is complete (3.13.1 values.yaml:55-64): nothing to set.
        ["metrics-server-defaults", { ...METRICS_SERVER, values: { replicas: 2 } }, null],
        // The template writes the restricted fields itself (deployment.yaml:65-74); the pod's seccomp is the chart's.
        ["karpenter-defaults", { ...KARPENTER }, null],
        ["kps-program", { ...KPS, values: { "prometheus-node-exporter": NODE_EXPORTER_RESTRICTED } }, null],
        // Root is exempt (a log collector reading root-owned host files); every other field is judged.
        ["fluent-bit-root", { ...FLUENT_BIT, values: { securityContext: FLUENT_BIT_ROOT } }, null],
        ["crds", { chart: "prometheus-operator-crds", version: "31.0.1" }, null],
        [
            "lbc-chart-default",
            { ...LBC, values: { resources: SIZED } },
            "Deployment aws-load-balancer-controller (container aws-load-balancer-controller): capabilities.drop does not include ALL; seccompProfile.type is not set (pod or container); use RuntimeDefault",
        ],
        [
            "lbc-no-values",
            { ...LBC },
            "Deployment aws-load-balancer-controller (container aws-load-balancer-controller): capabilities.drop does not include ALL; seccompProfile.type is not set (pod or container); use RuntimeDefault",
        ],
        [
            "metrics-server-escalates",
            { ...METRICS_SERVER, values: { securityContext: { allowPrivilegeEscalation: true } } },
            "Deployment metrics-server (container metrics-server): allowPrivilegeEscalation is true",
        ],
        [
            "metrics-server-context-deleted",
            { ...METRICS_SERVER, values: { securityContext: null } },
            "Deployment metrics-server (container metrics-server): runAsNonRoot is not set (pod or container); allowPrivilegeEscalation is not set (default true); capabilities.drop does not include ALL; seccompProfile.type is not set (pod or container); use RuntimeDefault",
        ],
        [
            "karpenter-unconfined",
            { ...KARPENTER, values: { controller: { securityContext: { seccompProfile: { type: "Unconfined" } } } } },
            "Deployment karpenter (container controller): seccompProfile.type is Unconfined; use RuntimeDefault",
        ],
        ["kps-chart-defaults", { ...KPS, values: {} }, NODE_EXPORTER_DEFAULTS],
        [
            "kps-ksm-pod-context-off",
            {
                ...KPS,
                values: {
                    "prometheus-node-exporter": NODE_EXPORTER_RESTRICTED,
                    "kube-state-metrics": { securityContext: { enabled: false } },
                },
            },
            "Deployment kube-state-metrics: runAsNonRoot is not set (pod or container); seccompProfile.type is not set (pod or container); use RuntimeDefault",
        ],
        [
            "kps-prometheus-root",
            {
                ...KPS,
                values: {
                    "prometheus-node-exporter": NODE_EXPORTER_RESTRICTED,
                    prometheus: { prometheusSpec: { securityContext: { runAsUser: 0 } } },
                },
            },
            [
                "config-reloader containers of the Prometheus and Alertmanager pods (operator flags) in Prometheus: runAsUser is 0 (root)",
                "Prometheus (StatefulSet by the operator, container prometheus): runAsUser is 0 (root)",
            ],
        ],
        [
            "kps-patch-job-escalates",
            {
                ...KPS,
                values: {
                    "prometheus-node-exporter": NODE_EXPORTER_RESTRICTED,
                    prometheusOperator: { admissionWebhooks: { patchWebhookJob: { securityContext: { allowPrivilegeEscalation: true } } } },
                },
            },
            "Jobs admission-create and admission-patch (webhook certificates) container patch: allowPrivilegeEscalation is true",
        ],
        // Root is waived for the DaemonSet only: a Deployment reads no node logs.
        ["fluent-bit-daemonset-root", { ...FLUENT_BIT, values: { kind: "DaemonSet", securityContext: FLUENT_BIT_ROOT } }, null],
        [
            "fluent-bit-deployment-root",
            { ...FLUENT_BIT, values: { kind: "Deployment", securityContext: FLUENT_BIT_ROOT } },
            "DaemonSet or Deployment (by `kind`) fluent-bit (container fluent-bit): runAsNonRoot is not set (pod or container); runAsUser is 0 (root)",
        ],
        // Alertmanager off: the config reloader runs in the Prometheus pod only, and Alertmanager's context is not judged.
        [
            "kps-alertmanager-off-root",
            {
                ...KPS,
                values: {
                    "prometheus-node-exporter": NODE_EXPORTER_RESTRICTED,
                    alertmanager: { enabled: false, alertmanagerSpec: { securityContext: { runAsUser: 0 } } },
                },
            },
            null,
        ],
        [
            "kps-alertmanager-root",
            {
                ...KPS,
                values: {
                    "prometheus-node-exporter": NODE_EXPORTER_RESTRICTED,
                    alertmanager: { alertmanagerSpec: { securityContext: { runAsUser: 0 } } },
                },
            },
            [
                "config-reloader containers of the Prometheus and Alertmanager pods (operator flags) in Alertmanager: runAsUser is 0 (root)",
                "Alertmanager (StatefulSet by the operator, container alertmanager): runAsUser is 0 (root)",
            ],
        ],
        [
            "fluent-bit-privileged",
            {
                ...FLUENT_BIT,
                values: { securityContext: { ...FLUENT_BIT_ROOT, privileged: true, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } } },
            },
            "DaemonSet or Deployment (by `kind`) fluent-bit (container fluent-bit): securityContext.privileged is true; capabilities.add has SYS_ADMIN (only NET_BIND_SERVICE is allowed)",
        ],
        [
            "fluent-bit-omitted",
            { ...FLUENT_BIT, values: { kind: "DaemonSet" } },
            "DaemonSet or Deployment (by `kind`) fluent-bit (container fluent-bit): allowPrivilegeEscalation is not set (default true); capabilities.drop does not include ALL; seccompProfile.type is not set (pod or container); use RuntimeDefault",
        ],
    ];
    checkRule("k8s-helm-pod-security-restricted", RELEASE, security);

    it("k8s-helm-pod-security-restricted under preview: a known violation beside unknown values is reported; unknowns alone are undecided", async () => {
        const besideUnknown = {
            ...KPS,
            values: { grafana: { securityContext: UNKNOWN, containerSecurityContext: { capabilities: { drop: [UNKNOWN] } } } },
        };
        assert.deepEqual(await underEngine("k8s-helm-pod-security-restricted", RELEASE, "r", besideUnknown), {
            violations: [NODE_EXPORTER_DEFAULTS],
            undecided: false,
        });
        const addBesideUnknown = {
            ...LBC,
            values: { securityContext: { ...LBC_RESTRICTED, capabilities: { drop: ["ALL"], add: [UNKNOWN, "NET_RAW"] } } },
        };
        assert.deepEqual(await underEngine("k8s-helm-pod-security-restricted", RELEASE, "r", addBesideUnknown), {
            violations: [
                "Deployment aws-load-balancer-controller (container aws-load-balancer-controller): capabilities.add has NET_RAW (only NET_BIND_SERVICE is allowed)",
            ],
            undecided: false,
        });
        const onlyUnknown = {
            ...LBC,
            values: { securityContext: { capabilities: { drop: [UNKNOWN] }, seccompProfile: { type: UNKNOWN } } },
        };
        assert.deepEqual(await underEngine("k8s-helm-pod-security-restricted", RELEASE, "r", onlyUnknown), {
            violations: [],
            undecided: true,
        });
        assert.deepEqual(await underEngine("k8s-helm-pod-security-restricted", RELEASE, "r", { ...LBC, values: UNKNOWN }), {
            violations: [],
            undecided: true,
        });
    });

    const KPS_PROBED = { prometheusOperator: { prometheusConfigReloader: { enableProbe: true } } };
    const RELOADER_OFF =
        "config-reloader containers of the Prometheus and Alertmanager pods (operator flags): readinessProbe not rendered (prometheusOperator.prometheusConfigReloader.enableProbe is not true (default false)); livenessProbe not rendered (prometheusOperator.prometheusConfigReloader.enableProbe is not true (default false))";
    const probes: Row[] = [
        // The chart's probes (values.yaml:103-119), merged with a release's tweak.
        ["metrics-server-defaults", { ...METRICS_SERVER, values: { livenessProbe: { periodSeconds: 20 } } }, null],
        ["karpenter-template", { ...KARPENTER }, null],
        // Grafana's sidecars carry an exemption (one shared probe value, one port): not reported.
        ["kps-reloaders-probed", { ...KPS, values: KPS_PROBED }, null],
        ["fluent-bit-defaults", { ...FLUENT_BIT, values: { kind: "DaemonSet" } }, null],
        ["kps-chart-default", { ...KPS, values: {} }, RELOADER_OFF],
        ["kps-no-values", { ...KPS }, RELOADER_OFF],
        [
            "metrics-server-readiness-deleted",
            { ...METRICS_SERVER, values: { readinessProbe: null } },
            "Deployment metrics-server (container metrics-server): readinessProbe not rendered (readinessProbe is empty)",
        ],
        [
            "kps-operator-liveness-off",
            { ...KPS, values: { prometheusOperator: { ...KPS_PROBED.prometheusOperator, livenessProbe: { enabled: false } } } },
            "Deployment prometheus-operator: livenessProbe not rendered (prometheusOperator.livenessProbe.enabled is not true)",
        ],
        [
            "kps-alertmanager-local",
            { ...KPS, values: { ...KPS_PROBED, alertmanager: { alertmanagerSpec: { listenLocal: true } } } },
            "Alertmanager (StatefulSet by the operator, container alertmanager): readinessProbe not rendered (alertmanager.alertmanagerSpec.listenLocal is true); livenessProbe not rendered (alertmanager.alertmanagerSpec.listenLocal is true)",
        ],
        [
            "fluent-bit-reloader",
            { ...FLUENT_BIT, values: { hotReload: { enabled: true } } },
            "fluent-bit pod (container reloader): readinessProbe not rendered (the chart renders none); livenessProbe not rendered (the chart renders none)",
        ],
    ];
    checkRule("k8s-helm-probes", RELEASE, probes);

    it("k8s-helm-probes: Jobs are not judged (the certificate Jobs serve nothing); an unknown flag beside a known gap", async () => {
        const jobs = chartEntry("kube-prometheus-stack", "88.5.3")!.workloads.find((w) => w.workload.startsWith("Jobs"))!;
        assert.ok("notServing" in jobs.probes);
        const besideUnknown = {
            ...KPS,
            values: {
                prometheusOperator: { prometheusConfigReloader: { enableProbe: UNKNOWN }, readinessProbe: { enabled: UNKNOWN } },
                alertmanager: { alertmanagerSpec: { listenLocal: true } },
            },
        };
        assert.deepEqual(await underEngine("k8s-helm-probes", RELEASE, "r", besideUnknown), {
            violations: [
                "Alertmanager (StatefulSet by the operator, container alertmanager): readinessProbe not rendered (alertmanager.alertmanagerSpec.listenLocal is true); livenessProbe not rendered (alertmanager.alertmanagerSpec.listenLocal is true)",
            ],
            undecided: false,
        });
        const onlyUnknown = { ...KPS, values: { prometheusOperator: { prometheusConfigReloader: { enableProbe: UNKNOWN } } } };
        assert.deepEqual(await underEngine("k8s-helm-probes", RELEASE, "r", onlyUnknown), { violations: [], undecided: true });
    });

    const KPS_IMAGES = [
        "Deployment prometheus-operator: prometheusOperator.image.sha = <hex>",
        "config-reloader containers of the Prometheus and Alertmanager pods (operator flags): prometheusOperator.prometheusConfigReloader.image.sha = <hex>",
        "Jobs admission-create and admission-patch (webhook certificates): prometheusOperator.admissionWebhooks.patch.image.sha = <hex>",
        "Prometheus (StatefulSet by the operator, container prometheus): prometheus.prometheusSpec.image.sha = <hex>",
        "Alertmanager (StatefulSet by the operator, container alertmanager): alertmanager.alertmanagerSpec.image.sha = <hex>",
        "Deployment grafana (container grafana): grafana.image.sha = <hex>",
        "Deployment grafana (sidecar grafana-sc-dashboard): grafana.sidecar.image.sha = <hex>",
        "Deployment grafana (sidecar grafana-sc-datasources): grafana.sidecar.image.sha = <hex>",
        "Deployment kube-state-metrics: kube-state-metrics.image.sha = sha256:<hex>",
        "DaemonSet prometheus-node-exporter: prometheus-node-exporter.image.digest = sha256:<hex>",
    ];
    const tagOnly = (...images: string[]) =>
        `${images.length} image${images.length > 1 ? "s" : ""} by tag only; pin each by digest at: ${images.join("; ")}`;
    const METRICS_SERVER_TAG = "Deployment metrics-server (container metrics-server): image.tag = <tag>@sha256:<hex> (no digest key)";
    const images: Row[] = [
        // Karpenter's chart ships its controller's digest (stamped at release): kept, the image is pinned.
        ["karpenter-shipped", { ...KARPENTER, values: { controller: { resources: SIZED } } }, null],
        ["metrics-server-tag-digest", { ...METRICS_SERVER, values: { image: { tag: `v0.8.0@sha256:${HEX}` } } }, null],
        ["fluent-bit-digest", { ...FLUENT_BIT, values: { image: { digest: `sha256:${HEX}` } } }, null],
        [
            // A null map part-way deletes the subtree, the shipped digest with it.
            "karpenter-image-deleted",
            { ...KARPENTER, values: { controller: { image: null } } },
            tagOnly("Deployment karpenter (container controller): controller.image.digest = sha256:<hex>"),
        ],
        [
            "karpenter-digest-deleted",
            { ...KARPENTER, values: { controller: { image: { digest: null } } } },
            tagOnly("Deployment karpenter (container controller): controller.image.digest = sha256:<hex>"),
        ],
        ["metrics-server-no-values", { ...METRICS_SERVER }, tagOnly(METRICS_SERVER_TAG)],
        ["metrics-server-plain-tag", { ...METRICS_SERVER, values: { image: { tag: "v0.8.0" } } }, tagOnly(METRICS_SERVER_TAG)],
        [
            "fluent-bit-bare-hex",
            { ...FLUENT_BIT, values: { image: { digest: HEX } } },
            tagOnly("DaemonSet or Deployment (by `kind`) fluent-bit (container fluent-bit): image.digest = sha256:<hex>"),
        ],
        ["kps-chart-defaults", { ...KPS, values: {} }, tagOnly(...KPS_IMAGES)],
        [
            "kps-one-pinned",
            { ...KPS, values: { grafana: { image: { sha: HEX } }, prometheus: { prometheusSpec: { image: { sha: `sha256:${HEX}` } } } } },
            tagOnly(...KPS_IMAGES.filter((image) => !image.startsWith("Deployment grafana (container"))),
        ],
    ];
    checkRule("k8s-helm-image-digest", RELEASE, images);

    it("k8s-helm-image-digest is advisory (the charts ship tags); an unknown digest beside tag-only images", async () => {
        const [finding] = await findings("k8s-helm-image-digest", [fixture(RELEASE, "ms", { ...METRICS_SERVER })]);
        assert.equal(finding.enforcementLevel, "advisory");
        const besideUnknown = { ...KPS, values: { grafana: { image: { sha: UNKNOWN } } } };
        assert.deepEqual(await underEngine("k8s-helm-image-digest", RELEASE, "r", besideUnknown), {
            violations: [tagOnly(...KPS_IMAGES.filter((image) => !image.startsWith("Deployment grafana (container")))],
            undecided: false,
        });
        assert.deepEqual(
            await underEngine("k8s-helm-image-digest", RELEASE, "r", { ...FLUENT_BIT, values: { image: { digest: UNKNOWN } } }),
            { violations: [], undecided: true },
        );
    });

    it("the Helm rules other than k8s-helm-resources leave an unknown chart to it (one finding, not four)", async () => {
        const bumped = fixture(RELEASE, "bumped", { ...LBC, version: "3.6.0" });
        for (const name of ["k8s-helm-pod-security-restricted", "k8s-helm-probes", "k8s-helm-image-digest"])
            assert.deepEqual(await flagged(name, [bumped]), [], name);
        assert.equal((await flagged("k8s-helm-resources", [bumped])).length, 1);
    });
});
