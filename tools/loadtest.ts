/**
 * `npm run loadtest`: N modelled users against the API, judged against the objective; with
 * `--ramp`, the capacity probe (tools/ramp.ts); with `--distributed`, the users run as
 * Kubernetes Indexed Jobs in the generator regions of the stack's traffic and their figures are
 * merged (tools/distributed/). Its flags: `npm run loadtest -- --help` (docs/qa.md).
 *
 * Exit status: 0 the objective holds (ramp: some step held); 1 it does not (CI gates on
 * this); 2 bad input (arguments, scenario, stack file), one line on stderr; 3 the run could
 * not be made (target unreachable).
 */
import { writeFileSync } from "node:fs";
import { namespaceValues } from "../config/platform";
import { ConfigError } from "../config/problems";
import { readStack } from "../plan/stackConfig";
import { type FlagTable, HELP_FLAG } from "../plan/usage";
import { parseStack } from "../stack/parse";
import {
    type Io,
    InputError,
    SHARED_FLAGS,
    TOOL_EXIT,
    checkRequestsCoverUsers,
    checkStackName,
    checkUrl,
    errorLine,
    numberFlags,
    parseFlags,
    processIo,
    projectRoot,
    scenarioFlag,
    stackTarget,
    startupExit,
} from "./common";
import { DEFAULT_START_IN_S, type DistributedFlags, distributedFlags, runDistributedCommand } from "./distributed/command";
import { CLOSED, LoadError, type LoadModel, type Progress, checkReachable, littlesLawRate, runLoad } from "./load";
import { type RampResult, probeCapacity } from "./ramp";
import { type ZoneLimit, overLimit, rateLimitProblem } from "./rateLimit";
import { type Scenario, meanThinkMs } from "./scenario";
import {
    DEFAULT_OBJECTIVE,
    type Figures,
    type Objective,
    ROUTE_CLASSES,
    type RouteClass,
    type Summary,
    type Verdict,
    formatRate,
    judge,
    round2,
} from "./stats";

const MAX_USERS = 100_000;
const MAX_DURATION_S = 3600;
const MAX_REQUESTS = SHARED_FLAGS["max-requests"].number.max;

