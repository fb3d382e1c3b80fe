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
 * - Fluent Bit's output metrics `fluentbit_output_dropped_records_total`,
 *   `fluentbit_output_retries_failed_total` and the gauge
 *   `fluentbit_output_chunk_available_capacity_percent` (label `name`: the output instance, e.g.
 *   `opensearch.0`), created per output by fluent/fluent-bit src/flb_output.c (cmetrics) and
 *   served at `/api/v2/metrics/prometheus`, which the chart's ServiceMonitor scrapes (logShipper.ts).
 * - cAdvisor via the kubelet (`container_cpu_usage_seconds_total`).
 */

/** How often Alertmanager re-sends the Watchdog heartbeat (its route's repeat_interval; cloudWatchAlarms.ts alarms when it stops). */
export const HEARTBEAT_MINUTES = 5;

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

/** A Prometheus recording rule: `expr` evaluated every interval and stored as the series `record`. */
export interface RecordingRule {
    readonly record: string;
    readonly expr: string;
    readonly labels: Readonly<Record<string, string>>;
}

export interface RuleGroup {
    readonly name: string;
    /** Evaluation interval of the group (PrometheusRule `groups[].interval`). @default Prometheus's own */
    readonly interval?: string;
    readonly rules: readonly (AlertRule | RecordingRule)[];
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

/** The availability objective: 99.99 % of requests answer without a 5xx, over 30 days. */
export const AVAILABILITY_OBJECTIVE = 0.9999;
/** The latency objective: 99 % of requests answered within 30 ms (the `le="0.03"` bucket), over 30 days. */
export const LATENCY_OBJECTIVE = 0.99;
/** The SLO window, days: Prometheus keeps at least this much (config/observability.ts). */
export const SLO_WINDOW_DAYS = 30;

/**
 * Multiwindow, multi-burn-rate alerts: the Google SRE Workbook's recommended set for a 30-day
 * SLO ("Alerting on SLOs", table 5-8, sre.google/workbook/alerting-on-slos, read 2026-12-02):
 * 2 % of the budget in 1 h (burn 14.4) and 5 % in 6 h (burn 6) page, 10 % in 3 days (burn 1)
 * opens a ticket; each long window is confirmed by a short one (1/12 of it) so the alert stops
 * soon after the burn does.
 */
export const BURN_WINDOWS = [
    { long: "1h", short: "5m", burn: 14.4, severity: "critical" },
    { long: "6h", short: "30m", burn: 6, severity: "critical" },
    { long: "3d", short: "6h", burn: 1, severity: "warning" },
] as const;

/**
 * No page on noise: a long window must hold at least this many bad requests. At 2 requests a
 * second, one 5xx in an hour is a 0.014 % ratio, a 14.4x burn of a 99.99 % budget.
 */
export const MIN_BAD_REQUESTS = 10;

/** How long the app's request metric may be missing before the SLO alerts are known to be blind. */
export const METRIC_ABSENT_FOR = "15m";

const COUNT = "http_server_request_duration_seconds_count";
const BUCKET = "http_server_request_duration_seconds_bucket";

/** How a counter is read over a window: the count in it (`increase`) or the per-second rate (`rate`). */
type CounterFn = "increase" | "rate";

/** Requests that spend the availability budget (5xx) in `window`. */
export function badAvailability(namespace: string, window: string, fn: CounterFn = "increase"): string {
    return `sum(${fn}(${COUNT}${api(namespace, `, http_response_status_code=~"5.."`)}[${window}]))`;
}

/** Requests that spend the latency budget (slower than 30 ms) in `window`. */
export function badLatency(namespace: string, window: string, fn: CounterFn = "increase"): string {
    return `(sum(${fn}(${COUNT}${api(namespace)}[${window}])) - sum(${fn}(${BUCKET}${api(namespace, `, le="${P99_LATENCY_SECONDS}"`)}[${window}])))`;
}

function total(namespace: string, window: string, fn: CounterFn = "increase"): string {
    return `sum(${fn}(${COUNT}${api(namespace)}[${window}]))`;
}

/** The ratio of bad requests in `window` for the objective `which`. */
export function badRatio(which: Objective, namespace: string, window: string): string {
    const bad = which === "availability" ? badAvailability(namespace, window) : badLatency(namespace, window);
    return `(${bad} / ${total(namespace, window)})`;
}

export type Objective = "availability" | "latency";

/** The error budget of an objective: the share of requests it may fail (1e-4 and 0.01). */
export function errorBudget(which: Objective): number {
    return Number((1 - (which === "availability" ? AVAILABILITY_OBJECTIVE : LATENCY_OBJECTIVE)).toPrecision(6));
}

/**
 * Recorded SLI series, label `slo` = the objective: the bad ratio and the bad request count over a
 * window (`api_slo:bad_ratio:increase1h{slo="availability"}`), named level:metric:operations as
 * Prometheus's recording-rule convention asks (prometheus.io/docs/practices/rules). The burn-rate
 * alerts and the dashboard's budget panels read these, so they never disagree.
 */
export const SLO_RECORDS = {
    ratio: (window: string) => `api_slo:bad_ratio:increase${window}`,
    bad: (window: string) => `api_slo:bad_requests:increase${window}`,
} as const;

/** The recorded series `record` of the objective `which`. */
export function sloSeries(record: string, which: Objective): string {
    return `${record}{slo="${which}"}`;
}

/** Every window the burn-rate alerts read (long and short), once each, in order. */
export function burnWindows(): string[] {
    return [...new Set(BURN_WINDOWS.flatMap((w) => [w.long, w.short]))];
}

/** Evaluation interval of the SLI rules, stated (Prometheus's global default may differ): the long windows' counts sum its samples. */
const SLI_RULE_INTERVAL = "30s";

/** Evaluation interval of the 30-day budget rule (it reads 30 days of the 5-minute records). */
export const BUDGET_RULE_INTERVAL = "2m";

/**
 * Windows up to this long are read from the raw counters; longer ones (3 d, 30 d) from the
 * 5-minute rate records: an `increase()` over 30 days of raw counters reads 86,400 samples per
 * series at a 30 s scrape, so with a few hundred API series (pods × routes × methods × statuses,
 * and the bucket) it would pass Prometheus's default `--query.max-samples` of 50,000,000 and fail
 * every evaluation; over the records it reads one series.
 */
const RAW_WINDOW_MAX_SECONDS = 6 * 3600;

/** The RATE_WINDOW (5-minute) records the long windows sum over: one series per objective. */
const SLO_RATE_RECORDS = { bad: `api_slo:bad_requests:rate${RATE_WINDOW}`, total: `api_slo:requests:rate${RATE_WINDOW}` } as const;

/** Seconds of a Prometheus duration of one unit ("5m", "6h", "3d"). */
function windowSeconds(window: string): number {
    const m = /^(\d+)([smhd])$/.exec(window);
    if (!m) throw new Error(`windowSeconds: ${window} is not a duration of one unit such as 5m, 6h or 3d`);
    return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
}

/**
 * The bad ratio and the bad count over a long window from the 5-minute records: each record
 * sample is a per-second rate over 5 minutes, taken every SLI_RULE_INTERVAL, so the sums of bad
 * and of all over the window weigh every moment alike and their quotient is the window's bad
 * ratio; the sum of the bad rates times the interval's seconds is its bad count (exact however
 * much of the window the records cover yet: a mean times the window would extrapolate the first
 * days after a deployment).
 */
function longWindow(which: Objective, window: string): { ratio: string; bad: string } {
    const bad = sloSeries(SLO_RATE_RECORDS.bad, which);
    const all = sloSeries(SLO_RATE_RECORDS.total, which);
    return {
        ratio: `(sum_over_time(${bad}[${window}]) / sum_over_time(${all}[${window}]))`,
        bad: `(sum_over_time(${bad}[${window}]) * ${windowSeconds(SLI_RULE_INTERVAL)})`,
    };
}

/**
 * The recording rules of the SLIs: per objective, the 5-minute bad and total rates, then the bad
 * ratio and bad count over every burn window (from the raw counters up to 6 h, from the rate
 * records beyond), and the bad ratio over the SLO window (30 d, from the rate records; its own
 * group, evaluated every BUDGET_RULE_INTERVAL) for the remaining budget. Rules of a group are
 * evaluated in order, so a long window reads this evaluation's rate records.
 */
export function sloRecordingRules(namespace: string): RuleGroup[] {
    const objectives: Objective[] = ["availability", "latency"];
    const bad = (which: Objective, window: string, fn?: CounterFn) =>
        (which === "availability" ? badAvailability : badLatency)(namespace, window, fn);
    return [
        {
            name: "api.slo.sli",
            interval: SLI_RULE_INTERVAL,
            rules: [
                ...objectives.flatMap((which) => [
                    { record: SLO_RATE_RECORDS.bad, expr: bad(which, RATE_WINDOW, "rate"), labels: { slo: which } },
                    { record: SLO_RATE_RECORDS.total, expr: total(namespace, RATE_WINDOW, "rate"), labels: { slo: which } },
                ]),
                ...objectives.flatMap((which) =>
                    burnWindows().flatMap((window) => {
                        const derived = windowSeconds(window) > RAW_WINDOW_MAX_SECONDS ? longWindow(which, window) : null;
                        return [
                            {
                                record: SLO_RECORDS.ratio(window),
                                expr: derived?.ratio ?? badRatio(which, namespace, window),
                                labels: { slo: which },
                            },
                            { record: SLO_RECORDS.bad(window), expr: derived?.bad ?? bad(which, window), labels: { slo: which } },
                        ];
                    }),
                ),
            ],
        },
        {
            name: "api.slo.budget",
            interval: BUDGET_RULE_INTERVAL,
            rules: objectives.map((which) => ({
                record: SLO_RECORDS.ratio(`${SLO_WINDOW_DAYS}d`),
                expr: longWindow(which, `${SLO_WINDOW_DAYS}d`).ratio,
                labels: { slo: which },
            })),
        },
    ];
}

function burnRateRules(which: Objective, region: string): AlertRule[] {
    const objective = which === "availability" ? AVAILABILITY_OBJECTIVE : LATENCY_OBJECTIVE;
    const budget = errorBudget(which);
    const name = which === "availability" ? "ApiAvailabilityBudgetBurn" : "ApiLatencyBudgetBurn";
    return BURN_WINDOWS.map((w) => {
        const threshold = Number((w.burn * budget).toPrecision(6));
        return {
            alert: name,
            // The recorded series of sloRecordingRules; all carry only `slo`, so `and` matches them one to one.
            expr:
                `${sloSeries(SLO_RECORDS.ratio(w.long), which)} > ${threshold}` +
                ` and ${sloSeries(SLO_RECORDS.ratio(w.short), which)} > ${threshold}` +
                ` and ${sloSeries(SLO_RECORDS.bad(w.long), which)} >= ${MIN_BAD_REQUESTS}`,
            for: w.severity === "critical" ? "2m" : "1h",
            labels: { severity: w.severity, region, slo: which, long_window: w.long },
            annotations: {
                summary: `API ${which} error budget burning ${w.burn}x over ${w.long} in ${region}`,
                description: `The ${which} objective (${objective * 100} % over ${SLO_WINDOW_DAYS} days) loses its budget ${w.burn} times faster than it allows, over ${w.long} and ${w.short}.`,
            },
        };
    });
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
                ...burnRateRules("availability", region),
                ...burnRateRules("latency", region),
                {
                    // Without the app's metric every rule above is an empty vector: say so. The ALB's own
                    // alarms (CloudWatch, cloudWatchAlarms.ts) keep watching 5xx and p99 meanwhile.
                    alert: "ApiMetricsAbsent",
                    expr: `absent(${COUNT}${api(namespace)})`,
                    for: METRIC_ABSENT_FOR,
                    labels: labels("warning"),
                    annotations: {
                        summary: `The API exports no ${COUNT} in ${region}: the SLO alerts are blind`,
                        description:
                            "Prometheus scrapes no http_server_request_duration_seconds from the API (docs/observability.md says what the app must export).",
                    },
                },
                {
                    // The latency SLO reads the 30 ms bucket; OpenTelemetry's default buckets
                    // (…, 0.025, 0.05, …) have none, and then the latency burn rules are empty
                    // vectors that never fire. The count alone would not say so.
                    alert: "ApiLatencyBucketAbsent",
                    expr: `absent(${BUCKET}${api(namespace, `, le="${P99_LATENCY_SECONDS}"`)}) and on() count(${COUNT}${api(namespace)}) > 0`,
                    for: METRIC_ABSENT_FOR,
                    labels: labels("warning"),
                    annotations: {
                        summary: `The API's latency histogram in ${region} has no ${P99_LATENCY_SECONDS} s bucket: the latency SLO alerts are blind`,
                        description:
                            "Add 0.03 to the buckets of http.server.request.duration (docs/observability.md); until then the latency burn-rate rules cannot fire.",
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

/** Window over which Fluent Bit's lost records are counted: three 30 s scrapes and then some. */
export const LOG_LOSS_WINDOW = "10m";
/** How long Fluent Bit's metrics may be missing before log loss would go unseen. */
export const LOG_SHIPPER_ABSENT_FOR = "15m";

/**
 * Below this share of free space in an output's filesystem buffer (its `storage.total_limit_size`,
 * logShipper.ts) the domain has been refusing or unreachable for a while: at 0 % the oldest logs go.
 */
export const LOG_BUFFER_MIN_FREE_PERCENT = 50;
/** The buffer must stay that full this long: a burst drained by the next flushes is not a problem. */
export const LOG_BUFFER_FOR = "10m";

/**
 * Log shipping: records Fluent Bit dropped (a chunk the domain still refused after its retries,
 * e.g. a mapping conflict, moved to the node's rejected queue; or its filesystem buffer was full
 * and the oldest chunk was discarded: src/flb_engine.c and src/flb_input_chunk.c count both in the
 * same counter), per pod and output; and a buffer filling up, the warning before that loss.
 * Lost logs are not an outage: tickets (warning), not pages.
 */
export function logShippingRules(region: string): RuleGroup {
    const labels = { severity: "warning", region };
    const lost = (metric: string) => `sum by (pod, name) (increase(${metric}[${LOG_LOSS_WINDOW}])) > 0`;
    return {
        name: "logs.shipping",
        rules: [
            {
                alert: "FluentBitDroppedRecords",
                expr: lost("fluentbit_output_dropped_records_total"),
                for: "0m",
                labels,
                annotations: {
                    summary: `Fluent Bit {{ $labels.pod }} dropped records on output {{ $labels.name }} in ${region}`,
                    description: `{{ $value | humanize }} records dropped in ${LOG_LOSS_WINDOW}: refused by the log domain after every retry (kept on the node under /var/fluent-bit/state/buffer/rejected/ up to 1G) or discarded from a full buffer (check the pod's log, docs/observability.md).`,
                },
            },
            {
                // 100 × (1 − buffered bytes / storage.total_limit_size): fluent/fluent-bit src/flb_engine.c
                // calculate_chunk_capacity_percent.
                alert: "FluentBitBufferFilling",
                expr: `min by (pod, name) (fluentbit_output_chunk_available_capacity_percent) < ${LOG_BUFFER_MIN_FREE_PERCENT}`,
                for: LOG_BUFFER_FOR,
                labels,
                annotations: {
                    summary: `Fluent Bit {{ $labels.pod }} buffers logs for output {{ $labels.name }} in ${region}: {{ $value | humanize }} % of its buffer left`,
                    description:
                        "The log domain has not accepted this output's records for a while (outage, write block or missing role mapping). At 0 % Fluent Bit discards the oldest buffered logs (FluentBitDroppedRecords).",
                },
            },
            {
                // Without the scrape both rules above are empty vectors: say so.
                alert: "FluentBitMetricsAbsent",
                expr: "absent(fluentbit_output_retries_failed_total)",
                for: LOG_SHIPPER_ABSENT_FOR,
                labels,
                annotations: {
                    summary: `Prometheus scrapes no Fluent Bit metrics in ${region}: log loss would go unseen`,
                    description: "The fluent-bit ServiceMonitor (namespace logging) finds no target, or Fluent Bit is not running.",
                },
            },
        ],
    };
}
