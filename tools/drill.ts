/**
 * npm run drill -- --region NAME [--stack prod] [--execute] [--target URL] [--pool-name PREFIX]
 *                  [--api-base URL] [--region-header NAME] [--users N] [--scenario FILE]
 *                  [--before S] [--during S] [--settle S] [--after S] [--restore-wait S]
 *                  [--max-requests N] [--report FILE]
 *
 * Always prints what a failure of that region should do (which cells take its users, and
 * their load). With --execute (and CLOUDFLARE_API_TOKEN) it takes the region's load-balancer
 * pool out through Cloudflare's API under load, measures the switch, puts the pool back, and
 * writes a report. Whatever happens after the pool is touched (an API error, Ctrl-C), the
 * drill re-enables it before it exits, and says so.
 *
 * Exit status: 0 done (and, with --execute, the pool is back and the reroute was seen or no
 * region header was available); 1 no reroute was seen; 2 bad input; 3 the drill failed
 * (API error, interrupted, target unreachable), with the pool restored unless stderr says
 * otherwise.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleepFor } from "node:timers/promises";
import { namespaceValues } from "../config/platform";
import { ConfigError } from "../config/problems";
import { readStack } from "../plan/stackConfig";
import { type FleetCell } from "../regions/fleet";
import { poolName } from "../regions/naming";
import { type Stack, parseStack } from "../stack/load";
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
} from "./common";
import { type CellHeadroom, type FailoverImpact, failoverImpact, findCell, formatImpact, loadVsMaximum } from "./failover";
import { type LoadResult, type LoadRun, checkReachable, startLoad } from "./load";
import { type PoolApi, PoolError, type PoolHealth, type PoolInfo, cloudflarePools, describeApiError, findPool } from "./pools";
import { type Scenario, ScenarioError, loadScenario } from "./scenario";
import { type Summary, isError, summarise } from "./stats";

const USAGE =
    "usage: npm run drill -- --region NAME [--stack prod] [--execute] [--target URL] [--pool-name PREFIX] [--api-base URL] " +
    "[--region-header NAME] [--users N] [--scenario FILE] [--before S] [--during S] [--settle S] [--after S] [--restore-wait S] [--max-requests N] [--report FILE]";

export interface DrillOptions {
    readonly stack: string;
    /** The stack being drilled: its config and fleet. */
    readonly plan: Stack;
    readonly cell: FleetCell;
    readonly execute: boolean;
    readonly token?: string;
    readonly apiBase?: string;
    readonly poolPrefix: string;
    readonly target: string;
    readonly regionHeader: string;
    readonly users: number;
    readonly scenario: Scenario;
    readonly maxRequests: number;
    /** Load before the pool goes out (the baseline). */
    readonly beforeS: number;
    /** Longest wait for the reroute once the pool is out. */
    readonly duringS: number;
    /** Load kept on the rerouted path after the reroute is seen. */
    readonly settleS: number;
    /** Load after the pool is back. */
    readonly afterS: number;
    /** Longest wait for the restored pool to report healthy. */
    readonly restoreWaitS: number;
    readonly report?: string;
    /** Users each cell carries at most, by AWS region; from the capacity model once it lands. */
    readonly maxUsers?: Readonly<Record<string, number>>;
}

