/**
 * The API dashboard as code: a Grafana dashboard model (plain JSON) built from the same
 * queries as the alert rules, so a panel and its alert never disagree.
 */
import { ERROR_RATIO, P99_LATENCY_SECONDS, errorRatio, latencyQuantile, requestsPerSecond } from "./alertRules";

/** kube-prometheus-stack provisions its Prometheus data source with this uid. */
const DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;

interface Target {
    readonly expr: string;
    readonly legendFormat: string;
}

interface Panel {
    readonly id: number;
    readonly title: string;
    readonly type: "timeseries";
    readonly gridPos: { h: number; w: number; x: number; y: number };
    readonly datasource: typeof DATASOURCE;
    readonly fieldConfig: { defaults: Record<string, unknown>; overrides: never[] };
    readonly targets: readonly (Target & { refId: string; datasource: typeof DATASOURCE })[];
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

function panel(id: number, title: string, unit: string, targets: Target[], threshold?: number): Panel {
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
        datasource: DATASOURCE,
        fieldConfig: { defaults, overrides: [] },
        targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i), datasource: DATASOURCE })),
    };
}

/** Dashboard of the API in `namespace` of the cell in `region`. */
export function apiDashboard(namespace: string, region: string): Dashboard {
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
        ],
    };
}
