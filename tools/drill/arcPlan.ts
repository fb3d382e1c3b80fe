/**
 * The drill's run of the stack's ARC Region switch plan (`--arc-plan`): the plan the program
 * declares for the drilled Region's loss (components/failover/regionSwitch.ts), started once
 * the drill has taken the Region's pool out, polled to its end within the plan's own RTO, every
 * step's state on the drill's timeline. Whatever ends it early (a failed step, the RTO passed,
 * Ctrl-C, a CLI error), the drill cancels what it started and says exactly where the writer
 * and the pool are left and what the operator must do (`afterwards`).
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { InputError } from "../common";
import {
    AURORA_BLOCK,
    ArcCliError,
    EXECUTION_STATES,
    type ExecutionAction,
    type ExecutionInfo,
    type ExecutionMode,
    type ExecutionState,
    type PlanInfo,
    type PlanWorkflow,
    type RegionSwitchCli,
    type StepState,
    shellWord,
} from "./arcCli";

/** `--arc-plan` and its flags, resolved against the stack's declared plans. */
export interface ArcOptions {
    readonly planArn: string;
    /** The plan's name (`<project>-<stack>-to-<code>`, regions/failover.ts). */
    readonly planName: string;
    readonly action: ExecutionAction;
    readonly mode: ExecutionMode;
    /** StartPlanExecution `targetRegion`: the activating Region for activate, the drilled one for deactivate. */
    readonly targetRegion: string;
    /** The Region the plan makes the writer's home; the CLI calls its Regional data plane. */
    readonly activatingRegion: string;
    /** The drilled Region, which the plan deactivates. */
    readonly deactivatingRegion: string;
    /** Longest wait for the execution to end; absent: the plan's recoveryTimeObjectiveMinutes. */
    readonly timeoutS?: number;
    readonly pollS: number;
}

/** How the plan's run ended, for the outcome and the exit status. */
export type PlanVerdict = "completed" | "completed-with-exceptions" | "failed-step" | "timed-out" | "interrupted" | "error" | "not-started";

/** The plan ran to its end, some steps perhaps with exceptions: the writer and the traffic moved. */
export function ranToEnd(verdict: PlanVerdict): boolean {
    return verdict === "completed" || verdict === "completed-with-exceptions";
}

/** The steps that did not complete, each with its status: "aurora failed". */
function unfinished(steps: readonly StepState[]): string[] {
    return steps.filter((s) => s.status !== "completed").map((s) => `${s.name} ${s.status}`);
}

export interface ArcPlanReport {
    readonly planArn: string;
    readonly planName: string;
    readonly action: ExecutionAction;
    readonly mode: ExecutionMode;
    readonly targetRegion: string;
    /** The Region whose data plane the CLI called. */
    readonly region: string;
    readonly cliVersion: string;
    /** The longest wait, seconds (the plan's RTO unless --arc-timeout). */
    readonly timeoutS: number;
    readonly executionId: string | null;
    /** Drill clock (ms): when start-plan-execution was sent, and when the drill saw the execution end. */
    readonly startedAtMs: number | null;
    readonly endedAtMs: number | null;
    /** The last executionState read; null when none was. */
    readonly state: ExecutionState | null;
    readonly steps: readonly StepState[];
    /** ARC's own figure (an ISO 8601 duration), when it gave one. */
    readonly actualRecoveryTime: string | null;
    /** The drill sent cancel-plan-execution (and ARC accepted it). */
    readonly canceled: boolean;
    /** The Aurora step may have run: the writer may have left the drilled Region. */
    readonly writerMayHaveMoved: boolean;
    /** The drill leaves the drilled Region's pool disabled (it would send users to a Region without the writer). */
    readonly poolLeftDisabled: boolean;
    readonly verdict: PlanVerdict;
    /** What the operator must do now, with the exact commands. */
    readonly afterwards: readonly string[];
}

