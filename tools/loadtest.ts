/**
 * npm run loadtest -- [--target URL | --stack NAME] [--scenario FILE] [--users N] [--duration S]
 *                     [--warmup S] [--max-requests N] [--timeout S] [--p99-ms MS] [--max-error-rate R]
 *                     [--json FILE] [--quiet]
 * npm run loadtest -- --ramp [--start N] [--step N] [--max N] [same flags; --duration is per step]
 *
 * Exit status: 0 the objective holds (ramp: some step held); 1 it does not (CI gates on
 * this); 2 bad input (arguments, scenario, stack file), one line on stderr; 3 the run could
 * not be made (target unreachable).
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import {
    TOOL_EXIT,
    HelpRequested,
    InputError,
    type Io,
    checkStackName,
    checkUrl,
    errorLine,
    numberFlag,
    parseFlags,
    processIo,
    projectRoot,
    stackTarget,
} from "./common";
import { LoadError, type Progress, checkReachable, runLoad } from "./load";
import { type RampResult, probeCapacity } from "./ramp";
import { type Scenario, ScenarioError, loadScenario } from "./scenario";
import { DEFAULT_OBJECTIVE, type Objective, type Summary, type Verdict, formatRate, judge } from "./stats";

const USAGE =
    "usage: npm run loadtest -- [--target URL | --stack NAME] [--scenario FILE] [--users N] [--duration S] [--warmup S] [--max-requests N] " +
    "[--timeout S] [--p99-ms MS] [--max-error-rate R] [--json FILE] [--quiet] [--ramp [--start N] [--step N] [--max N]]";

export interface LoadtestOptions {
    readonly target: string;
    readonly scenarioFile: string;
    readonly scenario: Scenario;
    readonly users: number;
    readonly durationS: number;
    readonly warmupS: number;
    readonly maxRequests: number;
    readonly timeoutS: number;
    readonly objective: Objective;
    readonly json?: string;
    readonly quiet: boolean;
    readonly ramp?: { readonly start: number; readonly step: number; readonly max: number };
}

export const LIMITS = {
    users: 100_000,
    durationS: 3600,
    /** Every sample is kept in memory for exact percentiles: about 100 bytes each. */
    maxRequests: 10_000_000,
} as const;

export function parseOptions(argv: string[], root = projectRoot()): LoadtestOptions {
    const v = parseFlags(
        argv,
        {
            target: { type: "string" },
            stack: { type: "string", default: "prod" },
            scenario: { type: "string" },
            users: { type: "string" },
            duration: { type: "string" },
            warmup: { type: "string" },
            "max-requests": { type: "string" },
            timeout: { type: "string" },
            "p99-ms": { type: "string" },
            "max-error-rate": { type: "string" },
            json: { type: "string" },
            quiet: { type: "boolean", default: false },
            ramp: { type: "boolean", default: false },
            start: { type: "string" },
            step: { type: "string" },
            max: { type: "string" },
        },
        USAGE,
    );
    const ramp = v.ramp === true;
    if (!ramp && (v.start ?? v.step ?? v.max) !== undefined) throw new InputError("--start, --step and --max only apply with --ramp");
    const target = v.target !== undefined ? checkUrl("target", v.target) : stackTarget(checkStackName(v.stack!), root);
    const users = numberFlag("users", v.users, { default: 100, min: 1, max: LIMITS.users, integer: true });
    const maxRequests = numberFlag("max-requests", v["max-requests"], {
        default: 1_000_000,
        min: 1,
        max: LIMITS.maxRequests,
        integer: true,
    });
    let rampSteps: LoadtestOptions["ramp"];
    if (ramp) {
        const start = numberFlag("start", v.start, { default: 100, min: 1, max: LIMITS.users, integer: true });
        const step = numberFlag("step", v.step, { default: 100, min: 1, max: LIMITS.users, integer: true });
        const max = numberFlag("max", v.max, { default: 2000, min: 1, max: LIMITS.users, integer: true });
        if (max < start) throw new InputError(`--max ${max} is below --start ${start}`);
        if (maxRequests < max)
            throw new InputError(`--max-requests ${maxRequests} is below --max ${max}: every user needs at least one request`);
        rampSteps = { start, step, max };
    } else if (maxRequests < users) {
        throw new InputError(`--max-requests ${maxRequests} is below --users ${users}: every user needs at least one request`);
    }
    const scenarioFile = path.resolve(v.scenario ?? path.join(root, "tools", "scenarios", "extension.yaml"));
    let scenario: Scenario;
    try {
        scenario = loadScenario(scenarioFile);
    } catch (err) {
        if (err instanceof ScenarioError) throw new InputError(err.message);
        throw err;
    }
    const durationS = numberFlag("duration", v.duration, { default: ramp ? 30 : 60, min: 0.1, max: LIMITS.durationS });
    const warmupS = numberFlag("warmup", v.warmup, { default: Math.min(5, durationS / 4), min: 0, max: LIMITS.durationS });
    if (warmupS >= durationS)
        throw new InputError(`--warmup ${warmupS} must be below --duration ${durationS}: the warm-up is part of each run`);
    return {
        target,
        scenarioFile,
        scenario,
        users,
        durationS,
        warmupS,
        maxRequests,
        timeoutS: numberFlag("timeout", v.timeout, { default: 10, min: 1, max: 120 }),
        objective: {
            p99Ms: numberFlag("p99-ms", v["p99-ms"], { default: DEFAULT_OBJECTIVE.p99Ms, min: 0.1, max: 60_000 }),
            maxErrorRate: numberFlag("max-error-rate", v["max-error-rate"], { default: DEFAULT_OBJECTIVE.maxErrorRate, min: 0, max: 1 }),
        },
        json: v.json,
        quiet: v.quiet!,
        ramp: rampSteps,
    };
}

