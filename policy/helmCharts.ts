/**
 * The chart table of the Helm rules (helm.ts): every chart version the program releases, the
 * workloads it renders and, for each, where the values size, secure, probe and image it, read from
 * that chart version's own values.yaml and templates (and, for the pods prometheus-operator
 * generates, the operator's source): values paths, the chart's defaults at them, the fields the
 * template or operator writes whatever the values, the conditions that render it, and the reasoned
 * exemptions of a workload that cannot meet a rule by its nature. Data only, cited file:line at
 * each entry's `readFrom`; a chart bump replaces its entry after reading the new version.
 */
import type { Props } from "./common";
import { REQUIRED_PROBES, type RestrictedField } from "./kubernetes";

/**
 * A condition on a values path: its Go-template truth is `when` (`{{- if .Values.x.enabled }}`, or
 * `{{- with .Values.extraContainers }}`: a non-empty list, map or string), or its value equals
 * `equals` (`{{- if eq .Values.kind "DaemonSet" }}`); `byDefault`, the chart's own value there.
 * A release's `null` on the path, there or part-way along it, deletes the default (Helm deletes the
 * subtree): false, and equal to nothing.
 */
export type RenderedWhen =
    | {
          readonly path: string;
          readonly byDefault: boolean;
          /** The truth that renders the workload. @default true */
          readonly when?: boolean;
          /**
           * A subchart's Chart.yaml `condition`: Helm reads only a bool there (anything else, null
           * included, keeps the dependency as it is: helm v3 pkg/chartutil/dependencies.go,
           * processDependencyConditions, `if bv, ok := vv.(bool); ok`), not Go template truth.
           */
          readonly dependency?: true;
      }
    | { readonly path: string; readonly byDefault: string; readonly equals: string };

/**
 * A securityContext as a chart renders it: the release's value at `path` merged onto the chart's
 * default there, and the fields the template (or the operator) writes whatever the values, over them.
 */
export interface ContextSource {
    /** Values path of the context; absent when the values cannot set it. */
    readonly path?: string;
    /** The chart's default at `path`. @default {} */
    readonly default?: Props;
    /** Fields written whatever the values. @default none */
    readonly fixed?: Props;
    /** A key of the context that, false, drops the whole context, and is itself not rendered (kube-state-metrics' `enabled`). */
    readonly enabledKey?: string;
}

/** A reasoned waiver: what, why, and where that is said. */
export interface Exemption {
    readonly reason: string;
    /** The chart's, upstream's or the program's own statement of it: file:line or a reference. */
    readonly source: string;
}

export interface WorkloadSecurity {
    /**
     * The pod(s) the row's containers run in, each with its context (the config reloader runs in two)
     * and the conditions that render that pod (`renderedWhen`, beside the row's). @default always rendered
     */
    readonly pods: readonly { readonly pod: string; readonly context: ContextSource; readonly renderedWhen?: readonly RenderedWhen[] }[];
    /** The row's containers (one entry may stand for several that share a context). */
    readonly containers: readonly { readonly container: string; readonly context: ContextSource }[];
    /**
     * Restricted fields the workload cannot meet by its nature: waived, everything else judged; only
     * while every `when` holds (the nature the reason states). @default waived whenever rendered
     */
    readonly exempt?: Exemption & { readonly fields: readonly RestrictedField[]; readonly when?: readonly RenderedWhen[] };
    /** Host access the restricted standard forbids and that no rule of the pack judges (recorded, not waived). */
    readonly hostAccess?: Exemption & { readonly fields: readonly string[] };
    readonly source: string;
}

/** How a chart renders one probe of a container. */
export type ProbeSource =
    /** Written by the template or the operator, under these conditions. */
    | { readonly from: "template"; readonly when?: readonly RenderedWhen[] }
    /** Rendered when the flag at `path` holds (`{{- if .Values.x.enabled }}`). */
    | { readonly from: "flag"; readonly path: string; readonly byDefault: boolean }
    /** The probe is the value at `path`, rendered when not empty (`{{- with .Values.livenessProbe }}`); `chartDefault`: values.yaml ships one. */
    | { readonly from: "value"; readonly path: string; readonly chartDefault: boolean }
    /** The template renders none. */
    | { readonly from: "none" };

export type WorkloadProbes =
    | {
          readonly readinessProbe: ProbeSource;
          readonly livenessProbe: ProbeSource;
          /** Probes the chart cannot give this container correctly: not judged, for this reason. */
          readonly exempt?: Exemption;
          readonly source: string;
      }
    /** A Job (runs to completion, serves nothing): `k8s-probes` does not judge Jobs either. */
    | { readonly notServing: string; readonly source: string };

/** How a chart writes one image reference, and where the values can pin it. */
export interface ChartImage {
    /** The container(s), for messages. */
    readonly container: string;
    /** Values path of the repository, and of the tag, with the chart's default tag as read. */
    readonly repository: string;
    readonly tag: string;
    readonly tagDefault: string;
    /**
     * Values path of the digest where the chart takes one, and its form there: `sha256:<hex>` when
     * the value carries the algorithm, `<hex>` when the template writes `@sha256:` itself.
     * `shipped`: values.yaml of the published chart holds one.
     */
    readonly digest?: { readonly path: string; readonly form: "sha256:<hex>" | "<hex>"; readonly shipped?: boolean };
    /** The template writes `<repository>:<tag>` and nothing after it, so a tag `<tag>@sha256:<hex>` pins the image. */
    readonly tagTakesDigest?: boolean;
    readonly source: string;
}

/** One workload (or container group) a chart renders, and the values paths that size, secure, probe and image it. */
export interface ChartWorkload {
    /** The workload and its container(s), for messages: `Deployment metrics-server`. */
    readonly workload: string;
    /** Values path of its containers' `resources`. */
    readonly resources: string;
    /** The chart's default at `resources` when values.yaml ships one (Helm merges the release's values onto it). @default {} */
    readonly resourcesDefault?: Props;
    readonly security: WorkloadSecurity;
    readonly probes: WorkloadProbes;
    readonly images: readonly ChartImage[];
    /** Rendered only when every condition holds (each with the chart's default). @default always rendered */
    readonly renderedWhen?: readonly RenderedWhen[];
    /** Where the chart says how the resources are set: file:line at `ChartEntry.ref`. */
    readonly source: string;
}

/**
 * A values path through which a release adds a container (or a whole workload) that the entry's
 * workloads do not model, so that no Helm rule would judge it: `k8s-helm-resources` reports a
 * release that sets it, as it reports a chart not in the table. The chart's defaults add none
 * (else the table would model it).
 */
export interface AddedContainers {
    /** The values path the release sets, for the message. */
    readonly path: string;
    /** What it adds: `init containers (the list)`, `container kube-rbac-proxy`. */
    readonly adds: string;
    /** It adds them when every condition holds (a list: `{ path, byDefault: false }`, true when not empty). */
    readonly when: readonly RenderedWhen[];
    /** file:line at the entry's commit: the values.yaml default and the template that renders it. */
    readonly source: string;
}