/** The load test's flags: what parseArgs reads, what `--help` prints and docs/qa.md's table lists. */
export const LOADTEST_FLAGS = {
    target: {
        type: "string",
        value: "URL",
        or: "stack",
        description: "the API to load",
        defaultText: "https://<platform:domain> of the stack",
    },
    stack: { type: "string", default: "prod", value: "NAME", description: "without --target, load the domain of Pulumi.NAME.yaml" },
    scenario: SHARED_FLAGS.scenario,
    users: {
        type: "string",
        value: "N",
        description: "concurrent users (closed model: each a keep-alive connection; open: the most connections)",
        defaultText:
            "100, or the most that fit under the zone's rate limit when the target is the stack's hostname; with --distributed, the stack's platform:capacity.targetConcurrentUsers",
        number: { min: 1, max: MAX_USERS, integer: true },
    },
    model: {
        type: "string",
        default: "closed",
        value: "MODEL",
        description:
            "closed: each user thinks, sends, waits for the answer; open: requests arrive at --rate whatever the API does, timed from their scheduled send",
    },
    rate: {
        type: "string",
        value: "R",
        description: "with --model open: requests per second arriving, over every user",
        defaultText: "users / the scenario's mean think time (Little's law)",
        number: { min: 0.01, max: 1_000_000 },
    },
    duration: {
        type: "string",
        value: "S",
        description: "seconds of load, of each step with --ramp",
        defaultText: "60, 30 with --ramp",
        number: { min: 0.1, max: MAX_DURATION_S },
    },
    warmup: {
        type: "string",
        value: "S",
        description: "seconds at the start of each run left out of the figures",
        defaultText: "5, or a quarter of --duration when less",
        number: { min: 0, max: MAX_DURATION_S },
    },
    "max-requests": {
        type: "string",
        value: "N",
        description: "stop after this many requests in all (each step's, with --ramp)",
        defaultText: "what --users send in --duration at most (users / mean think time, or --rate, × duration, and a tenth)",
        number: { min: 1, max: SHARED_FLAGS["max-requests"].number.max, integer: true },
    },
    timeout: {
        type: "string",
        value: "S",
        description: "seconds without an answer before a request counts as a timeout",
        number: { default: 10, min: 1, max: 120 },
    },
    "p99-ms": {
        type: "string",
        value: "MS",
        description: "the objective: p99 latency under MS",
        number: { default: DEFAULT_OBJECTIVE.p99Ms, min: 0.1, max: 60_000 },
    },
    "max-error-rate": {
        type: "string",
        value: "R",
        description: "the objective: errors under this share of all requests, e.g. 0.001 for 0.1 %",
        number: { default: DEFAULT_OBJECTIVE.maxErrorRate, min: 0, max: 1 },
    },
    "rate-limit-exempt": {
        type: "boolean",
        default: false,
        description:
            "this machine's egress address is in platform:edge.rateLimit.exemptSources: run above the zone's rate limit (the sites of --distributed: loadgen:sites[].egress)",
    },
    json: { type: "string", value: "FILE", description: "write the result as JSON" },
    quiet: { type: "boolean", default: false, description: "no progress on stderr" },
    ramp: { type: "boolean", default: false, description: "step the user count up until the objective breaks, and report the knee" },
    start: {
        type: "string",
        value: "N",
        onlyWith: "ramp",
        description: "users of the first step",
        number: { default: 100, min: 1, max: MAX_USERS, integer: true },
    },
    step: {
        type: "string",
        value: "N",
        onlyWith: "ramp",
        description: "users added at each step",
        number: { default: 100, min: 1, max: MAX_USERS, integer: true },
    },
    max: {
        type: "string",
        value: "N",
        onlyWith: "ramp",
        description: "users of the last step at most",
        number: { default: 2000, min: 1, max: MAX_USERS, integer: true },
    },
    distributed: {
        type: "boolean",
        default: false,
        description:
            "run the users as Kubernetes Indexed Jobs in the generator regions of the stack's platform:traffic, and merge their figures",
    },
    "dry-run": { type: "boolean", onlyWith: "distributed", description: "print the Jobs it would start per region, and start nothing" },
    "users-per-worker": {
        type: "string",
        value: "N",
        onlyWith: "distributed",
        description: "most users one worker (one pod, one Node process) runs",
        number: { default: 2000, min: 1, max: MAX_USERS, integer: true },
    },
    engine: {
        type: "string",
        value: "NAME",
        onlyWith: "distributed",
        defaultText: "kubernetes",
        description: "kubernetes (the sites of --sites) or local (every worker a process on this machine: a check, not regional load)",
    },
    sites: {
        type: "string",
        value: "NAME",
        onlyWith: "distributed",
        defaultText: "loadtest",
        description: "the load-generator stack loadgen/Pulumi.NAME.yaml whose sites run the Jobs",
    },
    "start-in": {
        type: "string",
        value: "S",
        onlyWith: "distributed",
        description:
            "seconds to the common start of every worker (time to add nodes to a node group at zero, schedule the pods and pull the image)",
        defaultText: `${DEFAULT_START_IN_S}, 3 with --engine local`,
        number: { min: 0, max: 3600 },
    },
    image: {
        type: "string",
        value: "IMAGE",
        onlyWith: "distributed",
        description: "the workers' Node image (≥ 22.19), pinned by digest, as docker buildx imagetools inspect gives it (docs/qa.md)",
        defaultText: "none: required for a run on Kubernetes; a dry run shows the Jobs with the image marked not given",
    },
    help: HELP_FLAG,
} as const satisfies FlagTable;

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
    readonly model: LoadModel;
    readonly json?: string;
    readonly quiet: boolean;
    readonly ramp?: { readonly start: number; readonly step: number; readonly max: number };
    readonly distributed?: DistributedFlags;
    /** What the run chose for the operator (a default lowered to the zone's rate limit): printed before it starts. */
    readonly notes: readonly string[];
}

