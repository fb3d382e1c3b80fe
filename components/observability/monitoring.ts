/**
 * Metrics and alerting of a cell: kube-prometheus-stack (Prometheus, Alertmanager, Grafana)
 * with the API dashboard and the API alert rules, publishing to the cell's alert topic.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { onPool } from "../../regions/capacity/nodes";
import { type ChartPin } from "../../regions/versions";
import { pinnedRelease } from "../helm";
import { podIdentityRole, policyDocument } from "../iam";
import { HEARTBEAT_MINUTES, apiAlertRules, logShippingRules, sloRecordingRules } from "./alertRules";
import { type AlbMetrics, apiDashboard } from "./dashboard";
import { cloudWatchDataSource, grafanaCloudWatchPolicy } from "./grafanaCloudWatch";
import {
    CRDS_RELEASE,
    PROMETHEUS_COMMUNITY_CHARTS,
    PROMETHEUS_OPERATOR_CRDS_CHART,
    operatorCrdProblems,
    operatorCrdValues,
} from "./operatorCrds";

/**
 * kube-prometheus-stack, pinned: 88.5.3 (Prometheus Operator v0.93, Alertmanager v0.34,
 * whose SNS receiver signs with SigV4 through the AWS SDK's default chain, Pod Identity
 * included). Upgrades are a reviewed change of this constant together with
 * PROMETHEUS_OPERATOR_CRDS_CHART (operatorCrds.ts): the CRDs come from that release, and a bump of
 * one without the other is refused before any resource is declared.
 */
export const KUBE_PROMETHEUS_STACK_CHART = {
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    repository: PROMETHEUS_COMMUNITY_CHARTS,
} as const satisfies ChartPin;

/** Name of the Helm release and of its objects (`fullnameOverride`): short, stable names. */
export const KPS_RELEASE = "kps";
export const ALERTMANAGER_SERVICE_ACCOUNT = "alertmanager";
/**
 * Grafana's service account, set in values (the grafana subchart 12.11.1 would name it
 * `<release>-grafana`, `grafana.serviceAccountName` in its _helpers.tpl): its Pod Identity
 * association names it.
 */
const GRAFANA_SERVICE_ACCOUNT = "grafana";
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const WEBHOOK_SECRET = "alertmanager-webhook";
/** Grafana's sidecar loads every ConfigMap carrying this label (kube-prometheus-stack default). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** StorageClass this tier declares when the cluster offers none for it. */
export const MONITORING_STORAGE_CLASS = "monitoring-gp3";
/** The compute tier's API Service: its name label and its named port. */
export const DEFAULT_API_SCRAPE = { selector: { "app.kubernetes.io/name": "api" }, port: "http", path: "/metrics" } as const;

/** Prometheus's retention and storage. */
export interface PrometheusSizing {
    /** Days Prometheus keeps samples. */
    readonly retentionDays: number;
    /** Persistent volume per Prometheus replica, GiB (gp3). */
    readonly volumeSizeGiB: number;
}

