/**
 * Helm releases (`kubernetes:helm.sh/v3:Release`) under the pack's Kubernetes rules, through each
 * chart's known workloads: the Helm provider renders a release's pods itself, so no container spec
 * reaches the engine; what does is the release's chart, version and `values`. CHARTS says, per
 * pinned chart and version, which workloads the chart renders and which values path sets each
 * one's container resources (and pod/container security context), read from that chart
 * version's own values.yaml and templates. `k8s-helm-resources` holds every known workload to
 * `k8s-resources` (requests cpu + memory, limits memory) as Helm merges the values onto the
 * chart's defaults; a release of a chart or version not in CHARTS is a finding, so a bump
 * cannot bypass the rule. The restricted Pod Security fields are not judged on releases yet:
 * the security context paths are recorded for that.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Props, isUnknown, platform, resourcePolicy, undecided } from "./common";
import { KUBERNETES_TYPES, requiredResourceFields } from "./kubernetes";

/** A values path (`prometheus.prometheusSpec.resources`) the workload is rendered under only when it holds `when` (the chart's default `byDefault`). */
export interface RenderedWhen {
    readonly path: string;
    readonly byDefault: boolean;
    /** The value that renders the workload. @default true */
    readonly when?: boolean;
}

/** One workload (or container group) a chart renders, and the values paths that size and secure it. */
export interface ChartWorkload {
    /** The workload and its container(s), for messages: `Deployment metrics-server`. */
    readonly workload: string;
    /** Values path of its containers' `resources`. */
    readonly resources: string;
    /** The chart's default at `resources` when values.yaml ships one (Helm merges the release's values onto it). @default {} */
    readonly resourcesDefault?: Props;
    /** Values path of the pod's securityContext, where the chart exposes one. */
    readonly podSecurityContext?: string;
    /** Values path of the container's securityContext, where the chart exposes one. */
    readonly containerSecurityContext?: string;
    /** Rendered only when every condition holds (each with the chart's default). @default always rendered */
    readonly renderedWhen?: readonly RenderedWhen[];
    /** Where the chart says so: file:line at `ChartEntry.ref`. */
    readonly source: string;
}

export interface ChartEntry {
    /** The release's `chart` exactly as the program passes it (a chart name, or an oci:// reference). */
    readonly chart: string;
    readonly version: string;
    /** The repository the chart was read from, the tag or commit, and the date it was read. */
    readonly readFrom: { readonly repo: string; readonly ref: string; readonly commit: string; readonly read: string };
    readonly workloads: readonly ChartWorkload[];
}

const READ = "2026-12-03";

