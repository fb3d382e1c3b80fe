/**
 * Load-test arithmetic: latency histograms, error counts, percentiles and the objective. Pure
 * (no network), so the numbers a CI gate depends on are unit-tested apart from any run.
 *
 * Latencies are recorded in HDR histograms (hdr-histogram-js 3.0.1: integer microseconds, four
 * significant digits), not kept one by one: a run of 10 million requests costs about 1 MB per
 * histogram instead of about 1 GB of samples. A percentile is the nearest rank (the ⌈p/100 · n⌉-th
 * smallest value) of the recorded values, reported as the upper end of the histogram bucket that
 * holds it (the maximum too, as p100): exact to the microsecond below 32.768 ms, at most 0.01 % above the exact value beyond,
 * never below it. Histograms add exactly (bucket counts), so the
 * histograms of several workers merged by the collector give the very percentiles one process
 * would have computed over all their samples (test/tools/stats.test.ts checks both facts).
 */
import * as hdr from "hdr-histogram-js";

/** Reads (safe methods, RFC 9110 §9.2.1) and writes: their latencies differ, so each gets its figures. */
export const ROUTE_CLASSES = ["read", "write"] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

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
    /** The request's route class. @default "read" */
    readonly routeClass?: RouteClass;
}

export interface Objective {
    /** p99 latency must be strictly under this many ms. @default 30 */
    readonly p99Ms: number;
    /** Error rate (0..1) must be strictly under this. @default 0.001 (0.1 %) */
    readonly maxErrorRate: number;
}

export const DEFAULT_OBJECTIVE: Objective = { p99Ms: 30, maxErrorRate: 0.001 };

/** Latency percentiles in ms, rounded to 0.01 ms. */
export interface Latency {
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
}

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
    /** Latency percentiles of the responses; null with no responses. */
    readonly latencyMs: Latency | null;
    readonly statusCodes: Readonly<Record<string, number>>;
}

export interface Verdict {
    readonly holds: boolean;
    /** Why it does not hold (empty when it holds). */
    readonly reasons: readonly string[];
}

/** Microseconds: 1 µs resolution at the bottom; anything above ten minutes counts as ten minutes (timeouts end requests long before). */
const LOWEST_US = 1;
const HIGHEST_US = 600_000_000;
const HISTOGRAM: hdr.BuildRequest = {
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 4,
    useWebAssembly: false,
};

/** Nearest-rank percentile of an ascending array (p in 0..100): the exact figure the histograms approximate. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
    if (sorted.length === 0) throw new Error("percentile of no values");
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function isError(sample: Pick<Sample, "failure" | "status">): boolean {
    return sample.failure !== undefined || sample.status < 200 || sample.status >= 400;
}

/** Rounded to hundredths, as every figure of a report is printed. */
export const round2 = (x: number) => Math.round(x * 100) / 100;

/** What a Tally carries between processes: counters and the histogram, compressed (a few KB). */
export interface EncodedTally {
    readonly requests: number;
    readonly httpErrors: number;
    readonly socketErrors: number;
    readonly timeouts: number;
    readonly statusCodes: Readonly<Record<string, number>>;
    /** hdr-histogram-js `encodeIntoCompressedBase64`: HdrHistogram's portable compressed format. */
    readonly histogram: string;
}

/** The requests of one window and kind: counters and a latency histogram. Adds exactly to another. */
export class Tally {
    private readonly histogram: hdr.Histogram;
    requests = 0;
    httpErrors = 0;
    socketErrors = 0;
    timeouts = 0;
    readonly statusCodes: Record<string, number> = {};

    constructor(histogram?: hdr.Histogram) {
        this.histogram = histogram ?? hdr.build(HISTOGRAM);
    }

    /** Counts one outcome: a response with its latency, or a failure. */
    record(outcome: Pick<Sample, "failure" | "status" | "latencyMs">): void {
        this.requests++;
        if (outcome.failure === "timeout") this.timeouts++;
        else if (outcome.failure === "socket") this.socketErrors++;
        else {
            const us = Math.round((outcome.latencyMs ?? 0) * 1000);
            this.histogram.recordValue(Math.min(HIGHEST_US, Math.max(LOWEST_US, us)));
            this.statusCodes[outcome.status] = (this.statusCodes[outcome.status] ?? 0) + 1;
            if (isError(outcome)) this.httpErrors++;
        }
    }

    get responses(): number {
        return this.histogram.totalCount;
    }