export interface MonitoringArgs {
    readonly region: string;
    /** The EKS cluster whose Alertmanager gets the SNS role (Pod Identity). */
    readonly clusterName: pulumi.Input<string>;
    readonly k8sProvider: k8s.Provider;
    /** The region's Alertmanager alert topic (alertTopic.ts: messages carry `severity`) and its KMS key. */
    readonly topicArn: pulumi.Input<string>;
    readonly topicKeyArn: pulumi.Input<string>;
    readonly prometheus: PrometheusSizing;
    /** Namespace of the API workload: alert rules and the dashboard select it. @default "api" */
    readonly apiNamespace?: string;
    /**
     * Namespaces of pods that are Pending by design (the warm-capacity placeholders while the API
     * has taken their room): the chart's alerts on Pending pods and short Deployments go nowhere
     * for them (PENDING_BY_DESIGN_ALERTS). @default none
     */
    readonly placeholderNamespaces?: readonly string[];
    /**
     * An existing StorageClass for the Prometheus and Alertmanager volumes.
     * @default none: this component declares `monitoring-gp3` (encrypted gp3, EBS CSI driver)
     */
    readonly storageClassName?: string;
    /**
     * How Prometheus finds the API's metrics: a ServiceMonitor in `apiNamespace` selecting
     * the API's Service. @default the compute tier's Service: label
     * `app.kubernetes.io/name: api`, port `http`, path `/metrics`
     */
    readonly apiScrape?: { readonly selector: Readonly<Record<string, string>>; readonly port: string; readonly path: string };
    /** Resources the ServiceMonitor waits for (the API's namespace and Service). @default none */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /**
     * An extra Alertmanager receiver URL, kept secret (a k8s Secret read through
     * `url_file`, never in Helm values). Plain because it decides whether that Secret exists.
     */
    readonly alertWebhookUrl?: string;
    /** @default "monitoring" */
    readonly namespace?: string;
    /**
     * The cell's ALB (its `arnSuffix`, CloudWatch's LoadBalancer dimension): the dashboard shows its
     * TargetResponseTime p99 through Grafana's CloudWatch data source. @default none: no such panel
     * (the data source and Grafana's role exist either way)
     */
    readonly alb?: { readonly arnSuffix: pulumi.Input<string> };
}

/**
 * kube-prometheus-stack for one cell: Prometheus (2 replicas, retention and gp3 volumes),
 * Alertmanager (2 replicas) routing to the region's SNS topic (SigV4 via Pod Identity) and
 * optionally a webhook, Grafana with its admin password in a Secret, the API dashboard and
 * the API alert rules.
 */
export class Monitoring extends pulumi.ComponentResource {
    readonly alertmanagerRoleArn: pulumi.Output<string>;
    /** Grafana's role (Pod Identity): reads CloudWatch metrics for its CloudWatch data source. */
    readonly grafanaRoleArn: pulumi.Output<string>;
    readonly grafanaAdminPassword: pulumi.Output<string>;
    readonly namespace: string;
    /** The kube-prometheus-stack release: what needs the operator's CRDs (ServiceMonitor, PrometheusRule) waits for it. */
    readonly release: k8s.helm.v3.Release;
    /** The prometheus-operator-crds release, installed and upgraded before kube-prometheus-stack. */
    readonly crds: k8s.helm.v3.Release;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Monitoring", name, {}, opts);
        const { region } = args;
        const problems = operatorCrdProblems(KUBE_PROMETHEUS_STACK_CHART, PROMETHEUS_OPERATOR_CRDS_CHART);
        if (problems.length) throw new pulumi.ResourceError(`Monitoring "${name}":\n- ${problems.join("\n- ")}`, this);
        const child = { parent: this };
        const k8sChild = { parent: this, provider: args.k8sProvider };
        const namespace = args.namespace ?? "monitoring";
        const apiNamespace = args.apiNamespace ?? "api";
        this.namespace = namespace;

        // A role per service account of the chart, and its association. The associations have never
        // waited for the policy: waiting now would change the deployed stacks' dependencies.
        const podIdentity = (role: string, serviceAccount: string, description: string, policy: pulumi.Input<string>) =>
            podIdentityRole(
                `${name}-${role}`,
                { region, clusterName: args.clusterName, namespace, serviceAccount, description, policy, waitForPolicy: false },
                child,
            );
        const { role, association } = podIdentity(
            "alertmanager",
            ALERTMANAGER_SERVICE_ACCOUNT,
            `Alertmanager of ${region}: publishes alerts to the region's SNS topic`,
            pulumi.jsonStringify(
                policyDocument(
                    { Effect: "Allow", Action: "sns:Publish", Resource: args.topicArn },
                    // The topic is KMS-encrypted: publishing needs a data key.
                    { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: args.topicKeyArn },
                ),
            ),
        );
        const grafana = podIdentity(
            "grafana",
            GRAFANA_SERVICE_ACCOUNT,
            `Grafana of ${region}: reads CloudWatch metrics for its CloudWatch data source`,
            grafanaCloudWatchPolicy(),
        );

