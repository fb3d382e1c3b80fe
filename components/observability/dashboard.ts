/**
 * The API dashboard as code: a Grafana dashboard model (plain JSON) built from the same
 * queries as the alert rules, so a panel and its alert never disagree.
 */
import {
    AVAILABILITY_OBJECTIVE,
    BURN_WINDOWS,
    LATENCY_OBJECTIVE,
    ERROR_RATIO,
    type Objective,
    P99_LATENCY_SECONDS,
    SLO_RECORDS,
    SLO_WINDOW_DAYS,
    errorBudget,
    errorRatio,
    latencyQuantile,
    requestsPerSecond,
    sloSeries,
} from "./alertRules";
import { ALB_LATENCY_PERIODS, ALB_P99_SECONDS } from "./cloudWatchAlarms";
import { CLOUDWATCH_DATASOURCE } from "./grafanaCloudWatch";

/** kube-prometheus-stack provisions its Prometheus data source with this uid. */
const DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;

type DatasourceRef = typeof DATASOURCE | typeof CLOUDWATCH_DATASOURCE;

/** A Prometheus query. */
export interface Target {
    readonly expr: string;
    readonly legendFormat: string;
}

/**
 * A CloudWatch metric query in the Builder's Search mode, as Grafana's CloudWatch plugin stores it:
 * field names, `queryMode` and the numeric enums from its query schema
 * (grafana/grafana public/app/plugins/datasource/cloudwatch/dataquery.gen.ts at 47210f9:
 * `CloudWatchMetricsQuery`, `MetricStat`, `MetricQueryType.Search = 0`, `MetricEditorMode.Builder = 0`),
 * the rest as the editor's default query (defaultQueries.ts `DEFAULT_METRICS_QUERY`: `id: ""`,
 * `matchExact: true`). `statistic` takes CloudWatch's extended statistics (`p99`) as the API does.
 */
interface CloudWatchTarget {
    readonly queryMode: "Metrics";
    readonly metricQueryType: 0;
    readonly metricEditorMode: 0;
    readonly id: string;
    readonly region: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
    readonly matchExact: boolean;
    readonly statistic: string;
    /** Seconds, as a string. */
    readonly period: string;
    readonly label: string;
}

export interface Panel {
    readonly id: number;
    readonly title: string;
    readonly type: "timeseries";
    readonly gridPos: { h: number; w: number; x: number; y: number };
    readonly datasource: DatasourceRef;
    readonly fieldConfig: { defaults: Record<string, unknown>; overrides: never[] };
    readonly targets: readonly ((Target | CloudWatchTarget) & { refId: string; datasource: DatasourceRef })[];
}

export interface Dashboard {
    readonly uid: string;
    readonly title: string;
    readonly tags: readonly string[];
    readonly timezone: string;
    readonly refresh: string;
    readonly schemaVersion: number;
    readonly time: { from: string; to: string };
    readonly panels: readonly Panel[];
}

function panel(
    id: number,
    title: string,
    unit: string,
    targets: (Target | CloudWatchTarget)[],
    threshold?: number,
    datasource: DatasourceRef = DATASOURCE,
): Panel {
    const defaults: Record<string, unknown> = { unit };
    if (threshold !== undefined) {
        defaults.thresholds = {
            mode: "absolute",
            steps: [
                { color: "green", value: null },
                { color: "red", value: threshold },
            ],
        };
        defaults.custom = { thresholdsStyle: { mode: "line" } };
    }
    const col = (id - 1) % 2;
    const row = Math.floor((id - 1) / 2);
    return {
        id,
        title,
        type: "timeseries",
        gridPos: { h: 8, w: 12, x: col * 12, y: row * 8 },
        datasource,
        fieldConfig: { defaults, overrides: [] },
        targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i), datasource })),
    };
}

/** Budget left over the SLO window, as a ratio of the whole budget: 1 untouched, 0 spent, below 0 overspent. */
export function budgetRemaining(which: Objective): string {
    return `1 - ${sloSeries(SLO_RECORDS.ratio(`${SLO_WINDOW_DAYS}d`), which)} / ${errorBudget(which)}`;
}

/** How many times faster than the budget allows requests fail over `window` (1 spends it in exactly 30 days). */
export function burnRate(which: Objective, window: string): string {
    return `${sloSeries(SLO_RECORDS.ratio(window), which)} / ${errorBudget(which)}`;
}

/** The long windows of the burn-rate alerts: each one's burn, against the line at 1. */
function burnRatePanel(id: number, which: Objective): Panel {
    const title = `${which === "availability" ? "Availability" : "Latency"} budget burn rate (alerts at ${BURN_WINDOWS.map((w) => `${w.burn}x/${w.long}`).join(", ")})`;
    return panel(
        id,
        title,
        "short",
        BURN_WINDOWS.map((w) => ({ expr: burnRate(which, w.long), legendFormat: w.long })),
        1,
    );
}