/** What the plan run needs of the drill around it. */
export interface PlanHooks {
    /** An event on the drill's timeline. */
    event(text: string): void;
    problem(text: string): void;
    /** The drill's clock (ms). */
    now(): number;
    readonly signal?: AbortSignal;
    /** The shell command that re-enables the drilled Region's pool. */
    readonly enablePoolCommand: string;
    readonly poolName: string;
    readonly stack: string;
}

/** The workflow an execution of `options` runs, or an InputError naming the flag to change. */
export function workflowFor(plan: PlanInfo, options: ArcOptions): PlanWorkflow {
    if (plan.name !== options.planName)
        throw new InputError(`--arc-plan ${options.planArn}: ARC names the plan "${plan.name}", not "${options.planName}"`);
    const missing = [options.activatingRegion, options.deactivatingRegion].filter((r) => !plan.regions.includes(r));
    if (missing.length > 0)
        throw new InputError(
            `--arc-plan ${options.planName} spans ${plan.regions.join(" and ")}, not ${missing.join(" and ")}: the stack's plans and ARC disagree; run pulumi up, or pass the ARN pulumi stack output failoverPlans gives`,
        );
    const workflow = plan.workflows.find(
        (w) => w.workflowTargetAction === options.action && w.workflowTargetRegion === options.targetRegion,
    );
    if (workflow === undefined) {
        const have = plan.workflows.map((w) => `${w.workflowTargetAction} ${w.workflowTargetRegion ?? "(any Region)"}`).join(", ");
        throw new InputError(
            `--arc-action ${options.action}: plan ${options.planName} has no ${options.action} workflow for ${options.targetRegion}; its workflows: ${have}`,
        );
    }
    return workflow;
}

/**
 * Whether the workflow's Aurora step may have run: its state is known and neither notStarted nor
 * skipped, or unknown while every step before it completed (steps run in order).
 */
export function writerMayHaveMoved(workflow: PlanWorkflow, states: readonly StepState[]): boolean {
    const index = workflow.steps.findIndex((s) => s.executionBlockType === AURORA_BLOCK);
    if (index < 0) return false;
    const status = (name: string) => states.find((s) => s.name === name)?.status;
    const own = status(workflow.steps[index].name);
    if (own !== undefined) return own !== "notStarted" && own !== "skipped";
    return workflow.steps.slice(0, index).every((s) => status(s.name) === "completed" || status(s.name) === "skipped");
}

const inGroup = (group: keyof typeof EXECUTION_STATES, state: ExecutionState | null) =>
    state !== null && (EXECUTION_STATES[group] as readonly string[]).includes(state);

class Interrupted extends Error {}

/** One run of the plan: prepare (read-only checks), then execute (never throws). */
export class PlanRun {
    private plan?: PlanInfo;
    private workflow?: PlanWorkflow;
    private cliVersion = "";
    private timeoutS = 0;

    constructor(
        private readonly options: ArcOptions,
        private readonly cli: RegionSwitchCli,
    ) {}

    /** The CLI's version and the plan as ARC holds it; an InputError when it cannot run as asked. Changes nothing. */
    async prepare(): Promise<void> {
        const { options } = this;
        try {
            this.cliVersion = await this.cli.checkVersion();
            this.plan = await this.cli.getPlanInRegion(options.planArn);
        } catch (err) {
            if (err instanceof ArcCliError && err.notSent) throw new InputError(`--arc-plan: ${err.message}`);
            throw err;
        }
        this.workflow = workflowFor(this.plan, options);
        const rto = this.plan.recoveryTimeObjectiveMinutes;
        if (options.timeoutS === undefined && rto === undefined)
            throw new InputError(`--arc-timeout is required: plan ${options.planName} declares no recoveryTimeObjectiveMinutes`);
        this.timeoutS = options.timeoutS ?? rto! * 60;
    }

    /** The longest wait for the execution, seconds; known once prepared. */
    get timeoutSeconds(): number {
        return this.timeoutS;
    }