/** Knobs tests turn; defaults suit a real drill. */
export interface DrillRuntime {
    readonly io?: Io;
    readonly signal?: AbortSignal;
    readonly api?: PoolApi;
    /** Retries of the client itself (408/409/429/5xx). @default 2 */
    readonly apiRetries?: number;
    /** Attempts at re-enabling the pool, and the pause between them. @default 5, 2000 */
    readonly restoreAttempts?: number;
    readonly restorePauseMs?: number;
    /** Pause between health polls after the restore. @default 5000 */
    readonly healthPollMs?: number;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env, root = projectRoot()): DrillOptions {
    const v = parseFlags(
        argv,
        {
            region: { type: "string" },
            stack: { type: "string", default: "prod" },
            execute: { type: "boolean", default: false },
            target: { type: "string" },
            "pool-name": { type: "string" },
            "api-base": { type: "string" },
            "region-header": { type: "string", default: "x-served-region" },
            users: { type: "string" },
            scenario: { type: "string" },
            before: { type: "string" },
            during: { type: "string" },
            settle: { type: "string" },
            after: { type: "string" },
            "restore-wait": { type: "string" },
            "max-requests": { type: "string" },
            report: { type: "string" },
        },
        USAGE,
    );
    if (v.region === undefined) throw new InputError(`--region is required (${USAGE})`);
    const stack = checkStackName(v.stack!);
    const plan = readPlan(root, stack);
    const { config, fleet } = plan;
    const cell = findCell(plan, v.region);
    if (!cell) {
        const cells = fleet.cells.map((c) => `${c.region} (${c.code})`).join(", ");
        throw new InputError(`--region "${v.region}" is not a cell of stack ${stack}; its cells: ${cells}`);
    }
    if (cell.decommissioning)
        throw new InputError(`--region "${v.region}" is being decommissioned in stack ${stack}: it is drained and has no pool to take out`);
    const token = env.CLOUDFLARE_API_TOKEN;
    if (v.execute && !token)
        throw new InputError("--execute needs a Cloudflare API token in CLOUDFLARE_API_TOKEN (Load Balancing: Monitors and Pools Write)");
    if (!/^[A-Za-z0-9-]+$/.test(v["region-header"]!)) throw new InputError(`--region-header "${v["region-header"]}" is not a header name`);
    const users = numberFlag("users", v.users, { default: 50, min: 1, max: 100_000, integer: true });
    const scenarioFile = path.resolve(v.scenario ?? path.join(root, "tools", "scenarios", "extension.yaml"));
    let scenario: Scenario;
    try {
        scenario = loadScenario(scenarioFile);
    } catch (err) {
        throw err instanceof ScenarioError ? new InputError(err.message) : err;
    }
    const maxRequests = numberFlag("max-requests", v["max-requests"], { default: 1_000_000, min: 1, max: 10_000_000, integer: true });
    if (maxRequests < users)
        throw new InputError(`--max-requests ${maxRequests} is below --users ${users}: every user needs at least one request`);
    const apiBase = v["api-base"] ?? env.CLOUDFLARE_BASE_URL;
    return {
        stack,
        plan,
        cell,
        execute: v.execute!,
        token,
        apiBase: apiBase === undefined ? undefined : checkUrl("api-base", apiBase),
        poolPrefix: v["pool-name"] ?? poolName(config.domain, cell.code),
        // The most users each cell's HPA can serve: maxReplicas × usersPerPod, from the capacity model.
        maxUsers: Object.fromEntries(fleet.cells.map((c) => [c.region, c.capacity.pods.max * config.capacity.usersPerPod])),
        target: v.target !== undefined ? checkUrl("target", v.target) : `https://${config.domain}`,
        regionHeader: v["region-header"]!.toLowerCase(),
        users,
        scenario,
        maxRequests,
        beforeS: numberFlag("before", v.before, { default: 30, min: 0.1, max: 600 }),
        duringS: numberFlag("during", v.during, { default: 120, min: 0.1, max: 900 }),
        settleS: numberFlag("settle", v.settle, { default: 30, min: 0, max: 600 }),
        afterS: numberFlag("after", v.after, { default: 30, min: 0, max: 600 }),
        restoreWaitS: numberFlag("restore-wait", v["restore-wait"], { default: 60, min: 0, max: 600 }),
        report: v.report,
    };
}