/** Every chart version the program may release, and its workloads. CRD-only charts have none. */
export const CHARTS: readonly ChartEntry[] = [
    {
        chart: "metrics-server",
        version: "3.13.1",
        readFrom: {
            repo: "github.com/kubernetes-sigs/metrics-server charts/metrics-server",
            ref: "metrics-server-helm-chart-3.13.1",
            commit: "842dcc8c42f22cc19f10c7d5f2d32a9f4b6013b0",
            read: READ,
        },
        workloads: [
            {
                workload: "Deployment metrics-server (container metrics-server)",
                resources: "resources",
                resourcesDefault: { requests: { cpu: "100m", memory: "200Mi" } },
                podSecurityContext: "podSecurityContext",
                containerSecurityContext: "securityContext",
                source: "values.yaml:173-179 (requests 100m/200Mi, no limits), 53, 55; templates/deployment.yaml:44-45, 60-61, 104-105",
            },
            {
                workload: "Deployment metrics-server (container metrics-server-nanny)",
                resources: "addonResizer.resources",
                resourcesDefault: { requests: { cpu: "40m", memory: "25Mi" }, limits: { cpu: "40m", memory: "25Mi" } },
                containerSecurityContext: "addonResizer.securityContext",
                renderedWhen: [{ path: "addonResizer.enabled", byDefault: false }],
                source: "values.yaml:130-151; templates/deployment.yaml:108-138",
            },
        ],
    },
    {
        chart: "oci://public.ecr.aws/karpenter/karpenter",
        version: "1.14.1",
        readFrom: {
            // Chart.yaml at the tag still reads 1.13.0: the release stamps the published chart's version.
            repo: "github.com/aws/karpenter-provider-aws charts/karpenter",
            ref: "v1.14.1",
            commit: "bde00654cd316fddb3dccfba3f5ac07039865429",
            read: READ,
        },
        workloads: [
            {
                workload: "Deployment karpenter (container controller)",
                resources: "controller.resources",
                podSecurityContext: "podSecurityContext",
                containerSecurityContext: "controller.securityContext",
                source: "values.yaml:64-68, 137-145 (resources: {}); templates/deployment.yaml:40-41, 75, 226-227",
            },
        ],
    },
    {
        chart: "aws-load-balancer-controller",
        version: "3.5.0",
        readFrom: {
            repo: "github.com/aws/eks-charts stable/aws-load-balancer-controller",
            ref: "aws-load-balancer-controller: v3.5.0 (#1354)",
            commit: "5239609242f3430be50fb0b714a24d3ef2b47983",
            read: READ,
        },
        workloads: [
            {
                workload: "Deployment aws-load-balancer-controller (container aws-load-balancer-controller)",
                resources: "resources",
                podSecurityContext: "podSecurityContext",
                containerSecurityContext: "securityContext",
                source: "values.yaml:48-57, 62 (resources: {}); templates/deployment.yaml:56-57, 235-236, 253-254",
            },
        ],
    },
    {
        chart: "fluent-bit",
        version: "0.58.1",
        readFrom: {
            repo: "github.com/fluent/helm-charts charts/fluent-bit",
            ref: "fluent-bit-0.58.1",
            commit: "22a564dc85600c67d97e01a5b4cdf3b829292529",
            read: READ,
        },
        workloads: [
            {
                workload: "DaemonSet or Deployment (by `kind`) fluent-bit (container fluent-bit)",
                resources: "resources",
                podSecurityContext: "podSecurityContext",
                containerSecurityContext: "securityContext",
                source: "values.yaml:4, 70, 93, 212 (resources: {}); templates/_pod.tpl:13-14, 40-41, 90-91",
            },
            {
                workload: "fluent-bit pod (container reloader)",
                resources: "hotReload.resources",
                containerSecurityContext: "hotReload.securityContext",
                renderedWhen: [{ path: "hotReload.enabled", byDefault: false }],
                source: "values.yaml:522-529; templates/_pod.tpl:107-131",
            },
        ],
    },
    {
        chart: "prometheus-operator-crds",
        version: "31.0.1",
        readFrom: {
            repo: "github.com/prometheus-community/helm-charts charts/prometheus-operator-crds",
            ref: "prometheus-operator-crds-31.0.1",
            commit: "4529d7bb4b4be3b2aa8ef0b4d40152d394213a61",
            read: READ,
        },
        // templates/ (charts/crds/templates/crd-*.yaml) hold CustomResourceDefinitions only.
        workloads: [],
    },
    {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        readFrom: {
            repo: "github.com/prometheus-community/helm-charts charts/kube-prometheus-stack (subcharts: kube-state-metrics 8.4.0, prometheus-node-exporter 4.56.1; grafana 12.11.1 from github.com/grafana-community/helm-charts)",
            ref: "kube-prometheus-stack-88.5.3",
            commit: "ea930baeebeba39f56d6b44e351f23b2a072a600",
            read: READ,
        },
        workloads: [
            {
                workload: "Deployment prometheus-operator",
                resources: "prometheusOperator.resources",
                podSecurityContext: "prometheusOperator.securityContext",
                containerSecurityContext: "prometheusOperator.containerSecurityContext",
                renderedWhen: [{ path: "prometheusOperator.enabled", byDefault: true }],
                source: "values.yaml:2826, 3412, 3468, 3483; templates/prometheus-operator/deployment.yaml:178-180, 231-233",
            },
            {
                workload: "config-reloader containers of the Prometheus and Alertmanager pods (operator flags)",
                resources: "prometheusOperator.prometheusConfigReloader.resources",
                renderedWhen: [{ path: "prometheusOperator.enabled", byDefault: true }],
                source: "values.yaml:3549-3561; templates/prometheus-operator/deployment.yaml:101-104 (unset passes 0)",
            },
            {
                workload: "Jobs admission-create and admission-patch (webhook certificates)",
                resources: "prometheusOperator.admissionWebhooks.patch.resources",
                podSecurityContext: "prometheusOperator.admissionWebhooks.patch.securityContext",
                containerSecurityContext: "prometheusOperator.admissionWebhooks.createSecretJob.securityContext",
                renderedWhen: [
                    { path: "prometheusOperator.enabled", byDefault: true },
                    { path: "prometheusOperator.admissionWebhooks.enabled", byDefault: true },
                    { path: "prometheusOperator.admissionWebhooks.patch.enabled", byDefault: true },
                    { path: "prometheusOperator.admissionWebhooks.certManager.enabled", byDefault: false, when: false },
                ],
                source: "values.yaml:2869-2875, 3127-3163; templates/prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml:1, 50-55, 70-72 and job-patchWebhook.yaml:1, 59-64, 79-81",
            },
            {
                workload: "Prometheus (StatefulSet by the operator, container prometheus)",
                resources: "prometheus.prometheusSpec.resources",
                podSecurityContext: "prometheus.prometheusSpec.securityContext",
                renderedWhen: [{ path: "prometheus.enabled", byDefault: true }],
                source: "values.yaml:3615, 4668, 4815; templates/prometheus/prometheus.yaml:157-159, 259-261",
            },
            {
                workload: "Alertmanager (StatefulSet by the operator, container alertmanager)",
                resources: "alertmanager.alertmanagerSpec.resources",
                podSecurityContext: "alertmanager.alertmanagerSpec.securityContext",
                renderedWhen: [{ path: "alertmanager.enabled", byDefault: true }],
                source: "values.yaml:402, 1165, 1219; templates/alertmanager/alertmanager.yaml:94-96, 101-103",
            },
            {
                workload: "Deployment grafana (container grafana)",
                resources: "grafana.resources",
                podSecurityContext: "grafana.securityContext",
                containerSecurityContext: "grafana.containerSecurityContext",
                renderedWhen: [{ path: "grafana.enabled", byDefault: true }],
                source: "kps values.yaml:1378; grafana 12.11.1 values.yaml:159, 165, 427; templates/_pod.tpl:13, 1265, 1541",
            },
            {
                workload: "Deployment grafana (sidecars grafana-sc-dashboard, grafana-sc-datasources)",
                resources: "grafana.sidecar.resources",
                containerSecurityContext: "grafana.sidecar.securityContext",
                renderedWhen: [{ path: "grafana.enabled", byDefault: true }],
                source: "kps values.yaml:1537-1558 (dashboards and datasources sidecars on); grafana 12.11.1 values.yaml:1040-1048; templates/_pod.tpl:735, 853-857, 868, 982",
            },
            {
                workload: "Deployment kube-state-metrics",
                resources: "kube-state-metrics.resources",
                podSecurityContext: "kube-state-metrics.securityContext",
                containerSecurityContext: "kube-state-metrics.containerSecurityContext",
                renderedWhen: [{ path: "kubeStateMetrics.enabled", byDefault: true }],
                source: "kps values.yaml:2680; kube-state-metrics 8.4.0 values.yaml:339, 351, 515; templates/deployment.yaml:51-52, 251-254",
            },
            {
                workload: "DaemonSet prometheus-node-exporter",
                resources: "prometheus-node-exporter.resources",
                podSecurityContext: "prometheus-node-exporter.securityContext",
                containerSecurityContext: "prometheus-node-exporter.containerSecurityContext",
                renderedWhen: [{ path: "nodeExporter.enabled", byDefault: true }],
                source: "kps values.yaml:2712; prometheus-node-exporter 4.56.1 values.yaml:334, 360, 366; templates/daemonset.yaml:34-35, 115-116, 177-178",
            },
        ],
    },
];