    /** The start command as the dry run prints it. */
    startCommand(): string {
        const { options } = this;
        return this.cli.command("start-plan-execution", [
            "--plan-arn",
            options.planArn,
            "--target-region",
            options.targetRegion,
            "--action",
            options.action,
            "--mode",
            options.mode,
        ]);
    }

    /** Starts the execution and follows it to its end; cancels it when the drill cannot see it through. */
    async execute(hooks: PlanHooks): Promise<ArcPlanReport> {
        const { options, cli } = this;
        const workflow = this.workflow!;
        let executionId: string | null = null;
        let startedAtMs: number | null = null;
        let endedAtMs: number | null = null;
        let last: ExecutionInfo | null = null;
        let verdict: PlanVerdict;
        let canceled = false;
        let startUncertain = false;
        let stateKnown = true;
        const seen = new Map<string, string>();
        const note = (info: ExecutionInfo) => {
            last = info;
            for (const step of info.stepStates)
                if (seen.get(step.name) !== step.status) {
                    seen.set(step.name, step.status);
                    hooks.event(`plan step ${step.name}: ${step.status}`);
                }
        };
        try {
            startedAtMs = hooks.now();
            hooks.event(`starting plan ${options.planName}: ${options.action} ${options.targetRegion}, ${options.mode}`);
            try {
                executionId = await cli.start({
                    planArn: options.planArn,
                    targetRegion: options.targetRegion,
                    action: options.action,
                    mode: options.mode,
                    comment: `npm run drill of ${options.deactivatingRegion} (stack ${hooks.stack})`,
                });
            } catch (err) {
                startUncertain = !(err instanceof ArcCliError && err.notSent);
                throw err;
            }
            hooks.event(`plan execution ${executionId} started`);
            const deadline = startedAtMs + this.timeoutS * 1000;
            verdict = await this.follow(executionId, deadline, hooks, note);
        } catch (err) {
            verdict = err instanceof Interrupted ? "interrupted" : executionId === null && !startUncertain ? "not-started" : "error";
            hooks.problem(
                err instanceof Interrupted
                    ? `interrupted while plan execution ${executionId ?? "(starting)"} ran`
                    : `plan ${options.planName}: ${(err as Error).message}`,
            );
        }
        // Nothing to cancel once the steps have run (done, with exceptions, or ARC still monitoring health).
        const ended = (state: ExecutionState | null) =>
            inGroup("done", state) || inGroup("exceptions", state) || inGroup("monitoring", state) || inGroup("ended", state);
        if (executionId !== null && !ended((last as ExecutionInfo | null)?.executionState ?? null)) {
            // The drill cannot see it through: stop it, so that nothing moves after the drill has reported.
            try {
                await cli.cancel(options.planArn, executionId, `npm run drill stopped it: ${verdict}`);
                canceled = true;
                hooks.event(`plan execution ${executionId} canceled`);
            } catch (err) {
                hooks.problem(`cancelling plan execution ${executionId} failed: ${(err as Error).message}`);
            }
            try {
                note(await cli.getExecution(options.planArn, executionId));
            } catch (err) {
                stateKnown = false;
                hooks.problem(`reading plan execution ${executionId} after the cancel failed: ${(err as Error).message}`);
            }
        }
        const final = last as ExecutionInfo | null;
        if (final !== null && ended(final.executionState)) endedAtMs = hooks.now();
        const done = ranToEnd(verdict);
        const moved = done || startUncertain || !stateKnown || (final !== null && writerMayHaveMoved(workflow, final.stepStates));
        const report: ArcPlanReport = {
            planArn: options.planArn,
            planName: options.planName,
            action: options.action,
            mode: options.mode,
            targetRegion: options.targetRegion,
            region: cli.region,
            cliVersion: this.cliVersion,
            timeoutS: this.timeoutS,
            executionId,
            startedAtMs,
            endedAtMs,
            state: final?.executionState ?? null,
            steps: final?.stepStates ?? [],
            actualRecoveryTime: final?.actualRecoveryTime ?? null,
            canceled,
            writerMayHaveMoved: moved,
            poolLeftDisabled: moved,
            verdict,
            afterwards: [],
        };
        return { ...report, afterwards: this.afterwards(report, { startUncertain, stateKnown }, hooks) };
    }