/** The machine-readable result of one run (`--json`). */
export interface RunReport {
    readonly target: string;
    readonly scenario: string;
    readonly users: number;
    /** Measured seconds, after the warm-up. */
    readonly seconds: number;
    readonly warmupSeconds: number;
    readonly requests: number;
    readonly requestsPerSecond: number;
    readonly latencyMs: Summary["latencyMs"];
    readonly errorRate: number;
    readonly errors: { readonly http: number; readonly socket: number; readonly timeouts: number };
    readonly statusCodes: Summary["statusCodes"];
    readonly objective: Objective & Verdict;
}

export function runReport(o: LoadtestOptions, users: number, seconds: number, s: Summary, verdict: Verdict): RunReport {
    return {
        target: o.target,
        scenario: o.scenario.name,
        users,
        seconds: Math.round(seconds * 100) / 100,
        warmupSeconds: o.warmupS,
        requests: s.requests,
        requestsPerSecond: s.requestsPerSecond,
        latencyMs: s.latencyMs,
        errorRate: s.errorRate,
        errors: { http: s.httpErrors, socket: s.socketErrors, timeouts: s.timeouts },
        statusCodes: s.statusCodes,
        objective: { ...o.objective, ...verdict },
    };
}

export function formatSummary(label: string, s: Summary, verdict: Verdict, objective: Objective): string {
    const l = s.latencyMs;
    const lat = l ? `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms (max ${l.max} ms)` : "no responses";
    return [
        `${label}: ${s.requests} requests, ${s.requestsPerSecond} req/s`,
        `  latency   ${lat}`,
        `  errors    ${formatRate(s.errorRate)} (${s.httpErrors} non-2xx/3xx, ${s.socketErrors} socket, ${s.timeouts} timeouts)`,
        `  objective p99 < ${objective.p99Ms} ms and errors < ${formatRate(objective.maxErrorRate)}: ${verdict.holds ? "HOLDS" : `FAILS (${verdict.reasons.join("; ")})`}`,
    ].join("\n");
}

export function progressLine(users: number, p: Progress): string {
    const l = p.lastSecond.latencyMs;
    return `[${p.elapsedS.toFixed(0).padStart(4)}s] users ${users}  ${p.lastSecond.requestsPerSecond} req/s  p99 ${l ? `${l.p99} ms` : "-"}  errors ${formatRate(p.lastSecond.errorRate)}  total ${p.requests}`;
}

function progressWriter(io: Io, quiet: boolean): ((users: number, p: Progress) => void) | undefined {
    if (quiet) return undefined;
    return (users, p) => io.err(io.tty ? `\r\x1b[2K${progressLine(users, p)}` : `${progressLine(users, p)}\n`);
}