/** The table's entry for a release's chart and version, or undefined. */
export function chartEntry(chart: unknown, version: unknown): ChartEntry | undefined {
    return CHARTS.find((entry) => entry.chart === chart && entry.version === version);
}

const UNKNOWN = Symbol("unknown");
type Lookup = { readonly value: unknown } | typeof UNKNOWN;

/**
 * The value at `path` as Helm coalesces the release's values onto the chart's defaults: the
 * release's key wins where present (null deletes the default), else the default's. UNKNOWN when
 * a value on the way is unknown during preview.
 */
export function valueAt(values: unknown, defaults: unknown, path: readonly string[]): Lookup {
    let given: unknown = values;
    let fallback: unknown = defaults;
    for (const key of path) {
        if (isUnknown(given)) return UNKNOWN;
        const givenObject = given !== null && typeof given === "object" && !Array.isArray(given) ? (given as Props) : undefined;
        const fallbackObject =
            fallback !== null && typeof fallback === "object" && !Array.isArray(fallback) ? (fallback as Props) : undefined;
        if (givenObject !== undefined && Object.prototype.hasOwnProperty.call(givenObject, key) && givenObject[key] !== undefined) {
            if (givenObject[key] === null) return { value: undefined };
            given = givenObject[key];
            fallback = fallbackObject?.[key];
        } else {
            given = undefined;
            fallback = fallbackObject?.[key];
        }
    }
    if (isUnknown(given)) return UNKNOWN;
    return { value: given ?? fallback };
}