export interface ChartEntry {
    /** The release's `chart` exactly as the program passes it (a chart name, or an oci:// reference). */
    readonly chart: string;
    readonly version: string;
    /** The repository the chart was read from, the tag or commit, and the date it was read. */
    readonly readFrom: { readonly repo: string; readonly ref: string; readonly commit: string; readonly read: string };
    readonly workloads: readonly ChartWorkload[];
    /** Every values path that adds a container the workloads do not model. */
    readonly addsContainers: readonly AddedContainers[];
}

const READ = "2026-12-03";

/** The restricted container fields every chart below sets the same way: no escalation, every capability dropped. */
const NO_ESCALATION = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } as const;

/**
 * What prometheus-operator writes on every container it generates (prometheus, alertmanager,
 * config-reloader, init-config-reloader), whatever the custom resource says: read at v0.93.0
 * (github.com/prometheus-operator/prometheus-operator f8fafd475f3d132e239432ae6172de60a6cb6516;
 * the chart's appVersion v0.93.1 is not in the mirror) pkg/prometheus/server/statefulset.go:347-353,
 * pkg/alertmanager/statefulset.go:715-721, pkg/operator/config_reloader.go:368-374.
 */
const OPERATOR_CONTAINER = { readOnlyRootFilesystem: true, ...NO_ESCALATION } as const;

/** kube-prometheus-stack 88.5.3's default pod context of Prometheus (values.yaml:4815-4821) and of Alertmanager (1219-1225): the same. */
const PROMETHEUS_POD_CONTEXT = {
    runAsGroup: 2000,
    runAsNonRoot: true,
    runAsUser: 1000,
    fsGroup: 2000,
    seccompProfile: { type: "RuntimeDefault" },
} as const;

