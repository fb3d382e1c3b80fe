/**
 * Prometheus alert rules and the API dashboard's queries, as plain data (no Pulumi), so
 * that thresholds are reviewed and tested in one place.
 *
 * Metrics used (all standard, none invented here):
 * - `http_server_request_duration_seconds` — the OpenTelemetry semantic-convention HTTP
 *   server histogram (seconds) as exported to Prometheus, with the label
 *   `http_response_status_code`. The API exposes it and is scraped by a ServiceMonitor in
 *   its namespace. Its buckets must include 0.03 so that the 30 ms p99 is measured, not
 *   interpolated (see docs/observability.md).
 * - kube-state-metrics (`kube_horizontalpodautoscaler_*`, `kube_pod_*`) and node-exporter
 *   (`node_cpu_seconds_total`), both installed by kube-prometheus-stack.
 * - cAdvisor via the kubelet (`container_cpu_usage_seconds_total`).
 */

/** The product's latency target: p99 under 30 ms. */
export const P99_LATENCY_SECONDS = 0.03;
/** p99 must stay above the target this long before paging: one slow scrape is noise. */
export const P99_LATENCY_FOR = "5m";
/** 0.1% of requests failing (5xx) breaks the 99.99% uptime budget within days. */
export const ERROR_RATIO = 0.001;
/** How long the error ratio must hold before the alert fires. */
export const ERROR_RATIO_FOR = "5m";
/** The HPA pinned at maxReplicas this long means the cell cannot absorb more load. */
export const HPA_AT_MAX_FOR = "15m";
/** More restarts than this of one container within RESTART_WINDOW is a crash loop, not a deploy. */
export const RESTARTS_MAX = 3;
/** Window over which container restarts are counted. */
export const RESTART_WINDOW = "15m";
/** Nodes above 70% CPU leave no headroom for a failed-over region's traffic. */
export const NODE_CPU_RATIO = 0.7;
/** Sustained, not a burst: Karpenter/cluster-autoscaler get this long to add nodes. */
export const NODE_CPU_FOR = "15m";
/** Rate window of every ratio and quantile: 5 scrapes at 1 minute keeps it stable. */
export const RATE_WINDOW = "5m";

export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
    readonly name: string;
    readonly rules: readonly AlertRule[];
}

/** Label selector of the API's series. */
function api(namespace: string, extra = ""): string {
    return `{namespace="${namespace}"${extra}}`;
}

export function latencyQuantile(namespace: string, quantile: number): string {
    return `histogram_quantile(${quantile}, sum by (le) (rate(http_server_request_duration_seconds_bucket${api(namespace)}[${RATE_WINDOW}])))`;
}

export function errorRatio(namespace: string): string {
    return (
        `sum(rate(http_server_request_duration_seconds_count${api(namespace, `, http_response_status_code=~"5.."`)}[${RATE_WINDOW}]))` +
        ` / sum(rate(http_server_request_duration_seconds_count${api(namespace)}[${RATE_WINDOW}]))`
    );
}

export function requestsPerSecond(namespace: string): string {
    return `sum(rate(http_server_request_duration_seconds_count${api(namespace)}[${RATE_WINDOW}]))`;
}

/**
 * The cell's alert rules for the API in `namespace`. `region` is added as a label so that
 * an alert arriving by SNS or webhook names its cell.
 */
export function apiAlertRules(namespace: string, region: string): RuleGroup[] {
    const labels = (severity: string) => ({ severity, region });
    return [
        {
            name: "api.slo",
            rules: [
                {
                    alert: "ApiLatencyP99High",
                    expr: `${latencyQuantile(namespace, 0.99)} > ${P99_LATENCY_SECONDS}`,
                    for: P99_LATENCY_FOR,
                    labels: labels("critical"),
                    annotations: {
                        summary: `API p99 latency above ${P99_LATENCY_SECONDS * 1000} ms in ${region}`,
                        description: "p99 of http_server_request_duration_seconds is {{ $value | humanizeDuration }} (target 30 ms).",
                    },
                },
                {
                    alert: "ApiErrorRateHigh",
                    expr: `(${errorRatio(namespace)}) > ${ERROR_RATIO}`,
                    for: ERROR_RATIO_FOR,
                    labels: labels("critical"),
                    annotations: {
                        summary: `API 5xx ratio above ${ERROR_RATIO * 100}% in ${region}`,
                        description: "{{ $value | humanizePercentage }} of requests answer 5xx.",
                    },
                },
            ],
        },
        {
            name: "api.capacity",
            rules: [
                {
                    alert: "ApiHpaAtMaxReplicas",
                    expr:
                        `kube_horizontalpodautoscaler_status_current_replicas${api(namespace)}` +
                        ` >= kube_horizontalpodautoscaler_spec_max_replicas${api(namespace)}`,
                    for: HPA_AT_MAX_FOR,
                    labels: labels("warning"),
                    annotations: {
                        summary: `HPA {{ $labels.horizontalpodautoscaler }} at max replicas in ${region}`,
                        description: "The API cannot scale out further: raise maxReplicas or add capacity (platform:capacity).",
                    },
                },
                {
                    alert: "ApiPodRestarting",
                    expr: `increase(kube_pod_container_status_restarts_total${api(namespace)}[${RESTART_WINDOW}]) > ${RESTARTS_MAX}`,
                    for: "0m",
                    labels: labels("warning"),
                    annotations: {
                        summary: `Pod {{ $labels.pod }} restarted more than ${RESTARTS_MAX} times in ${RESTART_WINDOW} in ${region}`,
                        description: "Container {{ $labels.container }} is crash-looping.",
                    },
                },
                {
                    alert: "NodeCpuHigh",
                    expr: `(1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${RATE_WINDOW}]))) > ${NODE_CPU_RATIO}`,
                    for: NODE_CPU_FOR,
                    labels: labels("warning"),
                    annotations: {
                        summary: `Node {{ $labels.instance }} CPU above ${NODE_CPU_RATIO * 100}% in ${region}`,
                        description: "CPU busy ratio is {{ $value | humanizePercentage }}; the cell has no headroom for failover traffic.",
                    },
                },
            ],
        },
    ];
}
