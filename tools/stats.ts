/**
 * Load-test arithmetic: percentiles, error rates and the objective. Pure, so the numbers a
 * CI gate depends on are unit-tested apart from any network.
 */

/** One finished request (a response) or a failed one (socket error, timeout). */
export interface Sample {
    /** Milliseconds since the run started, when the outcome was known. */
    readonly at: number;
    /** Response time in ms; undefined for socket errors and timeouts. */
    readonly latencyMs?: number;
    /** HTTP status; 0 for socket errors and timeouts. */
    readonly status: number;
    /** "timeout" or "socket" for requests that got no response. */
    readonly failure?: "timeout" | "socket";
    /** Value of the served-by region header, when one was asked for and present. */
    readonly region?: string;
}

export interface Objective {
    /** p99 latency must be strictly under this many ms. @default 30 */
    readonly p99Ms: number;
    /** Error rate (0..1) must be strictly under this. @default 0.001 (0.1 %) */
    readonly maxErrorRate: number;
}

export const DEFAULT_OBJECTIVE: Objective = { p99Ms: 30, maxErrorRate: 0.001 };

export interface Summary {
    /** Requests that got an answer or failed, in the window. */
    readonly requests: number;
    readonly responses: number;
    /** Non-2xx/3xx responses. */
    readonly httpErrors: number;
    readonly socketErrors: number;
    readonly timeouts: number;
    /** (httpErrors + socketErrors + timeouts) / requests; 0 with no requests. */
    readonly errorRate: number;
    readonly requestsPerSecond: number;
    /** Latency percentiles of the responses, in ms (rounded to 0.01); null with no responses. */
    readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number } | null;
    readonly statusCodes: Readonly<Record<string, number>>;
}

export interface Verdict {
    readonly holds: boolean;
    /** Why it does not hold (empty when it holds). */
    readonly reasons: readonly string[];
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
    if (sorted.length === 0) throw new Error("percentile of no values");
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function isError(sample: Sample): boolean {
    return sample.failure !== undefined || sample.status < 200 || sample.status >= 400;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Summarises the samples whose `at` is in [fromMs, toMs); `seconds` is the window's length. */
export function summarise(samples: readonly Sample[], seconds: number, fromMs = -Infinity, toMs = Infinity): Summary {
    const latencies: number[] = [];
    const statusCodes: Record<string, number> = {};
    let requests = 0;
    let httpErrors = 0;
    let socketErrors = 0;
    let timeouts = 0;
    for (const sample of samples) {
        if (sample.at < fromMs || sample.at >= toMs) continue;
        requests++;
        if (sample.failure === "timeout") timeouts++;
        else if (sample.failure === "socket") socketErrors++;
        else {
            latencies.push(sample.latencyMs ?? 0);
            statusCodes[sample.status] = (statusCodes[sample.status] ?? 0) + 1;
            if (isError(sample)) httpErrors++;
        }
    }
    const sorted = Float64Array.from(latencies).sort();
    return {
        requests,
        responses: latencies.length,
        httpErrors,
        socketErrors,
        timeouts,
        errorRate: requests === 0 ? 0 : (httpErrors + socketErrors + timeouts) / requests,
        requestsPerSecond: seconds > 0 ? round2(requests / seconds) : 0,
        latencyMs:
            sorted.length === 0
                ? null
                : {
                      p50: round2(percentile(sorted, 50)),
                      p95: round2(percentile(sorted, 95)),
                      p99: round2(percentile(sorted, 99)),
                      max: round2(sorted[sorted.length - 1]),
                  },
        statusCodes,
    };
}

export function judge(summary: Summary, objective: Objective): Verdict {
    const reasons: string[] = [];
    if (summary.requests === 0 || summary.latencyMs === null) {
        reasons.push("no responses were received");
    } else if (!(summary.latencyMs.p99 < objective.p99Ms)) {
        reasons.push(`p99 ${summary.latencyMs.p99} ms is not under ${objective.p99Ms} ms`);
    }
    if (summary.requests > 0 && !(summary.errorRate < objective.maxErrorRate)) {
        reasons.push(`error rate ${formatRate(summary.errorRate)} is not under ${formatRate(objective.maxErrorRate)}`);
    }
    return { holds: reasons.length === 0, reasons };
}

export function formatRate(rate: number): string {
    return `${Number((rate * 100).toFixed(3))}%`;
}
