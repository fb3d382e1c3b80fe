/**
 * The capacity probe: the same users and scenario at a rising user count, one fixed-length
 * step each, until the objective breaks. The knee is the largest user count that held.
 * Against ONE pod at the HPA's CPU target, the knee is `platform:capacity.usersPerPod`
 * (docs/qa.md).
 */
import { type LoadOptions, type Progress, runLoad } from "./load";
import { type Objective, type Summary, type Verdict, judge } from "./stats";

export interface RampOptions extends Omit<LoadOptions, "users" | "onProgress"> {
    readonly start: number;
    readonly step: number;
    readonly max: number;
    readonly objective: Objective;
    /** Called before each step and with each step's progress. */
    readonly onStep?: (users: number) => void;
    readonly onProgress?: (users: number, progress: Progress) => void;
}

export interface RampStep {
    readonly users: number;
    readonly summary: Summary;
    readonly verdict: Verdict;
}

export interface RampResult {
    readonly steps: readonly RampStep[];
    /** Largest measured user count whose step held; null when the first step already broke. */
    readonly kneeUsers: number | null;
    /** First user count that broke the objective; null when every step up to `max` held. */
    readonly brokeAt: number | null;
}

/** The user counts a ramp visits: start, start+step, …, never above max. */
export function rampCounts(start: number, step: number, max: number): number[] {
    const counts: number[] = [];
    for (let users = start; users <= max; users += step) counts.push(users);
    return counts;
}

export async function probeCapacity(options: RampOptions): Promise<RampResult> {
    const steps: RampStep[] = [];
    let kneeUsers: number | null = null;
    for (const users of rampCounts(options.start, options.step, options.max)) {
        options.onStep?.(users);
        const onProgress = options.onProgress;
        const result = await runLoad({
            ...options,
            users,
            maxRequests: Math.max(options.maxRequests, users),
            onProgress: onProgress && ((p) => onProgress(users, p)),
        });
        const verdict = judge(result.summary, options.objective);
        steps.push({ users, summary: result.summary, verdict });
        if (!verdict.holds) return { steps, kneeUsers, brokeAt: users };
        kneeUsers = users;
        // Interrupted: the step just measured was cut short, and no further step starts.
        if (options.signal?.aborted) return { steps, kneeUsers, brokeAt: null };
    }
    return { steps, kneeUsers, brokeAt: null };
}
