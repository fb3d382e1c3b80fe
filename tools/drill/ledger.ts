/**
 * The write ledger: what the drill measures against the mission's promises (zero data loss, a
 * bounded recovery). Pure: the drill (or a test) records what the API acknowledged and what it
 * answered, reads back what the new primary holds, and these functions count and judge.
 *
 * - Every write the drill sends carries a monotonic id (1, 2, 3, …); `acknowledged` are the ids
 *   the API answered 2xx for. After the failover the ids the new primary holds are read back:
 *   - **lost**: acknowledged, absent from the new primary (the RPO, counted, not estimated);
 *   - **duplicated**: present more than once (a retry the API applied twice);
 *   - **late**: present though never acknowledged (the client saw an error or a timeout, the
 *     write landed anyway: a caller that retries it would duplicate it).
 * - **RTO**: from the first failed request to the first success served by the surviving cell.
 * - **Failback**: from the failback's start to the first success served by the original cell.
 * - Per-step timings (the drill's own steps, e.g. stop, promote, repoint), each with its duration.
 * - Budgets: each figure against its budget; any figure over budget makes the drill exit 1.
 */

/** One request of the load, on the drill's clock (ms). */
export interface LedgerRequest {
    /** When its answer (or its timeout) came. */
    readonly atMs: number;
    /** When it was sent: a failure began no later than this. @default atMs */
    readonly sentMs?: number;
    /** True for a 2xx answer. */
    readonly ok: boolean;
    /** The cell that served it (the region header), when the answer named one. */
    readonly servedBy?: string;
}

export interface Ledger {
    /** The ids of the writes sent, in order (each id once). */
    readonly sent: readonly number[];
    /** The ids the API acknowledged (2xx). */
    readonly acknowledged: readonly number[];
    /** Every request, reads and writes, in the order they completed. */
    readonly requests: readonly LedgerRequest[];
}

/** What the new primary holds: one entry per row (an id twice is a duplicate). */
export type Holdings = readonly number[];

export interface WriteCounts {
    readonly sent: number;
    readonly acknowledged: number;
    readonly held: number;
    readonly lost: number;
    readonly duplicated: number;
    readonly late: number;
    /** The lost ids, ascending (at most `LIST_LIMIT`): what to reconcile from the old primary's snapshot. */
    readonly lostIds: readonly number[];
    readonly duplicatedIds: readonly number[];
    readonly lateIds: readonly number[];
}

/** Ids listed per kind in a report; the counts are always exact. */
export const LIST_LIMIT = 1000;

/** Compares the ledger with what the new primary holds. */
export function countWrites(ledger: Ledger, held: Holdings): WriteCounts {
    const sent = new Set(ledger.sent);
    if (sent.size !== ledger.sent.length) throw new Error("ledger: an id was sent twice; ids must be unique and monotonic");
    for (let i = 1; i < ledger.sent.length; i++)
        if (ledger.sent[i] <= ledger.sent[i - 1])
            throw new Error(`ledger: id ${ledger.sent[i]} after ${ledger.sent[i - 1]} is not monotonic`);
    const acked = new Set(ledger.acknowledged);
    for (const id of acked) if (!sent.has(id)) throw new Error(`ledger: id ${id} acknowledged but never sent`);
    const times = new Map<number, number>();
    for (const id of held) times.set(id, (times.get(id) ?? 0) + 1);
    const ascending = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);
    const lost = ascending([...acked].filter((id) => !times.has(id)));
    const duplicated = ascending([...times].filter(([, n]) => n > 1).map(([id]) => id));
    const late = ascending([...times.keys()].filter((id) => !acked.has(id)));
    return {
        sent: ledger.sent.length,
        acknowledged: acked.size,
        held: held.length,
        lost: lost.length,
        duplicated: duplicated.length,
        late: late.length,
        lostIds: lost.slice(0, LIST_LIMIT),
        duplicatedIds: duplicated.slice(0, LIST_LIMIT),
        lateIds: late.slice(0, LIST_LIMIT),
    };
}

/**
 * From the send of the first request that failed (a failure ends a request that was already
 * failing when it left: a timed-out one by up to the whole timeout) to the first success served
 * by `survivor` after that failure. 0 when nothing failed and the survivor served (no downtime);
 * null when the survivor never served after the failure.
 */
export function recoveryMs(requests: readonly LedgerRequest[], survivor: string): number | null {
    const failures = requests.filter((r) => !r.ok);
    if (failures.length === 0) return requests.some((r) => r.ok && r.servedBy === survivor) ? 0 : null;
    const sent = (r: LedgerRequest) => r.sentMs ?? r.atMs;
    const first = failures.reduce((a, b) => (sent(b) < sent(a) ? b : a));
    const recovered = requests.find((r) => r.ok && r.servedBy === survivor && r.atMs >= first.atMs);
    return recovered ? recovered.atMs - sent(first) : null;
}