        const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: namespace } }, k8sChild);
        const inNs = { parent: this, provider: args.k8sProvider, dependsOn: [ns] };

        const storage: pulumi.Resource[] = [];
        let storageClassName = args.storageClassName;
        if (storageClassName === undefined) {
            storageClassName = MONITORING_STORAGE_CLASS;
            storage.push(
                new k8s.storage.v1.StorageClass(
                    `${name}-gp3`,
                    {
                        metadata: { name: MONITORING_STORAGE_CLASS },
                        provisioner: "ebs.csi.aws.com",
                        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
                        // Metrics are re-scraped, not restored: released volumes are deleted, not orphaned.
                        reclaimPolicy: "Delete",
                        // Bind in the AZ the pod is scheduled to (EBS volumes are zonal).
                        volumeBindingMode: "WaitForFirstConsumer",
                        allowVolumeExpansion: true,
                    },
                    k8sChild,
                ),
            );
        }

        const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, child);
        const grafanaSecret = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            {
                metadata: { name: GRAFANA_ADMIN_SECRET, namespace },
                type: "Opaque",
                stringData: { "admin-user": "admin", "admin-password": pulumi.secret(password.result) },
            },
            inNs,
        );

        const secrets: k8s.core.v1.Secret[] = [grafanaSecret];
        if (args.alertWebhookUrl !== undefined) {
            secrets.push(
                new k8s.core.v1.Secret(
                    `${name}-webhook`,
                    {
                        metadata: { name: WEBHOOK_SECRET, namespace },
                        type: "Opaque",
                        stringData: { url: pulumi.secret(args.alertWebhookUrl) },
                    },
                    inNs,
                ),
            );
        }

        // The operator's CRDs first, as their own release: Helm upgrades templated CRDs, never a chart's
        // crds/ (operatorCrds.ts). `takeOwnership` (Helm's --take-ownership, @pulumi/kubernetes
        // helm/v3/release.d.ts) adopts CRDs that exist without this release's ownership metadata: those
        // a kube-prometheus-stack install put there from its crds/ before this release existed. Without
        // it the install fails ("exists and cannot be imported into the current release",
        // helm/helm pkg/action/validate.go). Adopting patches them in place; nothing is deleted.
        const crds = (this.crds = new k8s.helm.v3.Release(
            `${name}-crds`,
            { ...pinnedRelease(PROMETHEUS_OPERATOR_CRDS_CHART, namespace, CRDS_RELEASE), takeOwnership: true, values: operatorCrdValues() },
            inNs,
        ));

        const release = (this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                ...pinnedRelease(KUBE_PROMETHEUS_STACK_CHART, namespace, KPS_RELEASE),
                timeout: 900,
                values: kubePrometheusStackValues({
                    region,
                    topicArn: args.topicArn,
                    prometheus: args.prometheus,
                    storageClassName,
                    webhook: args.alertWebhookUrl !== undefined,
                    placeholderNamespaces: args.placeholderNamespaces,
                }),
            },
            // After the associations: Alertmanager's and Grafana's pods get Pod Identity credentials only if
            // admitted after theirs (the EKS Pod Identity webhook sets the credentials' env at pod creation).
            // After the CRDs: the chart's Prometheus and Alertmanager objects are of their kinds.
            { parent: this, provider: args.k8sProvider, dependsOn: [ns, crds, association, grafana.association, ...secrets, ...storage] },
        ));

        new k8s.core.v1.ConfigMap(
            `${name}-api-dashboard`,
            {
                metadata: { name: "api-dashboard", namespace, labels: { ...DASHBOARD_LABEL } },
                // The ALB's ARN suffix is unknown until the ALB exists (a first preview): the data follows it.
                data: pulumi
                    .output(args.alb?.arnSuffix)
                    .apply((arnSuffix) => ({ "api.json": JSON.stringify(apiDashboard(apiNamespace, region, albOf(arnSuffix))) })),
            },
            inNs,
        );

        // The rule needs the CRDs (the CRD release) and the operator's admission webhook (the chart).
        new k8s.apiextensions.CustomResource(
            `${name}-api-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "api-alerts", namespace, labels: { release: KPS_RELEASE } },
                spec: { groups: [...sloRecordingRules(apiNamespace), ...apiAlertRules(apiNamespace, region), logShippingRules(region)] },
            },
            { parent: this, provider: args.k8sProvider, dependsOn: [release] },
        );

        const scrape = args.apiScrape ?? DEFAULT_API_SCRAPE;
        new k8s.apiextensions.CustomResource(
            `${name}-api-monitor`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: "api", namespace: apiNamespace, labels: { release: KPS_RELEASE } },
                spec: {
                    selector: { matchLabels: { ...scrape.selector } },
                    namespaceSelector: { matchNames: [apiNamespace] },
                    endpoints: [{ port: scrape.port, path: scrape.path, interval: "30s" }],
                },
            },
            { parent: this, provider: args.k8sProvider, dependsOn: [release, ...(args.dependsOn ?? [])] },
        );

        this.alertmanagerRoleArn = role.arn;
        this.grafanaRoleArn = grafana.role.arn;
        this.grafanaAdminPassword = pulumi.secret(password.result);
        this.registerOutputs({
            alertmanagerRoleArn: this.alertmanagerRoleArn,
            grafanaRoleArn: this.grafanaRoleArn,
            grafanaAdminPassword: this.grafanaAdminPassword,
        });
    }
}

const albOf = (arnSuffix: string | undefined): AlbMetrics | undefined => (arnSuffix === undefined ? undefined : { arnSuffix });

interface ValuesInput {
    readonly region: string;
    readonly topicArn: pulumi.Input<string>;
    readonly prometheus: PrometheusSizing;
    readonly storageClassName: string;
    readonly webhook: boolean;
    /** @default none */
    readonly placeholderNamespaces?: readonly string[];
}

/**
 * The chart's alerts that a Pending placeholder fires (kube-prometheus-stack 88.5.3,
 * templates/prometheus/rules-1.14/kubernetes-apps.yaml: KubePodNotReady counts pods
 * `Pending|Unknown|Failed` for 15 m, KubeDeploymentReplicasMismatch a Deployment short of its
 * replicas for 15 m): every surge or failover would open tickets for the room working as meant.
 */
const PENDING_BY_DESIGN_ALERTS = ["KubePodNotReady", "KubeDeploymentReplicasMismatch"] as const;

/**
 * The chart's rules disabled (`defaultRules.disabled`, values.yaml of 88.5.3): KubeCPUOvercommit and
 * KubeMemoryOvercommit compare the pods' requests, Pending ones included
 * (k8s.rules.container_cpu_requests), with the nodes' allocatable less the largest node, a test of
 * a fixed fleet; under Karpenter nodes follow the pods, and the placeholders' requests would fire
 * them at every surge.
 */
const DISABLED_DEFAULT_RULES = ["KubeCPUOvercommit", "KubeMemoryOvercommit"] as const;

function volumeClaim(storageClassName: string, sizeGiB: number): Record<string, unknown> {
    return {
        volumeClaimTemplate: {
            spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${sizeGiB}Gi` } } },
        },
    };
}

