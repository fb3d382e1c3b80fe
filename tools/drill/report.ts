/**
 * The drill's report: what was drilled (`DrillSetup`), what the executed steps measured
 * (`DrillResult`, computed from the steps' results and the load's samples by a pure function),
 * the summary printed at the end, and the JSON written with `--report`.
 */
import { writeFileSync } from "node:fs";
import { type CellHeadroom, type FailoverImpact } from "../failover";
import { type PoolHealth, type PoolInfo } from "../pools";
import { type Sample, type Summary, isError, summarise } from "../stats";
import { type ArcPlanReport } from "./arcPlan";
import { type LedgerReport } from "./ledger";

/** A phase of the load; fromMs/toMs are ms since the load started. */
export interface PhaseReport extends Summary {
    readonly fromMs: number;
    readonly toMs: number;
}

/** What is drilled, known before anything is called. */
export interface DrillSetup {
    readonly stack: string;
    readonly region: string;
    readonly code: string;
    readonly executed: boolean;
    readonly expectation: {
        readonly reroutes: FailoverImpact["reroutes"];
        readonly cells: readonly CellHeadroom[];
        readonly unservedUsers: number;
    };
    readonly target: string;
    readonly regionHeader: string;
}

/** What the drill did and measured. */
export interface DrillResult {
    readonly pool: PoolInfo | null;
    readonly poolHealthBefore: PoolHealth | null;
    readonly poolHealthAfter: PoolHealth | null;
    /** Events, ms since the drill started. */
    readonly timeline: readonly TimelineEvent[];
    /** Most common value of the region header before the pool went out. */
    readonly baselineRegion: string | null;
    /** From the disable call being sent to the first response served by another region. */
    readonly rerouteMs: number | null;
    readonly reroutedTo: string | null;
    /** From the disable to the last error while the pool was out; null without errors. */
    readonly errorsSettledMs: number | null;
    /** Errors from the disable until the reroute (or the restore, without one). */
    readonly errorsDuringSwitch: number;
    readonly phases: { readonly before: PhaseReport | null; readonly during: PhaseReport | null; readonly after: PhaseReport | null };
    /** True when the pool ended enabled (or was never touched). */
    readonly restored: boolean;
    /**
     * `plan-failed`: the Region switch plan had a failed step or outran its RTO (the drill's
     * objective fails, exit 1); `failed`: the drill itself failed (exit 3).
     */
    readonly outcome: "planned" | "completed" | "no-reroute" | "plan-failed" | "failed";
    readonly problems: readonly string[];
    /** With --arc-plan: the plan's execution, its steps, and where it left the writer and the pool. */
    readonly arcPlan?: ArcPlanReport;
}

export interface DrillReport extends DrillSetup, DrillResult {
    /** With --writes: the write ledger, its figures and budgets (tools/drill/ledger.ts). */
    readonly ledger?: LedgerReport;
}

export interface TimelineEvent {
    readonly atMs: number;
    readonly event: string;
}

/** The first response served by another region than the baseline, on the load's clock. */
export interface RerouteSeen {
    readonly at: number;
    readonly to: string;
}

/** The restore step: when it began (load's clock) and whether the API confirmed the pool enabled. */
export interface RestoreResult {
    readonly at: number;
    readonly restored: boolean;
}

/**
 * What the steps of an executed drill returned, times on the load's clock. A step that did not
 * run (the drill failed or was interrupted before it) left its field undefined.
 */
export interface StepResults {
    readonly pool?: PoolInfo;
    readonly healthBefore?: PoolHealth;
    readonly baselineRegion?: string | null;
    /** When the disable call was sent: from then until the restore step, the pool is out. */
    readonly disabledAt?: number;
    readonly reroute?: RerouteSeen | null;
    readonly restore?: RestoreResult;
    readonly healthAfter?: PoolHealth | null;
    /** Every sample of the load; undefined when the load never started. */
    readonly samples?: readonly Sample[];
    /** The Region switch plan's run (--arc-plan), once it was started. */
    readonly arc?: ArcPlanReport;
}

/** True from the disable call until the restore step: a failed call may still have taken effect. */
export function poolIsOut(steps: StepResults): boolean {
    return steps.disabledAt !== undefined && steps.restore === undefined;
}

/** The result of a dry run: nothing called, nothing measured. */
export const PLANNED: DrillResult = {
    pool: null,
    poolHealthBefore: null,
    poolHealthAfter: null,
    timeline: [],
    baselineRegion: null,
    rerouteMs: null,
    reroutedTo: null,
    errorsSettledMs: null,
    errorsDuringSwitch: 0,
    phases: { before: null, during: null, after: null },
    restored: true,
    outcome: "planned",
    problems: [],
};