/** Grafana 12.11.1's pod context (values.yaml:159-163; templates/_pod.tpl:13-16). */
const GRAFANA_POD_CONTEXT: ContextSource = {
    path: "grafana.securityContext",
    default: { runAsNonRoot: true, runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
};

/** The operator gives Alertmanager its probes unless it listens on localhost only (kps values.yaml:1245, default false). */
const ALERTMANAGER_LISTENS: RenderedWhen = { path: "alertmanager.alertmanagerSpec.listenLocal", byDefault: false, when: false };

const OPERATOR_ON: RenderedWhen = { path: "prometheusOperator.enabled", byDefault: true };
const PROMETHEUS_ON: RenderedWhen = { path: "prometheus.enabled", byDefault: true };
const ALERTMANAGER_ON: RenderedWhen = { path: "alertmanager.enabled", byDefault: true };
/** kube-prometheus-stack 88.5.3 Chart.yaml:53-69: the subcharts' conditions. */
const CRDS_ON: RenderedWhen = { path: "crds.enabled", byDefault: true, dependency: true };
const GRAFANA_ON: RenderedWhen = { path: "grafana.enabled", byDefault: true, dependency: true };
/** kube-prometheus-stack turns both on (values.yaml:1537-1538, 1557-1558; grafana 12.11.1's own default is off, values.yaml:1163, 1282). */
const DASHBOARDS_SIDECAR_ON: RenderedWhen = { path: "grafana.sidecar.dashboards.enabled", byDefault: true };
const DATASOURCES_SIDECAR_ON: RenderedWhen = { path: "grafana.sidecar.datasources.enabled", byDefault: true };
const NODE_EXPORTER_ON: RenderedWhen = { path: "nodeExporter.enabled", byDefault: true, dependency: true };
const KUBE_STATE_METRICS_ON: RenderedWhen = { path: "kubeStateMetrics.enabled", byDefault: true, dependency: true };

/** A list (or template string) at `path` adds containers when not empty. */
const listAt = (path: string, adds: string, source: string, on: readonly RenderedWhen[]): AddedContainers => ({
    path,
    adds,
    when: [...on, { path, byDefault: false }],
    source,
});

/**
 * What a kube-prometheus-stack 88.5.3 release can add through its values beside the workloads
 * below (kps at ea930ba; its subcharts at the commits of `readFrom`; the operator at v0.93.0).
 * `prometheusSpec.containers` and `alertmanagerSpec.containers` are strategic-merged by the operator
 * into the containers it generates (a name it uses replaces its fields, the fixed securityContext
 * included), so a release setting them is reported whatever the names.
 */
const KPS_ADDED_CONTAINERS: readonly AddedContainers[] = [
    // Whole objects, a workload among them, from a list (or map) of manifests.
    listAt(
        "extraManifests",
        "any object, a workload included (the list or map of manifests)",
        "values.yaml:5959 (extraManifests: null); templates/extra-objects.yaml:1-8",
        [],
    ),
    {
        path: "crds.upgradeJob.enabled",
        adds: "a Job upgrading the CRDs (a pre-install, pre-upgrade and pre-rollback hook of the crds subchart)",
        when: [CRDS_ON, { path: "crds.upgradeJob.enabled", byDefault: false }],
        source: "values.yaml:33, 39-40 (upgradeJob.enabled: false); charts/crds/templates/upgrade/job.yaml:1-3, 8",
    },
    listAt(
        "grafana.extraObjects",
        "any object, a workload included (the list)",
        "grafana 12.11.1 values.yaml:1782 (extraObjects: []); templates/extra-manifests.yaml:1-4",
        [GRAFANA_ON],
    ),
    listAt(
        "kube-state-metrics.extraManifests",
        "any object, a workload included (the list)",
        "kube-state-metrics 8.4.0 values.yaml:581 (extraManifests: []); templates/extra-manifests.yaml:1-3",
        [KUBE_STATE_METRICS_ON],
    ),
    listAt(
        "prometheus-node-exporter.extraManifests",
        "any object, a workload included (the list)",
        "prometheus-node-exporter 4.56.1 values.yaml:626 (extraManifests: []); templates/extra-manifests.yaml:1-3",
        [NODE_EXPORTER_ON],
    ),
    listAt(
        "prometheus.prometheusSpec.containers",
        "containers to the Prometheus pod, or fields of its generated ones",
        "values.yaml:4866-4868 (containers: []); templates/prometheus/prometheus.yaml:391-393",
        [PROMETHEUS_ON],
    ),
    listAt(
        "prometheus.prometheusSpec.initContainers",
        "init containers to the Prometheus pod, or fields of its generated init-config-reloader",
        "values.yaml:4886-4888 (initContainers: []); templates/prometheus/prometheus.yaml:395-397",
        [PROMETHEUS_ON],
    ),
    listAt(
        "prometheus.prometheusSpec.thanos",
        "container thanos-sidecar (the operator adds it for any thanos spec)",
        "values.yaml:4840 (thanos: {}); templates/prometheus/prometheus.yaml:403-404; prometheus-operator v0.93.0 pkg/prometheus/server/statefulset.go:253, 541, 610",
        [PROMETHEUS_ON],
    ),
    listAt(
        "alertmanager.alertmanagerSpec.containers",
        "containers to the Alertmanager pod, or fields of its generated ones",
        "values.yaml:1247-1249 (containers: []); templates/alertmanager/alertmanager.yaml:164-166",
        [ALERTMANAGER_ON],
    ),
    listAt(
        "alertmanager.alertmanagerSpec.initContainers",
        "init containers to the Alertmanager pod, or fields of its generated init-config-reloader",
        "values.yaml:1273-1275 (initContainers: []); templates/alertmanager/alertmanager.yaml:168-170",
        [ALERTMANAGER_ON],
    ),
    {
        path: "thanosRuler.enabled",
        adds: "a ThanosRuler (StatefulSet by the operator)",
        when: [{ path: "thanosRuler.enabled", byDefault: false }],
        source: "values.yaml:5303-5307 (enabled: false); templates/thanos-ruler/ruler.yaml:1",
    },
    {
        path: "prometheusOperator.admissionWebhooks.deployment.enabled",
        adds: "Deployment prometheus-operator-webhook",
        when: [OPERATOR_ON, { path: "prometheusOperator.admissionWebhooks.deployment.enabled", byDefault: false }],
        source: "values.yaml:2899-2900 (enabled: false); templates/prometheus-operator/admission-webhooks/deployment/deployment.yaml:1",
    },
    {
        path: "windowsMonitoring.enabled",
        adds: "the prometheus-windows-exporter subchart (a DaemonSet)",
        when: [{ path: "windowsMonitoring.enabled", byDefault: false }],
        source: "values.yaml:367-369 (enabled: false); Chart.yaml:66-69 (condition windowsMonitoring.enabled)",
    },
    // Grafana 12.11.1 (templates/_pod.tpl): every container but grafana, sc-dashboard and sc-datasources (modelled below).
    {
        path: "grafana.persistence.enabled",
        adds: "init container init-chown-data (runs as root, initChownData.enabled default true)",
        when: [
            GRAFANA_ON,
            { path: "grafana.persistence.enabled", byDefault: false },
            { path: "grafana.initChownData.enabled", byDefault: true },
        ],
        source: "grafana 12.11.1 values.yaml:489-491, 531-535; templates/_pod.tpl:40-68",
    },
    listAt(
        "grafana.dashboards",
        "init container download-dashboards",
        "grafana 12.11.1 values.yaml:913 (dashboards: {}); templates/_pod.tpl:69-117",
        [GRAFANA_ON],
    ),
    {
        path: "grafana.sidecar.alerts.enabled",
        adds: "container grafana-sc-alerts (init container grafana-init-sc-alerts with initAlerts)",
        when: [GRAFANA_ON, { path: "grafana.sidecar.alerts.enabled", byDefault: false }],
        source: "grafana 12.11.1 values.yaml:1069-1070, 1147; templates/_pod.tpl:118-214, 606-734",
    },
    {
        path: "grafana.sidecar.datasources.initDatasources",
        adds: "init container grafana-init-sc-datasources (in place of grafana-sc-datasources)",
        when: [GRAFANA_ON, DATASOURCES_SIDECAR_ON, { path: "grafana.sidecar.datasources.initDatasources", byDefault: false }],
        source: "grafana 12.11.1 values.yaml:1359; templates/_pod.tpl:215-356",
    },
    {
        path: "grafana.sidecar.notifiers.enabled",
        adds: "container grafana-sc-notifiers (init container grafana-init-sc-notifiers with initNotifiers)",
        when: [GRAFANA_ON, { path: "grafana.sidecar.notifiers.enabled", byDefault: false }],
        source: "grafana 12.11.1 values.yaml:1444-1445, 1509; templates/_pod.tpl:357-448, 997-1120",
    },
    {
        path: "grafana.sidecar.dashboards.initDashboards",
        adds: "init container grafana-init-sc-dashboard (in place of grafana-sc-dashboard)",
        when: [GRAFANA_ON, DASHBOARDS_SIDECAR_ON, { path: "grafana.sidecar.dashboards.initDashboards", byDefault: false }],
        source: "grafana 12.11.1 values.yaml:1238; templates/_pod.tpl:449-594",
    },
    listAt(
        "grafana.extraInitContainers",
        "init containers (the list)",
        "grafana 12.11.1 values.yaml:458 (extraInitContainers: []); templates/_pod.tpl:595-597",
        [GRAFANA_ON],
    ),
    {
        path: "grafana.sidecar.plugins.enabled",
        adds: "container grafana-sc-plugins",
        when: [GRAFANA_ON, { path: "grafana.sidecar.plugins.enabled", byDefault: false }],
        source: "grafana 12.11.1 values.yaml:1374-1375; templates/_pod.tpl:1121-1244",
    },
    listAt(
        "grafana.extraContainers",
        "containers (the template string) beside grafana",
        'grafana 12.11.1 values.yaml:461 (extraContainers: ""); templates/_pod.tpl:1545-1547',
        [GRAFANA_ON],
    ),
    {
        path: "grafana.imageRenderer.enabled",
        adds: "Deployment grafana-image-renderer",
        when: [GRAFANA_ON, { path: "grafana.imageRenderer.enabled", byDefault: false }],
        source: "grafana 12.11.1 values.yaml:1534-1541 (enabled: false); templates/image-renderer-deployment.yaml:1",
    },
    // kube-state-metrics 8.4.0 (templates/deployment.yaml).
    listAt(
        "kube-state-metrics.initContainers",
        "init containers (the list)",
        "kube-state-metrics 8.4.0 values.yaml:595-596 (initContainers: []); templates/deployment.yaml:57-60",
        [KUBE_STATE_METRICS_ON],
    ),
    {
        path: "kube-state-metrics.kubeRBACProxy.enabled",
        adds: "container kube-rbac-proxy-http (and kube-rbac-proxy-telemetry with selfMonitor.enabled)",
        when: [KUBE_STATE_METRICS_ON, { path: "kube-state-metrics.kubeRBACProxy.enabled", byDefault: false }],
        source: "kube-state-metrics 8.4.0 values.yaml:139-140 (enabled: false); templates/deployment.yaml:256-339",
    },
    listAt(
        "kube-state-metrics.containers",
        "containers (the list) beside kube-state-metrics",
        "kube-state-metrics 8.4.0 values.yaml:590-591 (containers: []); templates/deployment.yaml:340-342",
        [KUBE_STATE_METRICS_ON],
    ),
    // prometheus-node-exporter 4.56.1 (templates/daemonset.yaml).
    listAt(
        "prometheus-node-exporter.extraInitContainers",
        "init containers (the list)",
        "prometheus-node-exporter 4.56.1 values.yaml:546 (extraInitContainers: []); templates/daemonset.yaml:43-47",
        [NODE_EXPORTER_ON],
    ),
    // permission-fix runs as root (values.yaml:557-560) when any of its three fixes is set (daemonset.yaml:41-43, 48-90).
    ...(["fixes.rapl", "fixes.slabinfo", "extraCommands"] as const).map((key): AddedContainers => ({
        path: `prometheus-node-exporter.permissionInitContainer.${key}`,
        adds: "init container permission-fix (runs as root)",
        when: [NODE_EXPORTER_ON, { path: `prometheus-node-exporter.permissionInitContainer.${key}`, byDefault: false }],
        source: "prometheus-node-exporter 4.56.1 values.yaml:550-568 (rapl: false, slabinfo: false, extraCommands: []); templates/daemonset.yaml:41-90",
    })),
    listAt(
        "prometheus-node-exporter.sidecars",
        "containers (the list) beside node-exporter",
        "prometheus-node-exporter 4.56.1 values.yaml:521 (sidecars: []); templates/daemonset.yaml:232-236",
        [NODE_EXPORTER_ON],
    ),
    {
        path: "prometheus-node-exporter.kubeRBACProxy.enabled",
        adds: "container kube-rbac-proxy",
        when: [NODE_EXPORTER_ON, { path: "prometheus-node-exporter.kubeRBACProxy.enabled", byDefault: false }],
        source: "prometheus-node-exporter 4.56.1 values.yaml:42-43 (enabled: false); templates/daemonset.yaml:237-310",
    },
];

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
        // templates/deployment.yaml:58-138: metrics-server and the nanny (modelled), no container from a list.
        addsContainers: [],
        workloads: [
            {
                workload: "Deployment metrics-server (container metrics-server)",
                resources: "resources",
                resourcesDefault: { requests: { cpu: "100m", memory: "200Mi" } },
                security: {
                    pods: [{ pod: "metrics-server", context: { path: "podSecurityContext", default: {} } }],
                    containers: [
                        {
                            container: "metrics-server",
                            context: {
                                path: "securityContext",
                                default: {
                                    readOnlyRootFilesystem: true,
                                    runAsNonRoot: true,
                                    runAsUser: 1000,
                                    seccompProfile: { type: "RuntimeDefault" },
                                    ...NO_ESCALATION,
                                },
                            },
                        },
                    ],
                    source: "values.yaml:53-64; templates/deployment.yaml:44-47, 60-63",
                },
                probes: {
                    readinessProbe: { from: "value", path: "readinessProbe", chartDefault: true },
                    livenessProbe: { from: "value", path: "livenessProbe", chartDefault: true },
                    source: "values.yaml:103-119; templates/deployment.yaml:85-92",
                },
                images: [
                    {
                        container: "metrics-server",
                        repository: "image.repository",
                        tag: "image.tag",
                        tagDefault: '"" (v{appVersion})',
                        tagTakesDigest: true,
                        source: "values.yaml:5-9; templates/_helpers.tpl:70-72 (printf repository:tag, no digest key)",
                    },
                ],
                source: "values.yaml:173-179 (requests 100m/200Mi, no limits), 53, 55; templates/deployment.yaml:44-45, 60-61, 104-105",
            },
            {
                workload: "Deployment metrics-server (container metrics-server-nanny)",
                resources: "addonResizer.resources",
                resourcesDefault: { requests: { cpu: "40m", memory: "25Mi" }, limits: { cpu: "40m", memory: "25Mi" } },
                security: {
                    pods: [{ pod: "metrics-server", context: { path: "podSecurityContext", default: {} } }],
                    containers: [
                        {
                            container: "metrics-server-nanny",
                            context: {
                                path: "addonResizer.securityContext",
                                default: {
                                    readOnlyRootFilesystem: true,
                                    runAsNonRoot: true,
                                    runAsUser: 1000,
                                    seccompProfile: { type: "RuntimeDefault" },
                                    ...NO_ESCALATION,
                                },
                            },
                        },
                    ],
                    source: "values.yaml:135-144; templates/deployment.yaml:110-113",
                },
                probes: {
                    readinessProbe: { from: "none" },
                    livenessProbe: { from: "none" },
                    source: "templates/deployment.yaml:108-141 (the nanny container has no probe)",
                },
                images: [
                    {
                        container: "metrics-server-nanny",
                        repository: "addonResizer.image.repository",
                        tag: "addonResizer.image.tag",
                        tagDefault: "1.8.23",
                        tagTakesDigest: true,
                        source: "values.yaml:132-134; templates/_helpers.tpl:77-79 (printf repository:tag, no digest key)",
                    },
                ],
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
        addsContainers: [
            {
                path: "controller.sidecarContainer",
                adds: "containers (the list) beside the controller",
                when: [{ path: "controller.sidecarContainer", byDefault: false }],
                source: "values.yaml:161-162 (sidecarContainer: []); templates/deployment.yaml:236-247",
            },
            {
                path: "initContainers",
                adds: "init containers (the list)",
                when: [{ path: "initContainers", byDefault: false }],
                source: "values.yaml:84-85 (initContainers: {}); templates/deployment.yaml:248-251",
            },
        ],
        workloads: [
            {
                workload: "Deployment karpenter (container controller)",
                resources: "controller.resources",
                security: {
                    pods: [
                        {
                            pod: "karpenter",
                            context: {
                                path: "podSecurityContext",
                                default: { fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
                            },
                        },
                    ],
                    containers: [
                        {
                            container: "controller",
                            context: {
                                path: "controller.securityContext",
                                default: { appArmorProfile: {}, seLinuxOptions: {}, seccompProfile: {} },
                                fixed: {
                                    privileged: false,
                                    readOnlyRootFilesystem: true,
                                    runAsNonRoot: true,
                                    runAsUser: 65532,
                                    runAsGroup: 65532,
                                    ...NO_ESCALATION,
                                },
                            },
                        },
                    ],
                    source: "values.yaml:64-67, 137-143; templates/deployment.yaml:40-41, 65-77 (the restricted fields written in the template)",
                },
                probes: {
                    readinessProbe: { from: "template" },
                    livenessProbe: { from: "template" },
                    source: "templates/deployment.yaml:214-225 (httpGet on controller.healthProbe.port, values.yaml:168-170)",
                },
                images: [
                    {
                        container: "controller",
                        repository: "controller.image.repository",
                        tag: "controller.image.tag",
                        tagDefault: "the release's (stamped)",
                        // The value at the tag is the previous release's; the release rewrites it
                        // (hack/release/common.sh:82, `yq .controller.image.digest = ...`) before publishing.
                        digest: { path: "controller.image.digest", form: "sha256:<hex>", shipped: true },
                        source: "values.yaml:125-131; templates/_helpers.tpl:70-76; hack/release/common.sh:76-82",
                    },
                ],
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
        // templates/deployment.yaml:64-65: the controller alone, no container from the values.
        addsContainers: [],
        workloads: [
            {
                workload: "Deployment aws-load-balancer-controller (container aws-load-balancer-controller)",
                resources: "resources",
                security: {
                    pods: [{ pod: "aws-load-balancer-controller", context: { path: "podSecurityContext", default: { fsGroup: 65534 } } }],
                    containers: [
                        {
                            container: "aws-load-balancer-controller",
                            context: {
                                path: "securityContext",
                                // `capabilities.drop: [ALL]` is commented out in values.yaml:52-54.
                                default: { readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false },
                            },
                        },
                    ],
                    source: "values.yaml:48-57; templates/deployment.yaml:56-57, 235-236",
                },
                probes: {
                    readinessProbe: { from: "value", path: "readinessProbe", chartDefault: true },
                    livenessProbe: { from: "value", path: "livenessProbe", chartDefault: true },
                    source: "values.yaml:313-331; templates/deployment.yaml:255-262",
                },
                images: [
                    {
                        container: "aws-load-balancer-controller",
                        repository: "image.repository",
                        tag: "image.tag",
                        tagDefault: "v3.5.0",
                        tagTakesDigest: true,
                        source: 'values.yaml:9-12; templates/deployment.yaml:237 ("repository:tag", no digest key)',
                    },
                ],
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
        // tests/test-connection.yaml (testFramework.enabled) is a `helm.sh/hook: test` Pod: created by `helm test` only, never on install or upgrade.
        addsContainers: [
            {
                path: "initContainers",
                adds: "init containers (the list or template string)",
                when: [{ path: "initContainers", byDefault: false }],
                source: "values.yaml:505-506 (initContainers: []); templates/_pod.tpl:30-37",
            },
            {
                path: "extraContainers",
                adds: "containers (the list or template string) beside fluent-bit",
                when: [{ path: "extraContainers", byDefault: false }],
                source: "values.yaml:338-339 (extraContainers: []); templates/_pod.tpl:135-141",
            },
        ],
        workloads: [
            {
                workload: "DaemonSet or Deployment (by `kind`) fluent-bit (container fluent-bit)",
                resources: "resources",
                security: {
                    pods: [{ pod: "fluent-bit", context: { path: "podSecurityContext", default: {} } }],
                    containers: [{ container: "fluent-bit", context: { path: "securityContext", default: {} } }],
                    exempt: {
                        fields: ["runAsNonRoot", "runAsUser"],
                        // The chart mounts the node's files (daemonSetVolumes) only for a DaemonSet (templates/_pod.tpl:101-103, 151-153).
                        when: [{ path: "kind", byDefault: "DaemonSet", equals: "DaemonSet" }],
                        reason: "a log collector DaemonSet: it reads every container's log under /var/log/pods (0640, owned by root) and the journal, and keeps its offsets and buffer in a hostPath it owns; it runs as root with every capability dropped, no privilege escalation, a read-only root filesystem and RuntimeDefault seccomp",
                        source: "components/observability/logShipper.ts FLUENT_BIT_NODE_ACCESS; the chart's own default is no context at all (values.yaml:70, 93)",
                    },
                    hostAccess: {
                        fields: ["hostPath volumes (daemonSetVolumes: /var/log, /etc/machine-id, the state directory)"],
                        reason: "the logs it ships are the node's files: /var/log read-only, /etc/machine-id read-only for the journal, and one state directory (offsets, buffer) that outlives the pod",
                        source: "values.yaml:476-496 (daemonSetVolumes, daemonSetVolumeMounts); templates/_pod.tpl:102, 152; components/observability/logShipper.ts FLUENT_BIT_NODE_ACCESS",
                    },
                    source: "values.yaml:70, 73, 93 (podSecurityContext: {}, hostNetwork: false, securityContext: {}); templates/_pod.tpl:13-14, 20, 40-41",
                },
                probes: {
                    // Written unconditionally from the values (`toYaml .Values.livenessProbe`): rendered while the value is not empty.
                    readinessProbe: { from: "value", path: "readinessProbe", chartDefault: true },
                    livenessProbe: { from: "value", path: "livenessProbe", chartDefault: true },
                    source: "values.yaml:202-210; templates/_pod.tpl:86-89",
                },
                images: [
                    {
                        container: "fluent-bit",
                        repository: "image.repository",
                        tag: "image.tag",
                        tagDefault: "(empty: the chart's appVersion)",
                        digest: { path: "image.digest", form: "sha256:<hex>" },
                        source: 'values.yaml:9-15; templates/_helpers.tpl:68-72 ("@" + digest); templates/_pod.tpl:44',
                    },
                ],
                source: "values.yaml:4, 70, 93, 212 (resources: {}); templates/_pod.tpl:13-14, 40-41, 90-91",
            },
            {
                workload: "fluent-bit pod (container reloader)",
                resources: "hotReload.resources",
                security: {
                    pods: [{ pod: "fluent-bit", context: { path: "podSecurityContext", default: {} } }],
                    containers: [
                        {
                            container: "reloader",
                            context: {
                                path: "hotReload.securityContext",
                                default: {
                                    privileged: false,
                                    readOnlyRootFilesystem: true,
                                    runAsNonRoot: true,
                                    runAsUser: 65532,
                                    runAsGroup: 65532,
                                    ...NO_ESCALATION,
                                },
                            },
                        },
                    ],
                    source: "values.yaml:531-540; templates/_pod.tpl:109-111",
                },
                probes: {
                    readinessProbe: { from: "none" },
                    livenessProbe: { from: "none" },
                    source: "templates/_pod.tpl:107-131 (the reloader container has no probe)",
                },
                images: [
                    {
                        container: "reloader",
                        repository: "hotReload.image.repository",
                        tag: "hotReload.image.tag",
                        tagDefault: "v0.15.0",
                        digest: { path: "hotReload.image.digest", form: "sha256:<hex>" },
                        source: "values.yaml:524-528; templates/_pod.tpl:113; templates/_helpers.tpl:68-72",
                    },
                ],
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
        addsContainers: [],
        // templates/ (charts/crds/templates/crd-*.yaml) hold CustomResourceDefinitions only.
        workloads: [],
    },
    {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        readFrom: {
            repo: "github.com/prometheus-community/helm-charts charts/kube-prometheus-stack (subcharts: kube-state-metrics 8.4.0 at 1982f1c5828920f5d4ea5d04956169e81f8c5129, prometheus-node-exporter 4.56.1 at 8b8e639cac80a3001412f187060068978f649a55; grafana 12.11.1 from github.com/grafana-community/helm-charts at 864f7794683680e5100a38670e103c4fa6e37e29; the containers prometheus-operator generates from github.com/prometheus-operator/prometheus-operator v0.93.0)",
            ref: "kube-prometheus-stack-88.5.3",
            commit: "ea930baeebeba39f56d6b44e351f23b2a072a600",
            read: READ,
        },
        addsContainers: KPS_ADDED_CONTAINERS,
        workloads: [
            {
                workload: "Deployment prometheus-operator",
                resources: "prometheusOperator.resources",
                security: {
                    pods: [
                        {
                            pod: "prometheus-operator",
                            context: {
                                path: "prometheusOperator.securityContext",
                                default: {
                                    fsGroup: 65534,
                                    runAsGroup: 65534,
                                    runAsNonRoot: true,
                                    runAsUser: 65534,
                                    seccompProfile: { type: "RuntimeDefault" },
                                },
                            },
                        },
                    ],
                    containers: [
                        {
                            container: "kube-prometheus-stack",
                            context: {
                                path: "prometheusOperator.containerSecurityContext",
                                default: { readOnlyRootFilesystem: true, ...NO_ESCALATION },
                            },
                        },
                    ],
                    source: "values.yaml:3468-3488; templates/prometheus-operator/deployment.yaml:179-180, 231-233",
                },
                probes: {
                    readinessProbe: { from: "flag", path: "prometheusOperator.readinessProbe.enabled", byDefault: true },
                    livenessProbe: { from: "flag", path: "prometheusOperator.livenessProbe.enabled", byDefault: true },
                    source: "values.yaml:2850-2865; templates/prometheus-operator/deployment.yaml:190-213",
                },
                images: [
                    {
                        container: "kube-prometheus-stack",
                        repository: "prometheusOperator.image.repository",
                        tag: "prometheusOperator.image.tag",
                        tagDefault: '"" (the chart\'s appVersion v0.93.1)',
                        digest: { path: "prometheusOperator.image.sha", form: "<hex>" },
                        source: "values.yaml:3523-3528; templates/prometheus-operator/deployment.yaml:53-57",
                    },
                ],
                renderedWhen: [OPERATOR_ON],
                source: "values.yaml:2826, 3412, 3468, 3483; templates/prometheus-operator/deployment.yaml:178-180, 231-233",
            },
            {
                workload: "config-reloader containers of the Prometheus and Alertmanager pods (operator flags)",
                resources: "prometheusOperator.prometheusConfigReloader.resources",
                security: {
                    pods: [
                        // Each pod only where the chart renders its custom resource (the operator adds the reloaders to both).
                        {
                            pod: "Prometheus",
                            context: { path: "prometheus.prometheusSpec.securityContext", default: PROMETHEUS_POD_CONTEXT },
                            renderedWhen: [PROMETHEUS_ON],
                        },
                        {
                            pod: "Alertmanager",
                            context: { path: "alertmanager.alertmanagerSpec.securityContext", default: PROMETHEUS_POD_CONTEXT },
                            renderedWhen: [ALERTMANAGER_ON],
                        },
                    ],
                    containers: [{ container: "config-reloader, init-config-reloader", context: { fixed: OPERATOR_CONTAINER } }],
                    source: "prometheus-operator v0.93.0 pkg/operator/config_reloader.go:368-374; kps values.yaml:1219-1225, 4815-4821",
                },
                probes: {
                    // The operator adds them with --enable-config-reloader-probes, which the chart passes from enableProbe.
                    readinessProbe: { from: "flag", path: "prometheusOperator.prometheusConfigReloader.enableProbe", byDefault: false },
                    livenessProbe: { from: "flag", path: "prometheusOperator.prometheusConfigReloader.enableProbe", byDefault: false },
                    source: "values.yaml:3557-3558; templates/prometheus-operator/deployment.yaml:105-107; prometheus-operator v0.93.0 pkg/operator/config_reloader.go:377-379",
                },
                images: [
                    {
                        container: "config-reloader",
                        repository: "prometheusOperator.prometheusConfigReloader.image.repository",
                        tag: "prometheusOperator.prometheusConfigReloader.image.tag",
                        tagDefault: '"" (the chart\'s appVersion v0.93.1)',
                        digest: { path: "prometheusOperator.prometheusConfigReloader.image.sha", form: "<hex>" },
                        source: "values.yaml:3550-3555; templates/prometheus-operator/deployment.yaml:96-100",
                    },
                ],
                // And in at least one of its pods (`security.pods`): templates/prometheus/prometheus.yaml:1, templates/alertmanager/alertmanager.yaml:1.
                renderedWhen: [OPERATOR_ON],
                source: "values.yaml:3549-3561; templates/prometheus-operator/deployment.yaml:101-104 (unset passes 0)",
            },
            {
                workload: "Jobs admission-create and admission-patch (webhook certificates)",
                resources: "prometheusOperator.admissionWebhooks.patch.resources",
                security: {
                    pods: [
                        {
                            pod: "admission-create, admission-patch",
                            context: {
                                path: "prometheusOperator.admissionWebhooks.patch.securityContext",
                                default: {
                                    runAsGroup: 2000,
                                    runAsNonRoot: true,
                                    runAsUser: 2000,
                                    seccompProfile: { type: "RuntimeDefault" },
                                },
                            },
                        },
                    ],
                    containers: [
                        {
                            container: "create",
                            context: {
                                path: "prometheusOperator.admissionWebhooks.createSecretJob.securityContext",
                                default: { readOnlyRootFilesystem: true, ...NO_ESCALATION },
                            },
                        },
                        {
                            container: "patch",
                            context: {
                                path: "prometheusOperator.admissionWebhooks.patchWebhookJob.securityContext",
                                default: { readOnlyRootFilesystem: true, ...NO_ESCALATION },
                            },
                        },
                    ],
                    source: "values.yaml:3152-3157, 3167-3182; templates/prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml:50-53, 70-73 and job-patchWebhook.yaml:59-62, 79-81",
                },
                probes: {
                    notServing: "two Jobs that write the webhook's certificate and exit",
                    source: "templates/prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml, job-patchWebhook.yaml (kind: Job)",
                },
                images: [
                    {
                        container: "create, patch",
                        repository: "prometheusOperator.admissionWebhooks.patch.image.repository",
                        tag: "prometheusOperator.admissionWebhooks.patch.image.tag",
                        tagDefault: "1.8.7",
                        digest: { path: "prometheusOperator.admissionWebhooks.patch.image.sha", form: "<hex>" },
                        source: "values.yaml:3129-3133; job-createSecret.yaml:38-43, job-patchWebhook.yaml:46-51",
                    },
                ],
                renderedWhen: [
                    OPERATOR_ON,
                    { path: "prometheusOperator.admissionWebhooks.enabled", byDefault: true },
                    { path: "prometheusOperator.admissionWebhooks.patch.enabled", byDefault: true },
                    { path: "prometheusOperator.admissionWebhooks.certManager.enabled", byDefault: false, when: false },
                ],
                source: "values.yaml:2869-2875, 3127-3163; templates/prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml:1, 50-55, 70-72 and job-patchWebhook.yaml:1, 59-64, 79-81",
            },
            {
                workload: "Prometheus (StatefulSet by the operator, container prometheus)",
                resources: "prometheus.prometheusSpec.resources",
                security: {
                    pods: [
                        {
                            pod: "Prometheus",
                            context: { path: "prometheus.prometheusSpec.securityContext", default: PROMETHEUS_POD_CONTEXT },
                        },
                    ],
                    containers: [{ container: "prometheus", context: { fixed: OPERATOR_CONTAINER } }],
                    source: "values.yaml:4815-4821; templates/prometheus/prometheus.yaml:259-262; prometheus-operator v0.93.0 pkg/prometheus/server/statefulset.go:347-353, 394",
                },
                probes: {
                    readinessProbe: { from: "template" },
                    livenessProbe: { from: "template" },
                    source: "prometheus-operator v0.93.0 pkg/prometheus/promcfg.go:1376-1401 (always built), pkg/prometheus/server/statefulset.go:342-344",
                },
                images: [
                    {
                        container: "prometheus",
                        repository: "prometheus.prometheusSpec.image.repository",
                        tag: "prometheus.prometheusSpec.image.tag",
                        tagDefault: "v3.14.0-distroless",
                        digest: { path: "prometheus.prometheusSpec.image.sha", form: "<hex>" },
                        source: "values.yaml:4344-4348; templates/prometheus/prometheus.yaml:52-56",
                    },
                ],
                renderedWhen: [PROMETHEUS_ON],
                source: "values.yaml:3615, 4668, 4815; templates/prometheus/prometheus.yaml:157-159, 259-261",
            },
            {
                workload: "Alertmanager (StatefulSet by the operator, container alertmanager)",
                resources: "alertmanager.alertmanagerSpec.resources",
                security: {
                    pods: [
                        {
                            pod: "Alertmanager",
                            context: { path: "alertmanager.alertmanagerSpec.securityContext", default: PROMETHEUS_POD_CONTEXT },
                        },
                    ],
                    containers: [{ container: "alertmanager", context: { fixed: OPERATOR_CONTAINER } }],
                    source: "values.yaml:1219-1225; templates/alertmanager/alertmanager.yaml:101-104; prometheus-operator v0.93.0 pkg/alertmanager/statefulset.go:715-721, 825",
                },
                probes: {
                    readinessProbe: { from: "template", when: [ALERTMANAGER_LISTENS] },
                    livenessProbe: { from: "template", when: [ALERTMANAGER_LISTENS] },
                    source: "values.yaml:1245 (listenLocal: false); prometheus-operator v0.93.0 pkg/alertmanager/statefulset.go:375-395, 712-713",
                },
                images: [
                    {
                        container: "alertmanager",
                        repository: "alertmanager.alertmanagerSpec.image.repository",
                        tag: "alertmanager.alertmanagerSpec.image.tag",
                        tagDefault: "v0.34.0",
                        digest: { path: "alertmanager.alertmanagerSpec.image.sha", form: "<hex>" },
                        source: "values.yaml:1018-1022; templates/alertmanager/alertmanager.yaml:18-28",
                    },
                ],
                renderedWhen: [ALERTMANAGER_ON],
                source: "values.yaml:402, 1165, 1219; templates/alertmanager/alertmanager.yaml:94-96, 101-103",
            },
            {
                workload: "Deployment grafana (container grafana)",
                resources: "grafana.resources",
                security: {
                    pods: [{ pod: "grafana", context: GRAFANA_POD_CONTEXT }],
                    containers: [
                        {
                            container: "grafana",
                            context: {
                                path: "grafana.containerSecurityContext",
                                default: { privileged: false, seccompProfile: { type: "RuntimeDefault" }, ...NO_ESCALATION },
                            },
                        },
                    ],
                    source: "grafana 12.11.1 values.yaml:159-172; templates/_pod.tpl:13-16, 1265-1267",
                },
                probes: {
                    readinessProbe: { from: "value", path: "grafana.readinessProbe", chartDefault: true },
                    livenessProbe: { from: "value", path: "grafana.livenessProbe", chartDefault: true },
                    source: "grafana 12.11.1 values.yaml:90-101; templates/_pod.tpl:1529-1536",
                },
                images: [
                    {
                        container: "grafana",
                        repository: "grafana.image.repository",
                        tag: "grafana.image.tag",
                        tagDefault: '"" (the chart\'s appVersion)',
                        digest: { path: "grafana.image.sha", form: "<hex>" },
                        source: "grafana 12.11.1 values.yaml:108-116; templates/_pod.tpl:1245-1251",
                    },
                ],
                renderedWhen: [GRAFANA_ON],
                source: "kps values.yaml:1378; grafana 12.11.1 values.yaml:159, 165, 427; templates/_pod.tpl:13, 1265, 1541",
            },
            ...(
                [
                    // grafana 12.11.1 templates/_pod.tpl: sc-dashboard at 735-867, sc-datasources at 868-996.
                    [
                        "grafana-sc-dashboard",
                        DASHBOARDS_SIDECAR_ON,
                        "grafana.sidecar.dashboards.initDashboards",
                        "735-741, 845-860",
                        "1537-1538",
                        "1238",
                    ],
                    [
                        "grafana-sc-datasources",
                        DATASOURCES_SIDECAR_ON,
                        "grafana.sidecar.datasources.initDatasources",
                        "868-874, 974-989",
                        "1557-1558",
                        "1359",
                    ],
                ] as const
            ).map(([container, on, init, lines, kpsLines, initLine]): ChartWorkload => ({
                workload: `Deployment grafana (sidecar ${container})`,
                resources: "grafana.sidecar.resources",
                security: {
                    pods: [{ pod: "grafana", context: GRAFANA_POD_CONTEXT }],
                    containers: [
                        {
                            container,
                            context: {
                                path: "grafana.sidecar.securityContext",
                                default: { seccompProfile: { type: "RuntimeDefault" }, ...NO_ESCALATION },
                            },
                        },
                    ],
                    source: `grafana 12.11.1 values.yaml:1055-1061; templates/_pod.tpl:${lines}`,
                },
                probes: {
                    readinessProbe: { from: "value", path: "grafana.sidecar.readinessProbe", chartDefault: false },
                    livenessProbe: { from: "value", path: "grafana.sidecar.livenessProbe", chartDefault: false },
                    exempt: {
                        reason: "the dashboard and datasource sidecars both run kiwigrid/k8s-sidecar, whose health endpoint listens on HEALTH_PORT (default 8080); the chart sets HEALTH_PORT only for the init sidecars and gives the running ones one shared probe value, so in one pod both would bind 8080 and a probe there would test whichever bound it. A probe from these values cannot judge each sidecar; Grafana's own probes cover the pod's serving container",
                        source: "grafana 12.11.1 values.yaml:1065-1066 (readinessProbe: {}, livenessProbe: {}); templates/_pod.tpl:144, 241, 378, 475 (HEALTH_PORT, init containers only), 845-852, 974-981; kiwigrid/k8s-sidecar 2.10.1 README.md:125, 128-130",
                    },
                    source: "grafana 12.11.1 values.yaml:1065-1066; templates/_pod.tpl:845-852, 974-981",
                },
                images: [
                    {
                        container,
                        repository: "grafana.sidecar.image.repository",
                        tag: "grafana.sidecar.image.tag",
                        tagDefault: "2.10.1",
                        digest: { path: "grafana.sidecar.image.sha", form: "<hex>" },
                        source: "grafana 12.11.1 values.yaml:1041-1046; templates/_pod.tpl:736-741, 869-874",
                    },
                ],
                // Rendered as a running sidecar unless its init variant replaces it (KPS_ADDED_CONTAINERS).
                renderedWhen: [GRAFANA_ON, on, { path: init, byDefault: false, when: false }],
                source: `kps values.yaml:${kpsLines}; grafana 12.11.1 values.yaml:1040-1048, ${initLine}; templates/_pod.tpl:${lines}`,
            })),
            {
                workload: "Deployment kube-state-metrics",
                resources: "kube-state-metrics.resources",
                security: {
                    pods: [
                        {
                            pod: "kube-state-metrics",
                            context: {
                                path: "kube-state-metrics.securityContext",
                                default: {
                                    enabled: true,
                                    runAsGroup: 65534,
                                    runAsUser: 65534,
                                    fsGroup: 65534,
                                    runAsNonRoot: true,
                                    seccompProfile: { type: "RuntimeDefault" },
                                },
                                enabledKey: "enabled",
                            },
                        },
                    ],
                    containers: [
                        {
                            container: "kube-state-metrics",
                            context: {
                                path: "kube-state-metrics.containerSecurityContext",
                                default: { readOnlyRootFilesystem: true, ...NO_ESCALATION },
                            },
                        },
                    ],
                    source: "kube-state-metrics 8.4.0 values.yaml:339-356; templates/deployment.yaml:51-52, 252-255",
                },
                probes: {
                    readinessProbe: { from: "template" },
                    livenessProbe: { from: "template" },
                    source: "kube-state-metrics 8.4.0 values.yaml:627-647; templates/deployment.yaml:202-249 (written unconditionally)",
                },
                images: [
                    {
                        container: "kube-state-metrics",
                        repository: "kube-state-metrics.image.repository",
                        tag: "kube-state-metrics.image.tag",
                        tagDefault: '"" (v{appVersion})',
                        digest: { path: "kube-state-metrics.image.sha", form: "sha256:<hex>" },
                        source: 'kube-state-metrics 8.4.0 values.yaml:3-8; templates/_helpers.tpl:142-156 ("%s@%s" with image.sha)',
                    },
                ],
                renderedWhen: [KUBE_STATE_METRICS_ON],
                source: "kps values.yaml:2680; kube-state-metrics 8.4.0 values.yaml:339, 351, 515; templates/deployment.yaml:51-52, 251-254",
            },
            {
                workload: "DaemonSet prometheus-node-exporter",
                resources: "prometheus-node-exporter.resources",
                security: {
                    pods: [
                        {
                            pod: "prometheus-node-exporter",
                            context: {
                                path: "prometheus-node-exporter.securityContext",
                                default: { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 },
                            },
                        },
                    ],
                    containers: [
                        {
                            container: "node-exporter",
                            context: {
                                path: "prometheus-node-exporter.containerSecurityContext",
                                default: { readOnlyRootFilesystem: true },
                            },
                        },
                    ],
                    hostAccess: {
                        fields: ["hostNetwork", "hostPID", "hostPath volumes (/proc, /sys, / at /host/root)"],
                        reason: "node-exporter reports the node's own metrics: its network, processes and filesystems are the host's. It runs as nobody with every capability dropped",
                        source: "prometheus-node-exporter 4.56.1 values.yaml:382, 390, 396-397; templates/daemonset.yaml:315, 319 (hostNetwork, hostPID), 341-352 (hostPath volumes proc, sys, root)",
                    },
                    source: "prometheus-node-exporter 4.56.1 values.yaml:360-370; templates/daemonset.yaml:34-37, 115-118",
                },
                probes: {
                    readinessProbe: { from: "template" },
                    livenessProbe: { from: "template" },
                    source: "prometheus-node-exporter 4.56.1 values.yaml:572-594; templates/daemonset.yaml:141-176 (written unconditionally)",
                },
                images: [
                    {
                        container: "node-exporter",
                        repository: "prometheus-node-exporter.image.repository",
                        tag: "prometheus-node-exporter.image.tag",
                        tagDefault: '"" (v{appVersion}, -distroless: kps values.yaml:2746-2747)',
                        // image.sha fails the render ("image.sha forbidden. Use image.digest instead").
                        digest: { path: "prometheus-node-exporter.image.digest", form: "sha256:<hex>" },
                        source: "prometheus-node-exporter 4.56.1 values.yaml:4-12; templates/_helpers.tpl:77-93",
                    },
                ],
                renderedWhen: [NODE_EXPORTER_ON],
                source: "kps values.yaml:2712; prometheus-node-exporter 4.56.1 values.yaml:334, 360, 366; templates/daemonset.yaml:34-35, 115-116, 177-178",
            },
        ],
    },
];

/** The table's entry for a release's chart and version, or undefined. */
export function chartEntry(chart: unknown, version: unknown): ChartEntry | undefined {
    return CHARTS.find((entry) => entry.chart === chart && entry.version === version);
}

/** Every exemption of the table, for docs and tests: chart, workload, what is waived and why. */
export function exemptions(): {
    readonly chart: string;
    readonly workload: string;
    readonly rule: string;
    readonly fields: readonly string[];
    readonly exemption: Exemption;
}[] {
    return CHARTS.flatMap((entry) =>
        entry.workloads.flatMap((workload) => {
            const { exempt, hostAccess } = workload.security;
            const probes = "exempt" in workload.probes ? workload.probes.exempt : undefined;
            const row = (rule: string, fields: readonly string[], exemption: Exemption) => ({
                chart: `${entry.chart} ${entry.version}`,
                workload: workload.workload,
                rule,
                fields,
                exemption,
            });
            return [
                ...(exempt ? [row("k8s-helm-pod-security-restricted", exempt.fields, exempt)] : []),
                ...(hostAccess ? [row("not judged (host access)", hostAccess.fields, hostAccess)] : []),
                ...(probes ? [row("k8s-helm-probes", REQUIRED_PROBES, probes)] : []),
            ];
        }),
    );
}