export function parseOptions(argv: string[], root = projectRoot()): LoadtestOptions {
    const values = parseFlags(argv, "loadtest", LOADTEST_FLAGS);
    const number = numberFlags(LOADTEST_FLAGS, values);
    const ramp = values.ramp === true;
    const stack = checkStackName(values.stack!);
    const target = values.target !== undefined ? checkUrl("target", values.target) : stackTarget(stack, root);
    if (values.distributed === true && ramp)
        throw new InputError("--ramp and --distributed do not go together: find the knee against one pod (docs/qa.md)");
    const distributed =
        values.distributed === true
            ? distributedFlags(values, number as (name: string, fallback?: number) => number, stack, root)
            : undefined;
    const { file: scenarioFile, scenario } = scenarioFlag(values.scenario, root);
    const exempt = values["rate-limit-exempt"] === true;
    // --distributed checks each site's load (tools/distributed/command.ts); here one machine sends it all.
    const zone = distributed ? undefined : stackZone(stack, target, root);
    // Users the zone's limit allows from this machine, when it binds: a closed load, or an open one at
    // Little's law's rate (both grow with the users), against the stack's hostname, not exempt.
    const fits =
        zone && !(exempt && zone.rateLimit.exemptSources.length > 0) && values.rate === undefined
            ? overLimit({ scenario, users: MAX_USERS }, zone)?.fits
            : undefined;
    const notes: string[] = [];
    const capped = (flag: string, fallback: number) => {
        if (values[flag as keyof typeof values] !== undefined || fits === undefined || fits < 1 || fallback <= fits) return fallback;
        notes.push(
            `--${flag} not given: ${fits} instead of ${fallback}, the most users under the zone's rate limit of ${zone!.rateLimit.requestsPerPeriod} API requests per ${zone!.rateLimit.period} s per client address on ${new URL(target).hostname} (docs/qa.md, "The zone's rate limit")`,
        );
        return fits;
    };
    const users = distributed ? number("users", distributed.defaultUsers) : number("users", ramp ? 100 : capped("users", 100));
    let rampSteps: LoadtestOptions["ramp"];
    if (ramp) {
        const max = number("max", capped("max", LOADTEST_FLAGS.max.number.default));
        // Under a capped --max, the default first step and increment are a quarter of it: four steps up to the limit.
        const quarter = max < LOADTEST_FLAGS.max.number.default && values.max === undefined ? Math.max(1, Math.floor(max / 4)) : undefined;
        const start = number("start", values.start === undefined ? quarter : undefined);
        const step = number("step", values.step === undefined ? quarter : undefined);
        if (max < start) throw new InputError(`--max ${max} is below --start ${start}`);
        rampSteps = { start, step, max };
    }
    const durationS = number("duration", ramp ? 30 : 60);
    const warmupS = number("warmup", Math.min(5, durationS / 4));
    if (warmupS >= durationS)
        throw new InputError(`--warmup ${warmupS} must be below --duration ${durationS}: the warm-up is part of each run`);
    const model = modelFlag(values.model!, values.rate === undefined ? undefined : number("rate"), users, scenario);
    // The most users at once: the ramp's last step (the cap applies to each step), else --users.
    const peak = rampSteps?.max ?? users;
    const maxRequests = number("max-requests", defaultMaxRequests(model, peak, scenario, durationS));
    checkRequestsCoverUsers(maxRequests, peak, ramp ? "max" : "users");
    if (!distributed) {
        const problem =
            zone &&
            rateLimitProblem(scenario, peak, zone, exempt, {
                name: "load test",
                openRate: model.kind === "open" ? model.ratePerSecond : undefined,
            });
        if (problem) throw new InputError(ramp ? `--max: ${problem}` : problem);
    }
    return {
        target,
        scenarioFile,
        scenario,
        users,
        durationS,
        warmupS,
        maxRequests,
        timeoutS: number("timeout"),
        objective: { p99Ms: number("p99-ms"), maxErrorRate: number("max-error-rate") },
        model,
        json: values.json,
        quiet: values.quiet!,
        ramp: rampSteps,
        distributed,
        notes,
    };
}