    /** Polls until the execution ends, needs an operator, or the deadline passes. */
    private async follow(
        executionId: string,
        deadline: number,
        hooks: PlanHooks,
        note: (info: ExecutionInfo) => void,
    ): Promise<PlanVerdict> {
        const { options, cli } = this;
        for (;;) {
            const info = await cli.getExecution(options.planArn, executionId);
            note(info);
            const state = info.executionState;
            if (inGroup("done", state)) {
                hooks.event(`plan execution ${executionId}: ${state}`);
                return "completed";
            }
            if (inGroup("exceptions", state)) {
                hooks.event(`plan execution ${executionId}: ${state}`);
                const short = unfinished(info.stepStates);
                hooks.problem(`plan execution ${executionId} completed with exceptions${short.length > 0 ? `: ${short.join(", ")}` : ""}`);
                return "completed-with-exceptions";
            }
            if (inGroup("ended", state) || inGroup("paused", state)) {
                const failed = info.stepStates.filter((s) => s.status === "failed").map((s) => s.name);
                hooks.problem(`plan execution ${executionId} is ${state}${failed.length > 0 ? `: step ${failed.join(", ")} failed` : ""}`);
                return "failed-step";
            }
            const left = deadline - hooks.now();
            if (left <= 0 && inGroup("monitoring", state)) {
                // Every step ran; only ARC's own health watch outlasted the budget.
                hooks.event(
                    `plan execution ${executionId}: ${state} at the end of the budget (its steps ran; ARC reports no recovery time yet)`,
                );
                return "completed";
            }
            if (left <= 0) {
                hooks.problem(
                    `plan execution ${executionId} did not end within ${this.timeoutS} s (${options.timeoutS === undefined ? "the plan's RTO" : "--arc-timeout"}); it was ${state}`,
                );
                return "timed-out";
            }
            try {
                await sleepFor(Math.min(options.pollS * 1000, left), undefined, { signal: hooks.signal });
            } catch (err) {
                if ((err as Error).name === "AbortError") throw new Interrupted();
                throw err;
            }
        }
    }