/**
 * Replicas of the chart's components that run more than one (the operator, Grafana and
 * kube-state-metrics run one each: a budget of minAvailable 1 on one pod would block every drain).
 */
export const KPS_REPLICAS = { prometheus: 2, alertmanager: 2 } as const;

/**
 * A PodDisruptionBudget from the chart's own keys (`prometheus.podDisruptionBudget`,
 * `alertmanager.podDisruptionBudget`: values.yaml of 88.5.3, `enabled: false` by default; the
 * templates render `spec` from every key but `enabled`, so `maxUnavailable` must stay unset beside
 * the default `minAvailable`). One replica of two may be evicted at a time, so a node drain
 * (Karpenter consolidation, an AMI roll) never takes both. `AlwaysAllow`, the chart's default,
 * lets a drain evict a pod that is not Ready (a crash-looping replica does not block it).
 */
function disruptionBudget(): Record<string, unknown> {
    return { enabled: true, minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" };
}

/**
 * Container resources of every workload the chart renders (policy/helmCharts.ts lists them, with the
 * values path of each; the chart's default is `{}` for all of them, so without these no pod would
 * request anything). Requests, not measurements: where the chart's values.yaml (88.5.3, and its
 * subcharts' at the pinned versions) gives a commented example, the figure is from it; else it is
 * the choice stated beside it. Memory limits only, as the pack's k8s-resources asks (CPU limits throttle).
 */
export const KPS_RESOURCES = {
    // The operator's example (values.yaml:3412-3418): requests 100m/100Mi, limits 200Mi.
    operator: { requests: { cpu: "100m", memory: "100Mi" }, limits: { memory: "200Mi" } },
    // The example's 50Mi (values.yaml:3561-3567); cpu 50m, a choice below its 200m: it idles between reloads.
    configReloader: { requests: { cpu: "50m", memory: "50Mi" }, limits: { memory: "50Mi" } },
    // A choice: two short Jobs (kube-webhook-certgen) at install and upgrade; the chart gives no example.
    admissionJobs: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    // A choice, above the example's 400Mi (values.yaml:4668-4670): that example does not scale with
    // 2 replicas scraping every cell's nodes and pods over the retention; revisit with the measured
    // working set (container_memory_working_set_bytes) after the first weeks.
    prometheus: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
    // The example's 400Mi (values.yaml:1165-1167) as request and limit; cpu 50m, a choice.
    alertmanager: { requests: { cpu: "50m", memory: "400Mi" }, limits: { memory: "400Mi" } },
    // grafana 12.11.1's example (values.yaml:427-433): 100m/128Mi; the limit doubled, a choice (its CloudWatch queries).
    grafana: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    // grafana 12.11.1's sidecar example (values.yaml:1048-1054): requests 50m/50Mi, limits 100Mi.
    grafanaSidecar: { requests: { cpu: "50m", memory: "50Mi" }, limits: { memory: "100Mi" } },
    // kube-state-metrics 8.4.0's example (values.yaml:515-525): requests 10m/32Mi; memory request and
    // limit doubled, a choice: its memory grows with the objects it watches (pods, placeholders included).
    kubeStateMetrics: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    // prometheus-node-exporter 4.56.1's example (values.yaml:334-344) asks requests 100m/30Mi, limits 50Mi;
    // the CPU request is halved, a choice: it runs on every API node, whose DaemonSet budget (400m,
    // regions/capacity/nodes.ts DEFAULT_DAEMONSETS) must leave 7 API pods of 500m in 3,920m allocatable.
    nodeExporter: { requests: { cpu: "50m", memory: "30Mi" }, limits: { memory: "50Mi" } },
} as const;

/** Values of the kube-prometheus-stack release (exported for tests and docs). */
/**
 * Every pod of the chart but its node exporter (a DaemonSet) on the system nodes, at each values
 * path the chart reads (kps 88.5.3 values.yaml:3434 operator, 3144 admission Jobs, 4421
 * Prometheus, 1160 Alertmanager; grafana 12.11.1 values.yaml:438; kube-state-metrics 8.4.0
 * values.yaml:360): the API's nodes hold only what the capacity model sizes them for.
 */
const SYSTEM_POOL = onPool("system");
/** The well-known zone label (kubernetes.io/docs/reference/labels-annotations-taints, topology.kubernetes.io/zone). */
const ZONE_KEY = "topology.kubernetes.io/zone";

export function kubePrometheusStackValues(input: ValuesInput): Record<string, unknown> {
    const { prometheus } = input;
    // Pages and tickets reach the same topic with the SNS message attribute `severity` (page |
    // ticket), so each subscription filters what it receives (a filter policy on that attribute).
    const snsReceiver = (name: string, severity: "page" | "ticket" | "heartbeat"): Record<string, unknown> => ({
        name,
        sns_configs: [
            {
                topic_arn: input.topicArn,
                sigv4: { region: input.region },
                // SNS subjects are limited to 100 ASCII characters: keep it short.
                subject: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} (${input.region})`,
                attributes: { severity },
                send_resolved: true,
            },
        ],
    });
    const platformReceiver = snsReceiver("platform", "page");
    if (input.webhook) {
        platformReceiver.webhook_configs = [{ url_file: `/etc/alertmanager/secrets/${WEBHOOK_SECRET}/url`, send_resolved: true }];
    }
    return {
        fullnameOverride: KPS_RELEASE,
        // The CRDs are the prometheus-operator-crds release's (operatorCrds.ts). Off, the chart's crds
        // subchart (condition `crds.enabled`, Chart.yaml) renders nothing. Its crds/ were never part of
        // a release manifest (Helm installs them beside it), so turning this off deletes no CRD.
        crds: { enabled: false },
        prometheusOperator: {
            resources: KPS_RESOURCES.operator,
            // Readiness and liveness probes on the config reloaders (values.yaml:3557-3558, default false: the
            // operator adds them only with --enable-config-reloader-probes, templates/prometheus-operator/deployment.yaml:105-107),
            // and a startup probe beside them on the same /healthz (prometheus-operator v0.93.0 pkg/operator/config_reloader.go:401-403).
            // Turning it on changes the pod template the operator generates: on an existing cluster, it rolls the
            // Prometheus and Alertmanager StatefulSets once.
            prometheusConfigReloader: { resources: KPS_RESOURCES.configReloader, enableProbe: true },
            admissionWebhooks: { patch: { resources: KPS_RESOURCES.admissionJobs, nodeSelector: SYSTEM_POOL } },
            nodeSelector: SYSTEM_POOL,
        },
        "kube-state-metrics": { resources: KPS_RESOURCES.kubeStateMetrics, nodeSelector: SYSTEM_POOL },
        "prometheus-node-exporter": {
            resources: KPS_RESOURCES.nodeExporter,
            // The restricted fields the chart's defaults lack (4.56.1 values.yaml:360-370: non-root 65534 and a
            // read-only root only); Helm merges these onto them. Its host namespaces and mounts stay (the
            // pack records them, policy/helmCharts.ts CHARTS): node metrics are the host's.
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
        // EKS runs the control plane: the scheduler, controller manager and etcd are never scrapable,
        // and the chart's KubeSchedulerDown/KubeControllerManagerDown (absent(up{job=…}), critical)
        // would fire forever (prometheus-community/helm-charts#4106, aws/containers-roadmap#1298).
        kubeScheduler: { enabled: false },
        kubeControllerManager: { enabled: false },
        kubeEtcd: { enabled: false },
        // Nor kube-proxy's: the EKS add-on binds its metrics to 127.0.0.1:10249, so the chart's
        // scrape target is always down and TargetDown (a ticket) would fire forever
        // (eksctl-io/eksctl#4081, prometheus-community/helm-charts#977).
        kubeProxy: { enabled: false },
        defaultRules: {
            rules: {
                kubeSchedulerAlerting: false,
                kubeSchedulerRecording: false,
                kubeControllerManager: false,
                etcd: false,
                kubeProxy: false,
            },
            disabled: Object.fromEntries(DISABLED_DEFAULT_RULES.map((alert) => [alert, true])),
        },
        prometheus: {
            podDisruptionBudget: disruptionBudget(),
            prometheusSpec: {
                replicas: KPS_REPLICAS.prometheus,
                resources: KPS_RESOURCES.prometheus,
                nodeSelector: SYSTEM_POOL,
                // Replicas in different zones, softly (the chart's "soft" anti-affinity, its key by zone rather than
                // host: 88.5.3 values.yaml:4628-4633, templates/prometheus/prometheus.yaml:332-341): each binds its
                // zonal volume where it first runs, and the system pool has one node per zone by default.
                podAntiAffinityTopologyKey: ZONE_KEY,
                retention: `${prometheus.retentionDays}d`,
                // Stop before the volume fills: Prometheus drops the oldest blocks at this size.
                retentionSize: `${Math.floor(prometheus.volumeSizeGiB * 0.85)}GB`,
                storageSpec: volumeClaim(input.storageClassName, prometheus.volumeSizeGiB),
                // Select every rule, ServiceMonitor and PodMonitor, not only this release's.
                ruleSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                externalLabels: { region: input.region },
            },
        },
        alertmanager: {
            serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT },
            podDisruptionBudget: disruptionBudget(),
            alertmanagerSpec: {
                replicas: KPS_REPLICAS.alertmanager,
                resources: KPS_RESOURCES.alertmanager,
                nodeSelector: SYSTEM_POOL,
                // As Prometheus's (values.yaml:1174-1179, templates/alertmanager/alertmanager.yaml:136, 146).
                podAntiAffinityTopologyKey: ZONE_KEY,
                storage: volumeClaim(input.storageClassName, 10),
                secrets: input.webhook ? [WEBHOOK_SECRET] : [],
            },
            config: {
                global: { resolve_timeout: "5m" },
                route: {
                    receiver: "platform",
                    group_by: ["alertname", "namespace"],
                    group_wait: "30s",
                    group_interval: "5m",
                    repeat_interval: "4h",
                    // By severity: critical pages, warning opens a ticket, info and none (the chart's
                    // informational rules) go nowhere. Watchdog (always firing) is the heartbeat: sent
                    // every HEARTBEAT_MINUTES with severity=heartbeat, which no subscription receives;
                    // a CloudWatch alarm pages when it stops (cloudWatchAlarms.ts).
                    routes: [
                        {
                            receiver: "heartbeat",
                            matchers: ['alertname = "Watchdog"'],
                            group_wait: "0s",
                            group_interval: `${HEARTBEAT_MINUTES}m`,
                            repeat_interval: `${HEARTBEAT_MINUTES}m`,
                        },
                        ...(input.placeholderNamespaces ?? []).map((namespace) => ({
                            receiver: "null",
                            matchers: [`namespace = "${namespace}"`, `alertname =~ "${PENDING_BY_DESIGN_ALERTS.join("|")}"`],
                        })),
                        { receiver: "platform", matchers: ['severity = "critical"'] },
                        { receiver: "ticket", matchers: ['severity = "warning"'] },
                        { receiver: "null", matchers: ['severity =~ "info|none"'] },
                    ],
                },
                receivers: [{ name: "null" }, platformReceiver, snsReceiver("ticket", "ticket"), snsReceiver("heartbeat", "heartbeat")],
            },
        },
        grafana: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            // Named, for its Pod Identity association (the chart's own default is `create: true, autoMount: true`).
            serviceAccount: { create: true, name: GRAFANA_SERVICE_ACCOUNT },
            // Beside the chart's Prometheus and Alertmanager data sources (grafana.sidecar.datasources).
            additionalDataSources: [cloudWatchDataSource(input.region)],
            resources: KPS_RESOURCES.grafana,
            nodeSelector: SYSTEM_POOL,
            sidecar: {
                resources: KPS_RESOURCES.grafanaSidecar,
                dashboards: {
                    enabled: true,
                    label: Object.keys(DASHBOARD_LABEL)[0],
                    labelValue: DASHBOARD_LABEL.grafana_dashboard,
                    searchNamespace: "ALL",
                },
            },
        },
    };
}