export async function main(argv: string[], io: Io = processIo, signal?: AbortSignal): Promise<number> {
    let options: LoadtestOptions;
    try {
        options = parseOptions(argv);
        await checkReachable(options.target);
    } catch (err) {
        if (err instanceof HelpRequested) {
            io.out(`${err.message}\n`);
            return TOOL_EXIT.ok;
        }
        io.err(errorLine("loadtest", err));
        return err instanceof InputError ? TOOL_EXIT.input : TOOL_EXIT.failure;
    }
    const o = options;
    const progress = progressWriter(io, o.quiet);
    const endProgress = () => {
        if (progress && io.tty) io.err("\n");
    };
    try {
        const common = {
            target: o.target,
            scenario: o.scenario,
            durationS: o.durationS,
            warmupS: o.warmupS,
            maxRequests: o.maxRequests,
            timeoutS: o.timeoutS,
            signal,
        };
        // An interrupted run still prints what it measured, but never passes a gate.
        const interrupted = () => {
            io.err(`loadtest: interrupted; the figures cover the part that ran\n`);
            return TOOL_EXIT.failure;
        };
        if (o.ramp) {
            io.err(
                `loadtest: ramping ${o.ramp.start}→${o.ramp.max} users by ${o.ramp.step}, ${o.durationS} s per step, against ${o.target} (${o.scenario.name})\n`,
            );
            const ramp = await probeCapacity({
                ...common,
                ...o.ramp,
                objective: o.objective,
                onProgress: progress,
                onStep: () => endProgress(),
            });
            endProgress();
            io.out(`${formatRamp(o, ramp)}\n`);
            if (o.json) writeFileSync(o.json, `${JSON.stringify(rampReport(o, ramp), null, 2)}\n`);
            if (signal?.aborted) return interrupted();
            return ramp.kneeUsers === null ? TOOL_EXIT.objective : TOOL_EXIT.ok;
        }
        io.err(`loadtest: ${o.users} users for ${o.durationS} s (first ${o.warmupS} s warm-up) against ${o.target} (${o.scenario.name})\n`);
        const result = await runLoad({ ...common, users: o.users, onProgress: progress && ((p) => progress(o.users, p)) });
        endProgress();
        const verdict = judge(result.summary, o.objective);
        io.out(`${formatSummary(`${o.users} users, ${result.seconds.toFixed(1)} s`, result.summary, verdict, o.objective)}\n`);
        if (o.json) writeFileSync(o.json, `${JSON.stringify(runReport(o, o.users, result.seconds, result.summary, verdict), null, 2)}\n`);
        if (signal?.aborted) return interrupted();
        return verdict.holds ? TOOL_EXIT.ok : TOOL_EXIT.objective;
    } catch (err) {
        endProgress();
        io.err(errorLine("loadtest", err));
        return err instanceof InputError || err instanceof LoadError ? TOOL_EXIT.input : TOOL_EXIT.failure;
    }
}

export function rampReport(o: LoadtestOptions, ramp: RampResult) {
    return {
        target: o.target,
        scenario: o.scenario.name,
        stepSeconds: o.durationS,
        warmupSeconds: o.warmupS,
        objective: o.objective,
        kneeUsers: ramp.kneeUsers,
        brokeAt: ramp.brokeAt,
        steps: ramp.steps.map((s) => ({
            users: s.users,
            requests: s.summary.requests,
            requestsPerSecond: s.summary.requestsPerSecond,
            latencyMs: s.summary.latencyMs,
            errorRate: s.summary.errorRate,
            holds: s.verdict.holds,
            reasons: s.verdict.reasons,
        })),
    };
}

export function formatRamp(o: LoadtestOptions, ramp: RampResult): string {
    const rows = ramp.steps.map((s) => {
        const l = s.summary.latencyMs;
        return `  ${String(s.users).padStart(7)}  ${String(s.summary.requestsPerSecond).padStart(9)}  ${(l ? String(l.p99) : "-").padStart(8)}  ${formatRate(s.summary.errorRate).padStart(8)}  ${s.verdict.holds ? "holds" : `breaks: ${s.verdict.reasons.join("; ")}`}`;
    });
    const knee =
        ramp.kneeUsers === null
            ? `knee: none — the objective already broke at ${ramp.brokeAt} users; lower --start`
            : ramp.brokeAt === null
              ? `knee: ≥ ${ramp.kneeUsers} users (the objective held up to --max; raise --max to find the knee)`
              : `knee: ${ramp.kneeUsers} users (the objective broke at ${ramp.brokeAt})`;
    return [`capacity probe against ${o.target}, ${o.durationS} s per step`, "    users      req/s   p99 ms    errors", ...rows, knee].join(
        "\n",
    );
}

if (require.main === module) {
    // Ctrl-C stops the load and prints what was measured; a second one exits at once.
    const controller = new AbortController();
    process.on("SIGINT", () => {
        if (controller.signal.aborted) process.exit(TOOL_EXIT.failure);
        controller.abort();
    });
    main(process.argv.slice(2), processIo, controller.signal).then((code) => process.exit(code));
}