    /** Adds `other`'s counts to this one (exact: bucket by bucket). */
    add(other: Tally): this {
        this.histogram.add(other.histogram);
        this.requests += other.requests;
        this.httpErrors += other.httpErrors;
        this.socketErrors += other.socketErrors;
        this.timeouts += other.timeouts;
        for (const [code, n] of Object.entries(other.statusCodes)) this.statusCodes[code] = (this.statusCodes[code] ?? 0) + n;
        return this;
    }

    /** Empties it (the progress line's one-second window). */
    reset(): void {
        this.histogram.reset();
        this.requests = this.httpErrors = this.socketErrors = this.timeouts = 0;
        for (const code of Object.keys(this.statusCodes)) delete this.statusCodes[code];
    }

    /** The figures over a window of `seconds`. */
    summary(seconds: number): Summary {
        const h = this.histogram;
        const ms = (us: number) => round2(us / 1000);
        const errors = this.httpErrors + this.socketErrors + this.timeouts;
        return {
            requests: this.requests,
            responses: this.responses,
            httpErrors: this.httpErrors,
            socketErrors: this.socketErrors,
            timeouts: this.timeouts,
            errorRate: this.requests === 0 ? 0 : errors / this.requests,
            requestsPerSecond: seconds > 0 ? round2(this.requests / seconds) : 0,
            latencyMs:
                h.totalCount === 0
                    ? null
                    : {
                          p50: ms(h.getValueAtPercentile(50)),
                          p95: ms(h.getValueAtPercentile(95)),
                          p99: ms(h.getValueAtPercentile(99)),
                          p999: ms(h.getValueAtPercentile(99.9)),
                          // The maximum by the percentiles' rule (p100: the upper end of the top bucket), not
                          // `maxValue`: that is the exact value in the recording process but the bucket's upper
                          // end once decoded (the compressed format carries bucket counts only, and
                          // hdr-histogram-js 3.0.1 `establishInternalTackingValues` rebuilds the maximum from
                          // them), so a merged report would disagree with one process's by up to 0.01 %.
                          max: ms(h.getValueAtPercentile(100)),
                      },
            statusCodes: { ...this.statusCodes },
        };
    }

    encode(): EncodedTally {
        return {
            requests: this.requests,
            httpErrors: this.httpErrors,
            socketErrors: this.socketErrors,
            timeouts: this.timeouts,
            statusCodes: { ...this.statusCodes },
            histogram: hdr.encodeIntoCompressedBase64(this.histogram),
        };
    }

    /** The tally `encode()` wrote (in any process). */
    static decode(encoded: EncodedTally): Tally {
        const decoded = hdr.decodeFromCompressedBase64(encoded.histogram, 32, false);
        // The decoded histogram is sized to what it holds: add it into one of the common shape.
        const histogram = hdr.build(HISTOGRAM);
        histogram.add(decoded);
        const tally = new Tally(histogram);
        tally.requests = encoded.requests;
        tally.httpErrors = encoded.httpErrors;
        tally.socketErrors = encoded.socketErrors;
        tally.timeouts = encoded.timeouts;
        Object.assign(tally.statusCodes, encoded.statusCodes);
        return tally;
    }
}

/** A run's figures by route class; the whole run is their sum. */
export class Figures {
    readonly byClass: Record<RouteClass, Tally> = { read: new Tally(), write: new Tally() };

    record(routeClass: RouteClass, outcome: Pick<Sample, "failure" | "status" | "latencyMs">): void {
        this.byClass[routeClass].record(outcome);
    }

    /** Every class together. */
    total(): Tally {
        return ROUTE_CLASSES.reduce((sum, c) => sum.add(this.byClass[c]), new Tally());
    }

    add(other: Figures): this {
        for (const c of ROUTE_CLASSES) this.byClass[c].add(other.byClass[c]);
        return this;
    }

    encode(): Record<RouteClass, EncodedTally> {
        return { read: this.byClass.read.encode(), write: this.byClass.write.encode() };
    }

    static decode(encoded: Record<RouteClass, EncodedTally>): Figures {
        const figures = new Figures();
        for (const c of ROUTE_CLASSES) figures.byClass[c] = Tally.decode(encoded[c]);
        return figures;
    }
}

/** Summarises the samples whose `at` is in [fromMs, toMs); `seconds` is the window's length. */
export function summarise(samples: readonly Sample[], seconds: number, fromMs = -Infinity, toMs = Infinity): Summary {
    const tally = new Tally();
    for (const sample of samples) if (sample.at >= fromMs && sample.at < toMs) tally.record(sample);
    return tally.summary(seconds);
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