/** Problems of one known workload under a release's values: the missing fields, or UNKNOWN. */
export function missingResources(values: unknown, workload: ChartWorkload, requireCpuLimit: boolean): string[] | typeof UNKNOWN {
    for (const condition of workload.renderedWhen ?? []) {
        const read = valueAt(values, undefined, condition.path.split("."));
        if (read === UNKNOWN) return UNKNOWN;
        const on = typeof read.value === "boolean" ? read.value : read.value === undefined ? condition.byDefault : Boolean(read.value);
        if (on !== (condition.when ?? true)) return [];
    }
    const base = workload.resources.split(".");
    const defaults = nestAt(base, workload.resourcesDefault ?? {});
    const fields = requiredResourceFields(requireCpuLimit);
    const missing: string[] = [];
    let unknown = false;
    for (const field of fields) {
        const read = valueAt(values, defaults, [...base, ...field]);
        if (read === UNKNOWN) unknown = true;
        else if (read.value === undefined || read.value === "") missing.push(field.join("."));
    }
    if (missing.length === 0 && unknown) return UNKNOWN;
    return missing;
}

function nestAt(path: readonly string[], leaf: Props): Props {
    return path.reduceRight<Props>((inner, key) => ({ [key]: inner }), leaf);
}

export const helmPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...platform("k8s-helm-resources", "high"),
        title: "Every workload a Helm release renders (the chart's known workloads, policy/helm.ts) requests CPU and memory and has a memory limit; a chart or version not in the table is a finding.",
        types: [KUBERNETES_TYPES.helmRelease],
        config: { requireCpuLimit: false },
        configDocs: { requireCpuLimit: "Also require limits.cpu, as k8s-resources does." },
        decidesOnKnown: true,
        check: (props: Props, _args, report, config) => {
            const { chart, version } = props;
            if (isUnknown(chart) || isUnknown(version)) return undecided(isUnknown(chart) ? "chart" : "version");
            const entry = chartEntry(chart, version);
            if (entry === undefined) {
                report(
                    `unknown chart: ${String(chart)} ${String(version ?? "(no version)")} is not in the chart table; add it to the table (policy/helm.ts CHARTS) with its workloads and values paths`,
                );
                return;
            }
            if (props.valueYamlFiles !== undefined && entry.workloads.length > 0)
                report("valueYamlFiles cannot be judged: pass the release's values as `values`");
            const values: unknown = props.values;
            for (const workload of entry.workloads) {
                const missing = missingResources(values, workload, config.requireCpuLimit);
                if (missing === UNKNOWN) undecided(workload.resources);
                else if (missing.length > 0)
                    report(`${workload.workload}: ${missing.map((field) => `${workload.resources}.${field}`).join(", ")} not set`);
            }
        },
    }),
];