    /** What the operator must do, with the exact commands, given where the run left things. */
    private afterwards(report: ArcPlanReport, how: { startUncertain: boolean; stateKnown: boolean }, hooks: PlanHooks): string[] {
        const { options, cli } = this;
        const plan = this.plan!;
        const id = report.executionId;
        const follow = id === null ? "" : cli.command("get-plan-execution", ["--plan-arn", options.planArn, "--execution-id", id]);
        const cancel = id === null ? "" : cli.command("cancel-plan-execution", ["--plan-arn", options.planArn, "--execution-id", id]);
        const writer = `aws rds describe-global-clusters --region ${options.activatingRegion} --query ${shellWord("GlobalClusters[].GlobalClusterMembers[?IsWriter].DBClusterArn")}`;
        const back = plan.workflows.some(
            (w) => w.workflowTargetAction === "activate" && w.workflowTargetRegion === options.deactivatingRegion,
        )
            ? `fail back with the plan's workflow that activates ${options.deactivatingRegion} (its edge step re-enables pool ${hooks.poolName}): ` +
              [
                  "aws",
                  "arc-region-switch",
                  "start-plan-execution",
                  "--plan-arn",
                  options.planArn,
                  "--target-region",
                  options.deactivatingRegion,
                  "--action",
                  "activate",
                  "--mode",
                  "graceful",
                  "--region",
                  options.deactivatingRegion,
              ]
                  .map(shellWord)
                  .join(" ")
            : `plan ${options.planName} has no workflow that activates ${options.deactivatingRegion}: fail back by hand`;
        const stepsDone = report.steps.filter((s) => s.status === "completed").map((s) => s.name);
        if (report.verdict === "not-started")
            return [`nothing was started in ARC: start-plan-execution was refused; pool ${hooks.poolName} is re-enabled`];
        if (how.startUncertain)
            return [
                `start-plan-execution did not answer: an execution may have started; list them: ${cli.command("list-plan-executions", ["--plan-arn", options.planArn])}`,
                `pool ${hooks.poolName} stays disabled until you know: if an execution runs, follow it (get-plan-execution) or cancel it (cancel-plan-execution); if none started, re-enable the pool: ${hooks.enablePoolCommand}`,
            ];
        if (ranToEnd(report.verdict))
            return [
                ...(report.verdict === "completed-with-exceptions"
                    ? [
                          `some steps did not complete (${unfinished(report.steps).join(", ")}): check them with ${follow} before relying on the move`,
                      ]
                    : []),
                `the plan moved the writer and the traffic to ${options.activatingRegion}; pool ${hooks.poolName} stays disabled (it would send users to ${options.deactivatingRegion}, which no longer holds the writer)`,
                `either set primary: true on ${options.activatingRegion} in Pulumi.${hooks.stack}.yaml and pulumi up (docs/qa.md), or ${back}`,
            ];
        const lines: string[] = [];
        if (!how.stateKnown || !(report.canceled || inGroup("ended", report.state)))
            lines.push(`plan execution ${id} may still be running: follow it with ${follow}; stop it with ${cancel}`);
        else
            lines.push(
                report.canceled
                    ? `the drill canceled plan execution ${id}; it is ${report.state}`
                    : `plan execution ${id} ended ${report.state}`,
            );
        if (stepsDone.length > 0) lines.push(`a cancel undoes no step: completed ${stepsDone.join(", ")}`);
        if (report.writerMayHaveMoved)
            lines.push(
                `the Aurora step may have run: see which Region holds the writer: ${writer}; pool ${hooks.poolName} stays disabled`,
                `if ${options.deactivatingRegion} holds it, re-enable the pool: ${hooks.enablePoolCommand}; if ${options.activatingRegion} does, finish the move (run the drill again, or the start command: ${this.startCommand()}) or ${back}`,
            );
        else
            lines.push(
                `the writer never left ${options.deactivatingRegion} (the Aurora step did not start); the drill re-enables pool ${hooks.poolName}`,
            );
        return lines;
    }
}

/** The plan's lines of the drill's summary. */
export function formatPlan(plan: ArcPlanReport): string {
    const took =
        plan.startedAtMs !== null && plan.endedAtMs !== null ? ` after ${Math.round((plan.endedAtMs - plan.startedAtMs) / 1000)} s` : "";
    const arc = plan.actualRecoveryTime === null ? "" : `; ARC's recovery time ${plan.actualRecoveryTime}`;
    return [
        `plan ${plan.planName}: ${plan.action} ${plan.targetRegion} (${plan.mode}), execution ${plan.executionId ?? "-"}: ${plan.verdict.toUpperCase()}, ` +
            `${plan.state ?? "no state read"}${took} (budget ${plan.timeoutS} s)${arc}`,
        ...plan.steps.map((step) => `  step ${step.name}: ${step.status}${stepSeconds(step)}`),
        ...plan.afterwards.map((line) => `  then: ${line}`),
    ].join("\n");
}

function stepSeconds(step: StepState): string {
    const from = step.startTime === undefined ? NaN : Date.parse(step.startTime);
    const to = step.endTime === undefined ? NaN : Date.parse(step.endTime);
    return Number.isFinite(from) && Number.isFinite(to) ? ` in ${Math.round((to - from) / 1000)} s` : "";
}