function readPlan(root: string, stack: string): Stack {
    try {
        const { config } = readStack(root, stack);
        return parseStack(namespaceValues(config), config["aws:region"]);
    } catch (err) {
        if (err instanceof ConfigError)
            throw new InputError(`Pulumi.${stack}.yaml: ${err.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
        throw new InputError((err as Error).message);
    }
}

/** A phase of the load; fromMs/toMs are ms since the load started. */
export interface PhaseReport extends Summary {
    readonly fromMs: number;
    readonly toMs: number;
}

export interface DrillReport {
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
    readonly pool: PoolInfo | null;
    readonly poolHealthBefore: PoolHealth | null;
    readonly poolHealthAfter: PoolHealth | null;
    /** Events, ms since the drill started. */
    readonly timeline: readonly { readonly atMs: number; readonly event: string }[];
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
    readonly outcome: "planned" | "completed" | "no-reroute" | "failed";
    readonly problems: readonly string[];
}

class Aborted extends Error {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepFor(ms, undefined, { signal }).catch((err: Error) => {
        if (err.name === "AbortError") throw new Aborted("interrupted");
        throw err;
    }) as Promise<void>;
}

export async function runDrill(o: DrillOptions, rt: DrillRuntime = {}): Promise<{ code: number; report: DrillReport }> {
    const io = rt.io ?? processIo;
    const impact = failoverImpact(o.plan, o.cell);
    const headroom = loadVsMaximum(impact.cells, o.maxUsers);
    io.out(`${formatImpact(o.stack, impact, headroom)}\n`);
    const base = {
        stack: o.stack,
        region: o.cell.region,
        code: o.cell.code,
        executed: o.execute,
        expectation: { reroutes: impact.reroutes, cells: headroom, unservedUsers: impact.unservedUsers },
        target: o.target,
        regionHeader: o.regionHeader,
    };
    if (!o.execute) {
        io.out("Dry run: nothing changed. Add --execute (with CLOUDFLARE_API_TOKEN) to take the pool out under load.\n");
        const report: DrillReport = {
            ...base,
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
        writeReport(o, report);
        return { code: TOOL_EXIT.ok, report };
    }
    const api =
        rt.api ??
        cloudflarePools({ token: o.token!, accountId: o.plan.config.cloudflare.accountId, baseURL: o.apiBase, maxRetries: rt.apiRetries });
    const drill = new Execution(o, rt, api, io);
    const outcome = await drill.run();
    const report: DrillReport = { ...base, ...outcome };
    writeReport(o, report);
    io.out(`${formatOutcome(report)}\n`);
    const code = report.outcome === "completed" ? TOOL_EXIT.ok : report.outcome === "no-reroute" ? TOOL_EXIT.objective : TOOL_EXIT.failure;
    return { code, report };
}

function writeReport(o: DrillOptions, report: DrillReport): void {
    if (o.report) writeFileSync(o.report, `${JSON.stringify(report, null, 2)}\n`);
}

type Outcome = Omit<DrillReport, "stack" | "region" | "code" | "executed" | "expectation" | "target" | "regionHeader">;

/** One executed drill: the pool out under load, then back, whatever happens in between. */
class Execution {
    private readonly timeline: { atMs: number; event: string }[] = [];
    private readonly problems: string[] = [];
    private load?: LoadRun;
    /** The drill's own clock (timeline); samples and phases use the load's clock. */
    private readonly t0 = performance.now();

    constructor(
        private readonly o: DrillOptions,
        private readonly rt: DrillRuntime,
        private readonly api: PoolApi,
        private readonly io: Io,
    ) {}

    /** The load's clock: ms since the load started (0 before it). */
    private now(): number {
        return this.load ? this.load.elapsedMs() : 0;
    }

    private event(text: string): void {
        this.timeline.push({ atMs: Math.round(performance.now() - this.t0), event: text });
        this.io.err(`drill: ${text}\n`);
    }

    private problem(text: string): void {
        this.problems.push(text);
        this.io.err(`drill: ${text}\n`);
    }

    async run(): Promise<Outcome> {
        const { o, rt } = this;
        let pool: PoolInfo | null = null;
        let healthBefore: PoolHealth | null = null;
        let healthAfter: PoolHealth | null = null;
        /** True from the moment the disable call is sent: a failed call may still have taken effect. */
        let touched = false;
        let restored = true;
        let disableAt: number | null = null;
        let restoreAt: number | null = null;
        let rerouteAt: number | null = null;
        let reroutedTo: string | null = null;
        let baseline: string | null = null;
        let result: LoadResult | undefined;
        let failed = false;
        try {
            pool = findPool(await this.call("listing pools", () => this.api.list()), o.poolPrefix);
            this.event(`pool ${pool.name} (${pool.id}) found, enabled: ${pool.enabled}`);
            if (!pool.enabled)
                throw new PoolError(
                    `pool ${pool.name} is already disabled: someone took it out; the drill will not touch it (it would re-enable it at the end)`,
                );
            healthBefore = await this.call("reading pool health", () => this.api.health(pool!.id));
            if (healthBefore.healthy === false) {
                throw new PoolError(`pool ${pool.name} is unhealthy before the drill: its traffic is already failing over; fix it first`);
            }
            await checkReachable(o.target);
            const bound = o.beforeS + o.duringS + o.settleS + o.afterS + o.restoreWaitS + 120;
            this.load = startLoad({
                target: o.target,
                users: o.users,
                scenario: o.scenario,
                durationS: bound,
                maxRequests: o.maxRequests,
                regionHeader: o.regionHeader,
            });
            this.event(`load started: ${o.users} users against ${o.target}`);
            await sleep(o.beforeS * 1000, rt.signal);
            baseline = mostCommon(this.load.samples.map((s) => s.region));
            if (baseline === null)
                this.problem(
                    `no response carried ${o.regionHeader} before the pool went out: the reroute is judged by errors settling only`,
                );
            else if (baseline !== o.cell.region && baseline !== o.cell.code) {
                this.problem(
                    `responses were served by ${baseline}, not ${o.cell.region}: this machine is not steered to the drilled region, so its traffic will not move`,
                );
            }

            // The switch is timed from when the disable is sent: Cloudflare may apply it before it answers.
            touched = true;
            restored = false;
            disableAt = this.now();
            this.event(`disabling pool ${pool.name}`);
            const out = await this.call("disabling the pool", () => this.api.setEnabled(pool!.id, false));
            this.event(`pool ${pool.name} disabled (API answered enabled: ${out.enabled})`);

            const deadline = disableAt + o.duringS * 1000;
            const samples = this.load.samples;
            let next = 0;
            while (this.now() < deadline && baseline !== null) {
                for (; next < samples.length && rerouteAt === null; next++) {
                    const s = samples[next];
                    if (s.at >= disableAt && s.region !== undefined && s.region !== baseline) {
                        rerouteAt = s.at;
                        reroutedTo = s.region;
                    }
                }
                if (rerouteAt !== null) break;
                await sleep(Math.min(100, Math.max(1, deadline - this.now())), rt.signal);
            }
            if (rerouteAt !== null) {
                this.event(`rerouted to ${reroutedTo} after ${Math.round(rerouteAt - disableAt)} ms`);
                await sleep(o.settleS * 1000, rt.signal);
            } else if (baseline !== null) {
                this.problem(`no response moved off ${baseline} within ${o.duringS} s of the disable`);
            } else {
                // Without the header, keep the pool out for the whole window and judge by errors.
                await sleep(o.duringS * 1000, rt.signal);
            }

            restoreAt = this.now();
            restored = await this.restore(pool);
            touched = false;
            if (restored) await sleep(o.afterS * 1000, rt.signal);
        } catch (err) {
            failed = true;
            if (err instanceof Aborted)
                this.problem(touched ? "interrupted: restoring the pool" : "interrupted before the pool was touched");
            else this.problem(`${describeApiError(err)}${touched ? "; restoring the pool" : ""}`);
        } finally {
            if (touched && pool) {
                restoreAt ??= this.now();
                restored = await this.restore(pool);
            }
            if (this.load) {
                this.load.stop();
                result = await this.load.done;
                this.event(`load stopped after ${result.samples.length} requests`);
            }
        }
        // After Ctrl-C the pool is back; the operator need not wait for its health as well.
        if (pool && restored && disableAt !== null && rt.signal?.aborted !== true) healthAfter = await this.waitHealthy(pool);

        const samples = result?.samples ?? [];
        const end = samples.length > 0 ? samples[samples.length - 1].at + 1 : 0;
        const phase = (from: number | null, to: number | null): PhaseReport | null =>
            from === null || to === null || to <= from
                ? null
                : { fromMs: Math.round(from), toMs: Math.round(to), ...summarise(samples, (to - from) / 1000, from, to) };
        const duringEnd = restoreAt ?? end;
        const errorsOut = disableAt === null ? [] : samples.filter((s) => s.at >= disableAt! && s.at < duringEnd && isError(s));
        const switchEnd = rerouteAt ?? duringEnd;
        return {
            pool,
            poolHealthBefore: healthBefore,
            poolHealthAfter: healthAfter,
            timeline: this.timeline,
            baselineRegion: baseline,
            rerouteMs: rerouteAt === null || disableAt === null ? null : Math.round(rerouteAt - disableAt),
            reroutedTo,
            errorsSettledMs: errorsOut.length === 0 ? null : Math.round(errorsOut[errorsOut.length - 1].at - disableAt!),
            errorsDuringSwitch: errorsOut.filter((s) => s.at <= switchEnd).length,
            phases: {
                // The first moments carry connection and TLS set-up, as in a load test's warm-up.
                before: phase(Math.min(5000, (o.beforeS * 1000) / 4), disableAt ?? (this.load ? end : null)),
                during: phase(disableAt, duringEnd),
                after: phase(restoreAt, restoreAt === null ? null : end),
            },
            restored,
            outcome: failed || !restored ? "failed" : baseline !== null && rerouteAt === null ? "no-reroute" : "completed",
            problems: this.problems,
        };
    }

    private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
        try {
            return await fn();
        } catch (err) {
            if (err instanceof PoolError) throw err;
            throw new PoolError(`${what} failed: ${describeApiError(err)}`);
        }
    }

    /** Re-enables the pool, retrying; never throws. True when the API confirms it enabled. */
    private async restore(pool: PoolInfo): Promise<boolean> {
        const attempts = this.rt.restoreAttempts ?? 5;
        for (let i = 1; i <= attempts; i++) {
            try {
                const back = await this.api.setEnabled(pool.id, true);
                if (back.enabled) {
                    this.event(`pool ${pool.name} restored (enabled: true)`);
                    return true;
                }
                this.problem(`restoring pool ${pool.name}: the API answered enabled: ${back.enabled} (attempt ${i} of ${attempts})`);
            } catch (err) {
                this.problem(`restoring pool ${pool.name} failed (attempt ${i} of ${attempts}): ${describeApiError(err)}`);
            }
            // Deliberately not interruptible: the pool must come back.
            if (i < attempts) await sleepFor(this.rt.restorePauseMs ?? 2000);
        }
        this.problem(
            `POOL ${pool.name} (${pool.id}) IS STILL DISABLED: re-enable it now in the dashboard (Traffic → Load Balancing → Pools) or with ` +
                `curl -X PATCH https://api.cloudflare.com/client/v4/accounts/${this.o.plan.config.cloudflare.accountId}/load_balancers/pools/${pool.id} ` +
                `-H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" -H "Content-Type: application/json" --data '{"enabled":true}'`,
        );
        return false;
    }

    /** Polls the restored pool's health until healthy or the wait is over; null when it never answers. */
    private async waitHealthy(pool: PoolInfo): Promise<PoolHealth | null> {
        const until = Date.now() + this.o.restoreWaitS * 1000;
        let last: PoolHealth | null = null;
        for (;;) {
            try {
                last = await this.api.health(pool.id);
                if (last.healthy === true) {
                    this.event(`pool ${pool.name} reports healthy again`);
                    return last;
                }
            } catch (err) {
                this.problem(`reading pool health after the restore failed: ${describeApiError(err)}`);
            }
            if (Date.now() >= until) break;
            await sleepFor(Math.min(this.rt.healthPollMs ?? 5000, Math.max(1, until - Date.now())));
        }
        this.problem(`pool ${pool.name} is enabled but did not report healthy within ${this.o.restoreWaitS} s; watch it in the dashboard`);
        return last;
    }
}