/** The cell's ALB as CloudWatch names it. */
export interface AlbMetrics {
    /** The load balancer's `arnSuffix` (`app/<name>/<id>`): the LoadBalancer dimension, as the alarms use it. */
    readonly arnSuffix: string;
}

/**
 * The ALB's TargetResponseTime p99, the very series the CloudWatch alarm judges (cloudWatchAlarms.ts
 * `alb-p99-latency`: AWS/ApplicationELB, LoadBalancer only, p99 over 1-minute periods, above 30 ms
 * for ALB_LATENCY_PERIODS minutes), read through the cell's CloudWatch data source in its own region.
 * `matchExact`: the load balancer's own series, not its per-target-group or per-zone ones.
 */
function albLatencyPanel(id: number, region: string, alb: AlbMetrics): Panel {
    return panel(
        id,
        "ALB target response time p99 (CloudWatch)",
        "s",
        [
            {
                queryMode: "Metrics",
                metricQueryType: 0,
                metricEditorMode: 0,
                id: "",
                region,
                namespace: "AWS/ApplicationELB",
                metricName: "TargetResponseTime",
                dimensions: { LoadBalancer: alb.arnSuffix },
                matchExact: true,
                statistic: "p99",
                period: "60",
                label: `p99 (alarm: above ${ALB_P99_SECONDS * 1000} ms for ${ALB_LATENCY_PERIODS} min)`,
            },
        ],
        ALB_P99_SECONDS,
        CLOUDWATCH_DATASOURCE,
    );
}

/**
 * Dashboard of the API in `namespace` of the cell in `region`; with `alb`, the ALB's latency from
 * CloudWatch beside the app's own histogram.
 */
export function apiDashboard(namespace: string, region: string, alb?: AlbMetrics): Dashboard {
    const ns = `{namespace="${namespace}"}`;
    return {
        uid: `api-${region}`,
        title: `API (${region})`,
        tags: ["api", "platform", region],
        timezone: "utc",
        refresh: "30s",
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        panels: [
            panel(
                1,
                "Latency p50 / p95 / p99",
                "s",
                [
                    { expr: latencyQuantile(namespace, 0.5), legendFormat: "p50" },
                    { expr: latencyQuantile(namespace, 0.95), legendFormat: "p95" },
                    { expr: latencyQuantile(namespace, 0.99), legendFormat: "p99" },
                ],
                P99_LATENCY_SECONDS,
            ),
            panel(2, "Error rate (5xx ratio)", "percentunit", [{ expr: errorRatio(namespace), legendFormat: "5xx ratio" }], ERROR_RATIO),
            panel(3, "Requests per second", "reqps", [{ expr: requestsPerSecond(namespace), legendFormat: "rps" }]),
            panel(4, "Pods running", "short", [
                { expr: `sum(kube_pod_status_phase{namespace="${namespace}", phase="Running"})`, legendFormat: "running" },
            ]),
            panel(5, "HPA replicas", "short", [
                {
                    expr: `sum by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas${ns})`,
                    legendFormat: "current {{horizontalpodautoscaler}}",
                },
                {
                    expr: `sum by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_desired_replicas${ns})`,
                    legendFormat: "desired {{horizontalpodautoscaler}}",
                },
                {
                    expr: `sum by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas${ns})`,
                    legendFormat: "max {{horizontalpodautoscaler}}",
                },
            ]),
            panel(6, "CPU (cores)", "short", [
                { expr: `sum(rate(container_cpu_usage_seconds_total{namespace="${namespace}", container!=""}[5m]))`, legendFormat: "used" },
                { expr: `sum(kube_pod_container_resource_requests{namespace="${namespace}", resource="cpu"})`, legendFormat: "requested" },
            ]),
            // The SLOs, from the recording rules the burn-rate alerts read (alertRules.ts sloRecordingRules).
            panel(7, `Error budget remaining (${SLO_WINDOW_DAYS} d)`, "percentunit", [
                { expr: budgetRemaining("availability"), legendFormat: `availability (${AVAILABILITY_OBJECTIVE * 100} %)` },
                {
                    expr: budgetRemaining("latency"),
                    legendFormat: `latency (${LATENCY_OBJECTIVE * 100} % within ${P99_LATENCY_SECONDS * 1000} ms)`,
                },
            ]),
            burnRatePanel(8, "availability"),
            burnRatePanel(9, "latency"),
            ...(alb === undefined ? [] : [albLatencyPanel(10, region, alb)]),
        ],
    };
}