/**
 * `--max-requests` when not given: what the run sends at most in `durationS` (each step's, with
 * --ramp), so that the duration ends the run, not the cap. The closed model's rate is taken with
 * no latency, users over the mean think time (an upper bound), the open model's is its own; a
 * tenth more for the spread of think times, and each user's first request. A scenario without
 * think time has no such bound: the flag's maximum then.
 */
export function defaultMaxRequests(model: LoadModel, users: number, scenario: Scenario, durationS: number): number {
    const rate = model.kind === "open" ? model.ratePerSecond : users / (meanThinkMs(scenario) / 1000);
    if (!Number.isFinite(rate)) return MAX_REQUESTS;
    const requests = Math.ceil(rate * durationS * 1.1) + users;
    if (requests > MAX_REQUESTS)
        throw new InputError(
            `${users} users would send about ${Math.round(rate * durationS)} requests in --duration ${durationS}, above the ${MAX_REQUESTS} --max-requests allows: shorten --duration or split the load (--distributed)`,
        );
    return requests;
}

/**
 * The zone's rate limit on the stack's hostname when the target is that hostname (the rule counts
 * that host alone), else undefined: a loopback server or a cell's own endpoint has no zone limit.
 */
function stackZone(stack: string, target: string, root: string): ZoneLimit | undefined {
    const host = new URL(target).hostname;
    let config: Record<string, string>;
    try {
        config = readStack(root, stack).config;
    } catch {
        return undefined; // --target without a stack file: nothing to check against.
    }
    if (config["platform:domain"] !== host) return undefined;
    try {
        return parseStack(namespaceValues(config), config["aws:region"]).config.edge;
    } catch (err) {
        if (err instanceof ConfigError)
            throw new InputError(`Pulumi.${stack}.yaml: ${err.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
        throw err;
    }
}

/** `--model` and `--rate`: the open model's rate is the one given, else Little's law over the users. */
function modelFlag(model: string, rate: number | undefined, users: number, scenario: Scenario): LoadModel {
    if (model === "closed") {
        if (rate !== undefined) throw new InputError("--rate only applies with --model open");
        return CLOSED;
    }
    if (model !== "open") throw new InputError(`--model ${JSON.stringify(model)} is not closed or open`);
    if (rate !== undefined) return { kind: "open", ratePerSecond: rate };
    try {
        return { kind: "open", ratePerSecond: littlesLawRate(users, scenario) };
    } catch (err) {
        throw new InputError(`--model open: ${(err as Error).message} (--rate R)`);
    }
}

/** How the report names the model that ran. */
export function describeModel(model: LoadModel): string {
    return model.kind === "open"
        ? `open model, ${round2(model.ratePerSecond)} requests/s arriving; latency from each request's scheduled send`
        : "closed model: each user thinks, sends and waits for the answer";
}

/** The machine-readable result of one run (`--json`). */
export interface RunReport {
    readonly target: string;
    readonly scenario: string;
    readonly model: LoadModel;
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
    /** Reads and writes apart. */
    readonly byClass?: Record<RouteClass, Summary>;
    readonly objective: Objective & Verdict;
}

export function runReport(
    options: LoadtestOptions,
    users: number,
    seconds: number,
    summary: Summary,
    verdict: Verdict,
    figures?: Figures,
): RunReport {
    return {
        target: options.target,
        scenario: options.scenario.name,
        model: options.model,
        users,
        seconds: round2(seconds),
        warmupSeconds: options.warmupS,
        requests: summary.requests,
        requestsPerSecond: summary.requestsPerSecond,
        latencyMs: summary.latencyMs,
        errorRate: summary.errorRate,
        errors: { http: summary.httpErrors, socket: summary.socketErrors, timeouts: summary.timeouts },
        statusCodes: summary.statusCodes,
        ...(figures === undefined
            ? {}
            : {
                  byClass: Object.fromEntries(ROUTE_CLASSES.map((c) => [c, figures.byClass[c].summary(seconds)])) as Record<
                      RouteClass,
                      Summary
                  >,
              }),
        objective: { ...options.objective, ...verdict },
    };
}

export function formatSummary(label: string, summary: Summary, verdict: Verdict, objective: Objective): string {
    const latency = summary.latencyMs;
    const percentiles = latency
        ? `p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, p99.9 ${latency.p999} ms (max ${latency.max} ms)`
        : "no responses";
    return [
        `${label}: ${summary.requests} requests, ${summary.requestsPerSecond} req/s`,
        `  latency   ${percentiles}`,
        `  errors    ${formatRate(summary.errorRate)} (${summary.httpErrors} non-2xx/3xx, ${summary.socketErrors} socket, ${summary.timeouts} timeouts)`,
        `  objective p99 < ${objective.p99Ms} ms and errors < ${formatRate(objective.maxErrorRate)}: ${verdict.holds ? "HOLDS" : `FAILS (${verdict.reasons.join("; ")})`}`,
    ].join("\n");
}

/** One line a route class that ran: reads and writes apart. */
export function formatClasses(figures: Figures, seconds: number): string {
    return ROUTE_CLASSES.filter((c) => figures.byClass[c].requests > 0)
        .map((c) => {
            const s = figures.byClass[c].summary(seconds);
            const l = s.latencyMs;
            const latency = l ? `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / p99.9 ${l.p999} ms` : "no responses";
            return `  ${`${c}s`.padEnd(9)} ${s.requests} requests, ${latency}, errors ${formatRate(s.errorRate)}`;
        })
        .join("\n");
}

export function progressLine(users: number, progress: Progress): string {
    const { lastSecond } = progress;
    const p99 = lastSecond.latencyMs ? `${lastSecond.latencyMs.p99} ms` : "-";
    return `[${progress.elapsedS.toFixed(0).padStart(4)}s] users ${users}  ${lastSecond.requestsPerSecond} req/s  p99 ${p99}  errors ${formatRate(lastSecond.errorRate)}  total ${progress.requests}`;
}

function progressWriter(io: Io, quiet: boolean): ((users: number, progress: Progress) => void) | undefined {
    if (quiet) return undefined;
    return (users, progress) => io.err(io.tty ? `\r\x1b[2K${progressLine(users, progress)}` : `${progressLine(users, progress)}\n`);
}

export async function main(argv: string[], io: Io = processIo, signal?: AbortSignal): Promise<number> {
    let options: LoadtestOptions;
    try {
        options = parseOptions(argv);
        for (const note of options.notes) io.err(`loadtest: ${note}\n`);
        if (options.distributed) return await runDistributedCommand(options, options.distributed, io, signal);
        await checkReachable(options.target);
    } catch (err) {
        return startupExit("loadtest", io, err);
    }
    const progress = progressWriter(io, options.quiet);
    const endProgress = () => {
        if (progress && io.tty) io.err("\n");
    };
    try {
        const load = {
            target: options.target,
            scenario: options.scenario,
            durationS: options.durationS,
            warmupS: options.warmupS,
            maxRequests: options.maxRequests,
            timeoutS: options.timeoutS,
            model: options.model,
            signal,
        };
        // An interrupted run still prints what it measured, but never passes a gate.
        const interrupted = () => {
            io.err(`loadtest: interrupted; the figures cover the part that ran\n`);
            return TOOL_EXIT.failure;
        };
        if (options.ramp) {
            const { start, max, step } = options.ramp;
            io.err(
                `loadtest: ramping ${start}→${max} users by ${step}, ${options.durationS} s per step, against ${options.target} (${options.scenario.name})\n`,
            );
            const ramp = await probeCapacity({
                ...load,
                ...options.ramp,
                objective: options.objective,
                onProgress: progress,
                onStep: () => endProgress(),
            });
            endProgress();
            io.out(`${formatRamp(options, ramp)}\n`);
            if (options.json) writeFileSync(options.json, `${JSON.stringify(rampReport(options, ramp), null, 2)}\n`);
            if (signal?.aborted) return interrupted();
            return ramp.kneeUsers === null ? TOOL_EXIT.objective : TOOL_EXIT.ok;
        }
        const { users } = options;
        io.err(
            `loadtest: ${users} users for ${options.durationS} s (first ${options.warmupS} s warm-up) against ${options.target} (${options.scenario.name}; ${describeModel(options.model)})\n`,
        );
        const result = await runLoad({ ...load, users, onProgress: progress && ((figures) => progress(users, figures)) });
        endProgress();
        const verdict = judge(result.summary, options.objective);
        io.out(
            `${formatSummary(`${users} users, ${result.seconds.toFixed(1)} s, ${options.model.kind} model`, result.summary, verdict, options.objective)}\n`,
        );
        io.out(`${formatClasses(result.figures, result.seconds)}\n`);
        if (options.json)
            writeFileSync(
                options.json,
                `${JSON.stringify(runReport(options, users, result.seconds, result.summary, verdict, result.figures), null, 2)}\n`,
            );
        if (signal?.aborted) return interrupted();
        return verdict.holds ? TOOL_EXIT.ok : TOOL_EXIT.objective;
    } catch (err) {
        endProgress();
        io.err(errorLine("loadtest", err));
        return err instanceof InputError || err instanceof LoadError ? TOOL_EXIT.input : TOOL_EXIT.failure;
    }
}

export function rampReport(options: LoadtestOptions, ramp: RampResult) {
    return {
        target: options.target,
        scenario: options.scenario.name,
        stepSeconds: options.durationS,
        warmupSeconds: options.warmupS,
        objective: options.objective,
        kneeUsers: ramp.kneeUsers,
        brokeAt: ramp.brokeAt,
        steps: ramp.steps.map((step) => ({
            users: step.users,
            requests: step.summary.requests,
            requestsPerSecond: step.summary.requestsPerSecond,
            latencyMs: step.summary.latencyMs,
            errorRate: step.summary.errorRate,
            holds: step.verdict.holds,
            reasons: step.verdict.reasons,
        })),
    };
}

export function formatRamp(options: LoadtestOptions, ramp: RampResult): string {
    const rows = ramp.steps.map((step) => {
        const p99 = step.summary.latencyMs ? String(step.summary.latencyMs.p99) : "-";
        const verdict = step.verdict.holds ? "holds" : `breaks: ${step.verdict.reasons.join("; ")}`;
        return `  ${String(step.users).padStart(7)}  ${String(step.summary.requestsPerSecond).padStart(9)}  ${p99.padStart(8)}  ${formatRate(step.summary.errorRate).padStart(8)}  ${verdict}`;
    });
    const knee =
        ramp.kneeUsers === null
            ? `knee: none — the objective already broke at ${ramp.brokeAt} users; lower --start`
            : ramp.brokeAt === null
              ? `knee: ≥ ${ramp.kneeUsers} users (the objective held up to --max; raise --max to find the knee)`
              : `knee: ${ramp.kneeUsers} users (the objective broke at ${ramp.brokeAt})`;
    return [
        `capacity probe against ${options.target}, ${options.durationS} s per step`,
        "    users      req/s   p99 ms    errors",
        ...rows,
        knee,
    ].join("\n");
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