function mostCommon(values: readonly (string | undefined)[]): string | null {
    const counts = new Map<string, number>();
    for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    let best: string | null = null;
    for (const [v, n] of counts) if (best === null || n > counts.get(best)!) best = v;
    return best;
}

export function formatOutcome(r: DrillReport): string {
    const phase = (name: string, p: PhaseReport | null) =>
        p === null
            ? `  ${name.padEnd(7)} -`
            : `  ${name.padEnd(7)} ${p.requests} requests, ${p.requestsPerSecond} req/s, errors ${(p.errorRate * 100).toFixed(2)}%, ` +
              (p.latencyMs ? `p50 ${p.latencyMs.p50} / p95 ${p.latencyMs.p95} / p99 ${p.latencyMs.p99} ms` : "no responses");
    return [
        `Drill of ${r.region} (${r.code}): ${r.outcome.toUpperCase()}${r.restored ? "" : " — POOL STILL DISABLED"}`,
        `  pool ${r.pool ? `${r.pool.name} (${r.pool.id})` : "-"}, restored: ${r.restored}`,
        `  reroute ${r.rerouteMs === null ? "not seen" : `${r.rerouteMs} ms (${r.baselineRegion} → ${r.reroutedTo})`}; errors during the switch: ${r.errorsDuringSwitch}` +
            `${r.errorsSettledMs === null ? "" : `, last error ${r.errorsSettledMs} ms after the disable`}`,
        phase("before", r.phases.before),
        phase("during", r.phases.during),
        phase("after", r.phases.after),
        ...r.problems.map((p) => `  problem: ${p}`),
    ].join("\n");
}

export async function main(
    argv: string[],
    io: Io = processIo,
    env: NodeJS.ProcessEnv = process.env,
    rt: Omit<DrillRuntime, "io"> = {},
): Promise<number> {
    let options: DrillOptions;
    try {
        options = parseOptions(argv, env);
    } catch (err) {
        if (err instanceof HelpRequested) {
            io.out(`${err.message}\n`);
            return TOOL_EXIT.ok;
        }
        io.err(errorLine("drill", err));
        return err instanceof InputError ? TOOL_EXIT.input : TOOL_EXIT.failure;
    }
    try {
        return (await runDrill(options, { ...rt, io })).code;
    } catch (err) {
        io.err(errorLine("drill", err));
        return TOOL_EXIT.failure;
    }
}

if (require.main === module) {
    // Ctrl-C (or a CI cancel) ends the drill early but never skips putting the pool back.
    const controller = new AbortController();
    const onSignal = () => {
        if (controller.signal.aborted) process.stderr.write("drill: still restoring the pool; wait for it\n");
        controller.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    main(process.argv.slice(2), processIo, process.env, { signal: controller.signal }).then((code) => process.exit(code));
}