export interface ExecutionRecord {
    readonly steps: StepResults;
    /** An error or interruption ended the steps early. */
    readonly failed: boolean;
    /** Where the baseline phase starts: the first moments carry connection and TLS set-up, as in a load test's warm-up. */
    readonly warmupMs: number;
    readonly timeline: readonly TimelineEvent[];
    readonly problems: readonly string[];
}

/** The phases, the switch and the outcome of an executed drill, from what its steps returned. */
export function executedResult({ steps, failed, warmupMs, timeline, problems }: ExecutionRecord): DrillResult {
    const samples = steps.samples ?? [];
    const end = samples.length > 0 ? samples[samples.length - 1].at + 1 : 0;
    const phase = (from: number | null, to: number | null): PhaseReport | null =>
        from === null || to === null || to <= from
            ? null
            : { fromMs: Math.round(from), toMs: Math.round(to), ...summarise(samples, (to - from) / 1000, from, to) };
    const disabledAt = steps.disabledAt ?? null;
    const restoredAt = steps.restore?.at ?? null;
    const rerouteAt = steps.reroute?.at ?? null;
    const baselineRegion = steps.baselineRegion ?? null;
    // A pool the plan's run leaves out on purpose is not restored, and not a failure of the drill.
    const keptOut = steps.arc?.poolLeftDisabled === true;
    const restored = steps.restore?.restored ?? !keptOut;
    const duringEnd = restoredAt ?? end;
    const errorsOut = disabledAt === null ? [] : samples.filter((s) => s.at >= disabledAt && s.at < duringEnd && isError(s));
    const switchEnd = rerouteAt ?? duringEnd;
    return {
        pool: steps.pool ?? null,
        poolHealthBefore: steps.healthBefore ?? null,
        poolHealthAfter: steps.healthAfter ?? null,
        timeline,
        baselineRegion,
        rerouteMs: rerouteAt === null || disabledAt === null ? null : Math.round(rerouteAt - disabledAt),
        reroutedTo: steps.reroute?.to ?? null,
        errorsSettledMs: errorsOut.length === 0 ? null : Math.round(errorsOut[errorsOut.length - 1].at - disabledAt!),
        errorsDuringSwitch: errorsOut.filter((s) => s.at <= switchEnd).length,
        phases: {
            before: phase(warmupMs, disabledAt ?? (steps.samples ? end : null)),
            during: phase(disabledAt, duringEnd),
            after: phase(restoredAt, restoredAt === null ? null : end),
        },
        restored,
        outcome:
            failed || (!restored && !keptOut)
                ? "failed"
                : steps.arc !== undefined && steps.arc.verdict !== "completed"
                  ? "plan-failed"
                  : baselineRegion !== null && rerouteAt === null
                    ? "no-reroute"
                    : "completed",
        problems,
        ...(steps.arc ? { arcPlan: steps.arc } : {}),
    };
}

export function formatOutcome(report: DrillReport): string {
    const phase = (name: string, figures: PhaseReport | null) =>
        figures === null
            ? `  ${name.padEnd(7)} -`
            : `  ${name.padEnd(7)} ${figures.requests} requests, ${figures.requestsPerSecond} req/s, errors ${(figures.errorRate * 100).toFixed(2)}%, ` +
              (figures.latencyMs
                  ? `p50 ${figures.latencyMs.p50} / p95 ${figures.latencyMs.p95} / p99 ${figures.latencyMs.p99} ms`
                  : "no responses");
    const reroute = report.rerouteMs === null ? "not seen" : `${report.rerouteMs} ms (${report.baselineRegion} → ${report.reroutedTo})`;
    return [
        `Drill of ${report.region} (${report.code}): ${report.outcome.toUpperCase()}${
            report.restored
                ? ""
                : report.arcPlan?.poolLeftDisabled
                  ? " — pool left disabled with the writer's move (below)"
                  : " — POOL STILL DISABLED"
        }`,
        `  pool ${report.pool ? `${report.pool.name} (${report.pool.id})` : "-"}, restored: ${report.restored}`,
        `  reroute ${reroute}; errors during the switch: ${report.errorsDuringSwitch}` +
            `${report.errorsSettledMs === null ? "" : `, last error ${report.errorsSettledMs} ms after the disable`}`,
        phase("before", report.phases.before),
        phase("during", report.phases.during),
        phase("after", report.phases.after),
        ...report.problems.map((problem) => `  problem: ${problem}`),
    ].join("\n");
}

/** `--report FILE`: the report as JSON. */
export function writeReport(file: string | undefined, report: DrillReport): void {
    if (file) writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
