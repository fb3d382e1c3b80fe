/**
 * A distributed run, end to end: split the users (split.ts), write each generator region's worker
 * spec, start every worker through an engine (Kubernetes Indexed Jobs, or local processes), and
 * merge what they report (collect.ts).
 */
import { randomBytes } from "node:crypto";
import { type CloudflareRegion } from "../../regions/catalog";
import { littlesLawRate } from "../load";
import { type Scenario } from "../scenario";
import { type Objective, round2 } from "../stats";
import { workerBundle } from "./bundle";
import { type CollectInput, type DistributedReport, collect } from "./collect";
import { type Engine, type RunContext } from "./local";
import { type WorkerSpec } from "./spec";
import { type Distribution, splitUsers } from "./split";

export interface DistributedOptions {
    readonly target: string;
    readonly scenario: Scenario;
    /** Users of the whole run, over every generator region. */
    readonly users: number;
    readonly usersPerWorker: number;
    readonly model: "closed" | "open";
    /** Open model: requests/s of the whole run. @default Little's law over `users` and the scenario's think time */
    readonly ratePerSecond?: number;
    readonly durationS: number;
    readonly warmupS: number;
    readonly timeoutS: number;
    /** Request cap of the whole run, shared by users. */
    readonly maxRequests: number;
    readonly objective: Objective;
    /** Seconds from now to the common start: time for every region's pods to be scheduled and pull the image. */
    readonly startInS: number;
    readonly traffic: Readonly<Partial<Record<CloudflareRegion, number>>>;
    readonly steering?: Readonly<Partial<Record<CloudflareRegion, readonly string[]>>>;
}

export interface RunPlan {
    readonly runId: string;
    readonly distribution: Distribution;
    readonly specs: readonly WorkerSpec[];
    readonly ratePerSecond?: number;
    /** Seconds after which a worker still running is ended (the Jobs' activeDeadlineSeconds). */
    readonly deadlineS: number;
}

/** A run id that is a valid DNS label inside a Job name: base-36 time and 4 random hex digits. */
export function newRunId(now = Date.now()): string {
    return `${now.toString(36)}-${randomBytes(2).toString("hex")}`;
}

/** Seconds a worker may outlive its run's end: the last request's timeout plus the result line and exit. */
const GRACE_S = 60;

export function planRun(options: DistributedOptions, now = Date.now(), runId = newRunId(now)): RunPlan {
    const distribution = splitUsers({
        users: options.users,
        traffic: options.traffic,
        usersPerWorker: options.usersPerWorker,
        steering: options.steering,
    });
    const ratePerSecond = options.model === "open" ? (options.ratePerSecond ?? littlesLawRate(options.users, options.scenario)) : undefined;
    const startAtMs = now + options.startInS * 1000;
    const specs = distribution.regions.map((region): WorkerSpec => ({
        runId,
        region: region.region,
        target: options.target,
        scenario: options.scenario,
        model: ratePerSecond === undefined ? { kind: "closed" } : { kind: "open", ratePerUser: ratePerSecond / options.users },
        durationS: options.durationS,
        warmupS: options.warmupS,
        timeoutS: options.timeoutS,
        users: region.workers,
        maxRequests: region.workers.map((u) => Math.max(u, Math.ceil((options.maxRequests * u) / options.users))),
        startAtMs,
    }));
    const deadlineS = Math.ceil(options.startInS + options.durationS + options.timeoutS + GRACE_S);
    return { runId, distribution, specs, ratePerSecond: ratePerSecond === undefined ? undefined : round2(ratePerSecond), deadlineS };
}

/** Runs `plan` on `engine` and merges what the workers report. */
export async function runDistributed(
    plan: RunPlan,
    engine: Engine,
    about: Pick<CollectInput, "target" | "scenario" | "model" | "objective">,
    context: RunContext = {},
): Promise<DistributedReport> {
    const outcomes = await engine.run(plan.specs, workerBundle(), plan.deadlineS, context);
    return collect({ ...about, runId: plan.runId, ratePerSecond: plan.ratePerSecond, distribution: plan.distribution, outcomes });
}