/** From `fromMs` (the failback's start) to the first success served by `original`; null when none. */
export function failbackMs(requests: readonly LedgerRequest[], original: string, fromMs: number): number | null {
    const back = requests.find((r) => r.ok && r.servedBy === original && r.atMs >= fromMs);
    return back ? back.atMs - fromMs : null;
}

export interface StepTiming {
    readonly step: string;
    readonly startMs: number;
    readonly endMs: number;
    readonly durationMs: number;
}

/** Times the drill's steps on its clock: `run` each in order, recording start, end and duration. */
export class StepClock {
    readonly steps: StepTiming[] = [];
    constructor(private readonly now: () => number = () => performance.now()) {}

    async time<T>(step: string, run: () => Promise<T>): Promise<T> {
        const startMs = this.now();
        try {
            return await run();
        } finally {
            const endMs = this.now();
            this.steps.push({ step, startMs, endMs, durationMs: endMs - startMs });
        }
    }
}

/** The budgets a drill is judged by; an absent one is not checked. */
export interface DrillBudgets {
    readonly lostWrites?: number;
    readonly duplicatedWrites?: number;
    readonly lateWrites?: number;
    readonly rtoMs?: number;
    readonly failbackMs?: number;
    /** Per step, by name. */
    readonly stepMs?: Readonly<Record<string, number>>;
}

export interface DrillFigures {
    readonly writes: WriteCounts;
    readonly rtoMs: number | null;
    readonly failbackMs: number | null;
    readonly steps: readonly StepTiming[];
}

export interface BudgetCheck {
    readonly figure: string;
    readonly value: number | null;
    readonly budget: number;
    readonly exceeded: boolean;
}

/**
 * Each budgeted figure against its budget. A figure that was never measured (no recovery seen,
 * a budgeted step that did not run) exceeds its budget: an unmeasured promise is not kept.
 */
export function checkBudgets(figures: DrillFigures, budgets: DrillBudgets): BudgetCheck[] {
    const checks: BudgetCheck[] = [];
    const check = (figure: string, value: number | null, budget: number | undefined) => {
        if (budget !== undefined) checks.push({ figure, value, budget, exceeded: value === null || value > budget });
    };
    check("lostWrites", figures.writes.lost, budgets.lostWrites);
    check("duplicatedWrites", figures.writes.duplicated, budgets.duplicatedWrites);
    check("lateWrites", figures.writes.late, budgets.lateWrites);
    check("rtoMs", figures.rtoMs, budgets.rtoMs);
    check("failbackMs", figures.failbackMs, budgets.failbackMs);
    for (const [step, budget] of Object.entries(budgets.stepMs ?? {}))
        check(`step:${step}`, figures.steps.find((s) => s.step === step)?.durationMs ?? null, budget);
    return checks;
}

/** The ledger part of the drill's JSON report. */
export interface LedgerReport extends DrillFigures {
    readonly kind: "switchover" | "failover";
    readonly budgets: readonly BudgetCheck[];
    /** True when no budget is exceeded: the drill's exit status is 0, else 1. */
    readonly withinBudget: boolean;
}

export function ledgerReport(kind: LedgerReport["kind"], figures: DrillFigures, budgets: DrillBudgets): LedgerReport {
    const checks = checkBudgets(figures, budgets);
    return { kind, ...figures, budgets: checks, withinBudget: checks.every((c) => !c.exceeded) };
}

/** The exit status of a measured drill: 0 within every budget, 1 when one is exceeded. */
export function budgetExit(report: Pick<LedgerReport, "withinBudget">): number {
    return report.withinBudget ? 0 : 1;
}

/** The summary lines the drill prints. */
export function formatLedger(report: LedgerReport): string {
    const w = report.writes;
    const ms = (v: number | null) => (v === null ? "not seen" : `${Math.round(v)} ms`);
    const lines = [
        `${report.kind}: ${w.sent} writes sent, ${w.acknowledged} acknowledged, ${w.held} rows on the new primary`,
        `  lost ${w.lost}, duplicated ${w.duplicated}, late ${w.late}${w.lost > 0 ? ` (lost ids ${w.lostIds[0]}…${w.lostIds[w.lostIds.length - 1]})` : ""}`,
        `  RTO ${ms(report.rtoMs)}, failback ${ms(report.failbackMs)}`,
        ...report.steps.map((s) => `  step ${s.step}: ${Math.round(s.durationMs)} ms`),
        ...report.budgets.map(
            (b) =>
                `  budget ${b.figure}: ${b.value === null ? "not measured" : Math.round(b.value)} ≤ ${b.budget} ${b.exceeded ? "EXCEEDED" : "ok"}`,
        ),
    ];
    return lines.join("\n");
}
