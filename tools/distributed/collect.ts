/**
 * The collector: the workers' results merged into one report. Histograms add exactly, so the
 * percentiles of the whole run, of each generator region and of each route class are those one
 * process would have computed over all the samples; request rates add, since workers run at once.
 * A worker without a result fails the run: its users' figures are missing.
 */
import { formatTable } from "../../plan/report/table";
import { type LoadModel } from "../load";
import { Figures, type Objective, ROUTE_CLASSES, type RouteClass, type Summary, type Verdict, formatRate, judge, round2 } from "../stats";
import { type WorkerOutcome } from "./local";
import { type WorkerResult, parseResult } from "./spec";
import { type Distribution } from "./split";

export interface Figured {
    readonly summary: Summary;
    readonly byClass: Record<RouteClass, Summary>;
    readonly verdict: Verdict;
}

export interface RegionReport extends Figured {
    readonly region: string;
    readonly cloudflareRegions: readonly string[];
    readonly servedBy: string | null;
    readonly users: number;
    readonly workers: number;
    /** Workers whose load started more than `LATE_MS` after the common start (a pod scheduled late). */
    readonly lateWorkers: number;
}

export interface DistributedReport extends Figured {
    readonly runId: string;
    readonly target: string;
    readonly scenario: string;
    readonly model: LoadModel["kind"];
    /** Open model: the arrival rate of the whole run, requests/s. */
    readonly ratePerSecond?: number;
    readonly users: number;
    /** Measured seconds of each worker, the longest. */
    readonly seconds: number;
    readonly regions: readonly RegionReport[];
    /** Workers that left no result, with why. */
    readonly failedWorkers: readonly { readonly region: string; readonly index: number; readonly why: string }[];
    readonly objective: Objective & Verdict;
}

/** A worker whose load started this late did not overlap the others fully: the report says so. */
export const LATE_MS = 5000;

export interface CollectInput {
    readonly runId: string;
    readonly target: string;
    readonly scenario: string;
    readonly model: LoadModel["kind"];
    readonly ratePerSecond?: number;
    readonly distribution: Distribution;
    readonly outcomes: readonly WorkerOutcome[];
    readonly objective: Objective;
}

export function collect(input: CollectInput): DistributedReport {
    const results: WorkerResult[] = [];
    const failedWorkers: { region: string; index: number; why: string }[] = [];
    for (const outcome of input.outcomes) {
        let result: WorkerResult | undefined;
        try {
            result = parseResult(outcome.output);
        } catch (err) {
            failedWorkers.push({ region: outcome.region, index: outcome.index, why: `unreadable result: ${(err as Error).message}` });
            continue;
        }
        if (result === undefined || result.runId !== input.runId) {
            const status = outcome.exitCode === null ? "killed at the deadline" : `exit ${outcome.exitCode}`;
            const last = outcome.errors.trim().split("\n").at(-1);
            failedWorkers.push({ region: outcome.region, index: outcome.index, why: `no result (${status}${last ? `: ${last}` : ""})` });
            continue;
        }
        results.push(result);
    }
    const seconds = Math.max(0, ...results.map((r) => r.seconds));
    const figure = (of: readonly WorkerResult[], extraReasons: string[] = []): Figured => {
        const merged = of.reduce((sum, r) => sum.add(Figures.decode(r.figures)), new Figures());
        // Workers run at once: their rates add; each one's measured window is about `seconds`.
        const summary = merged.total().summary(seconds);
        const base = judge(summary, input.objective);
        const reasons = [...base.reasons, ...extraReasons];
        return {
            summary,
            byClass: Object.fromEntries(ROUTE_CLASSES.map((c) => [c, merged.byClass[c].summary(seconds)])) as Record<RouteClass, Summary>,
            verdict: { holds: reasons.length === 0, reasons },
        };
    };
    const regions = input.distribution.regions.map((region): RegionReport => {
        const mine = results.filter((r) => r.region === region.region);
        const missing = region.workers.length - mine.length;
        return {
            region: region.region,
            cloudflareRegions: region.cloudflareRegions,
            servedBy: region.servedBy,
            users: region.users,
            workers: region.workers.length,
            lateWorkers: mine.filter((r) => r.lateMs > LATE_MS).length,
            ...figure(mine, missing > 0 ? [`${missing} of ${region.workers.length} workers left no result`] : []),
        };
    });
    const all = figure(results, failedWorkers.length > 0 ? [`${failedWorkers.length} workers left no result`] : []);
    return {
        runId: input.runId,
        target: input.target,
        scenario: input.scenario,
        model: input.model,
        ...(input.ratePerSecond === undefined ? {} : { ratePerSecond: input.ratePerSecond }),
        users: input.distribution.users,
        seconds: round2(seconds),
        ...all,
        regions,
        failedWorkers,
        objective: { ...input.objective, ...all.verdict },
    };
}

const latency = (s: Summary) =>
    s.latencyMs === null
        ? ["-", "-", "-", "-"]
        : [s.latencyMs.p50, s.latencyMs.p95, s.latencyMs.p99, s.latencyMs.p999].map((v) => v.toFixed(2));

/** The printed report: one row per region and route class, then the whole run and its verdict. */
export function formatDistributed(report: DistributedReport): string {
    const rows: string[][] = [
        ["region", "class", "users", "workers", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "errors", "verdict"],
    ];
    const row = (region: string, cls: string, users: string, workers: string, s: Summary, verdict: string) => [
        region,
        cls,
        users,
        workers,
        String(s.requests),
        String(s.requestsPerSecond),
        ...latency(s),
        formatRate(s.errorRate),
        verdict,
    ];
    const verdictOf = (v: Verdict) => (v.holds ? "holds" : "FAILS");
    for (const r of report.regions) {
        rows.push(row(r.region, "all", String(r.users), String(r.workers), r.summary, verdictOf(r.verdict)));
        for (const c of ROUTE_CLASSES) if (r.byClass[c].requests > 0) rows.push(row("", c, "", "", r.byClass[c], ""));
    }
    rows.push(
        row(
            "whole run",
            "all",
            String(report.users),
            String(report.regions.reduce((s, r) => s + r.workers, 0)),
            report.summary,
            verdictOf(report.verdict),
        ),
    );
    for (const c of ROUTE_CLASSES) if (report.byClass[c].requests > 0) rows.push(row("", c, "", "", report.byClass[c], ""));
    const table = formatTable(rows, new Set([0, 1, 11]));
    const model =
        report.model === "open"
            ? `open model: ${report.ratePerSecond} requests/s arriving (Little's law), latency from each request's scheduled send`
            : "closed model: each user thinks, sends, waits for the answer";
    const o = report.objective;
    return [
        `distributed run ${report.runId} against ${report.target} (${report.scenario}), ${report.users} users, ${report.seconds} s measured; ${model}`,
        table,
        ...report.regions
            .filter((r) => r.lateWorkers > 0)
            .map((r) => `  note: ${r.lateWorkers} workers in ${r.region} started over ${LATE_MS / 1000} s late`),
        ...report.failedWorkers.map((w) => `  worker ${w.region}/${w.index}: ${w.why}`),
        `objective p99 < ${o.p99Ms} ms and errors < ${formatRate(o.maxErrorRate)}: ${o.holds ? "HOLDS" : `FAILS (${o.reasons.join("; ")})`}`,
    ].join("\n");
}
