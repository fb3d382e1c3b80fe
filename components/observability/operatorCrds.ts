/**
 * The Prometheus Operator's CRDs as a Helm release of their own, and the check that keeps them
 * at the operator version kube-prometheus-stack runs. Plain data and pure functions (no Pulumi).
 *
 * Why a release of its own: Helm installs a chart's `crds/` directory on install only, never on
 * upgrade (helm/helm v3.21.4 pkg/action/install.go `installCRDs`; pkg/action/upgrade.go has no
 * CRD step), and kube-prometheus-stack keeps its CRDs there (charts/kube-prometheus-stack/charts/crds/crds/):
 * "CRDs created by this chart are not updated by default and should be manually updated"
 * (kube-prometheus-stack README, "Upgrading Chart"). The maintainers' `prometheus-operator-crds`
 * chart renders the same CRDs as templates (charts/prometheus-operator-crds/charts/crds/templates/),
 * so every `helm upgrade` of it applies them. kube-prometheus-stack's own alternative,
 * `crds.upgradeJob.enabled`, is "in preview, off by default and may change in the future"
 * (its values.yaml at 88.5.3) and pulls `busybox:latest` and a kubectl image into a hook Job.
 */
import { type ChartPin } from "../../regions/versions";

/** The prometheus-community chart repository: kube-prometheus-stack's and the CRD chart's. */
export const PROMETHEUS_COMMUNITY_CHARTS = "https://prometheus-community.github.io/helm-charts";

/**
 * prometheus-operator-crds 31.0.1: `appVersion: v0.93.1`, the CRDs of prometheus-operator v0.93.1
 * (prometheus-community/helm-charts charts/prometheus-operator-crds/Chart.yaml, commit 4529d7bb4,
 * 2026-08-10; read 2026-12-03). The same repository as kube-prometheus-stack.
 */
export const PROMETHEUS_OPERATOR_CRDS_CHART = {
    chart: "prometheus-operator-crds",
    version: "31.0.1",
    repository: PROMETHEUS_COMMUNITY_CHARTS,
} as const satisfies ChartPin;

/** Name of the CRD release (in the monitoring namespace; the CRDs themselves are cluster-scoped). */
export const CRDS_RELEASE = "prometheus-operator-crds";

/**
 * The prometheus-operator version (`appVersion` of Chart.yaml) of each chart version this program
 * has been checked against, read from prometheus-community/helm-charts (git history of
 * charts/kube-prometheus-stack/Chart.yaml and charts/prometheus-operator-crds/Chart.yaml, read
 * 2026-12-03). A chart bump adds its row here, read from that version's Chart.yaml.
 */
export const OPERATOR_VERSIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    // 88.4.0 (2026-08-18) moved to v0.93.1; 88.5.3 is commit ea930baee, 2026-08-21.
    "kube-prometheus-stack": { "88.5.3": "v0.93.1" },
    // 31.0.0 was v0.93.0; 31.0.1 (2026-08-10) is v0.93.1.
    "prometheus-operator-crds": { "31.0.0": "v0.93.0", "31.0.1": "v0.93.1" },
};

/**
 * Why the pinned kube-prometheus-stack and prometheus-operator-crds charts would not run together:
 * a pin whose operator version this program has not read, or CRDs of another operator version than
 * the one the stack deploys (a kube-prometheus-stack bump without the matching CRD chart bump).
 * Empty when they match.
 */
export function operatorCrdProblems(stack: ChartPin, crds: ChartPin, known = OPERATOR_VERSIONS): string[] {
    const problems: string[] = [];
    const operatorOf = (pin: ChartPin): string | undefined => {
        const version = known[pin.chart]?.[pin.version];
        if (version === undefined) {
            problems.push(
                `${pin.chart} ${pin.version}: its prometheus-operator version is unknown; read appVersion from that version's Chart.yaml (prometheus-community/helm-charts) and add it to OPERATOR_VERSIONS in components/observability/operatorCrds.ts`,
            );
        }
        return version;
    };
    const stackOperator = operatorOf(stack);
    const crdOperator = operatorOf(crds);
    if (stackOperator !== undefined && crdOperator !== undefined && stackOperator !== crdOperator) {
        const matching = Object.entries(known[crds.chart] ?? {})
            .filter(([, operator]) => operator === stackOperator)
            .map(([version]) => version);
        problems.push(
            `${stack.chart} ${stack.version} runs prometheus-operator ${stackOperator}, but ${crds.chart} ${crds.version} installs the CRDs of ${crdOperator}: ` +
                (matching.length
                    ? `pin ${crds.chart} ${matching[matching.length - 1]} with it`
                    : `bump ${crds.chart} to the version whose appVersion is ${stackOperator} and add its row to OPERATOR_VERSIONS`),
        );
    }
    return problems;
}

/**
 * Values of the CRD release. `helm.sh/resource-policy: keep` on every CRD (the chart's
 * `crds.annotations`, values.yaml of 31.0.1, rendered into each CRD's metadata.annotations):
 * Helm then never deletes them, neither on uninstall (pkg/action/uninstall.go keeps the
 * manifests that carry it) nor when a later chart version stops rendering one (pkg/kube/client.go
 * `Update` skips the delete). Deleting a CRD deletes every object of its kind: every
 * ServiceMonitor, PrometheusRule, Prometheus and Alertmanager of the cluster.
 */
export function operatorCrdValues(): Record<string, unknown> {
    return { crds: { annotations: { "helm.sh/resource-policy": "keep" } } };
}
