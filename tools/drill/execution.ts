/**
 * Runs a drill: prints what a failure of the region should do, and with `--execute` takes its
 * pool out under load and puts it back. The executed drill is a sequence of steps (find the
 * pool, baseline, disable, await the reroute, keep the pool out, restore, stop the load, wait
 * for health), each a method returning its result into one record. Whatever happens once the
 * disable call is sent (an API error, Ctrl-C), the pool is re-enabled before the drill returns,
 * except when the stack's Region switch plan (`--arc-plan`, tools/drill/arcPlan.ts) may have
 * moved the writer out of the region: then the pool stays out and the report says what to do.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleepFor } from "node:timers/promises";
import { AFFINITY_COOKIE } from "../../config/edge";
import { type Io, processIo } from "../common";
import { failoverImpact, formatImpact, loadVsMaximum } from "../failover";
import { type LoadRun, checkReachable, startLoad } from "../load";
import { type PoolApi, PoolError, type PoolHealth, type PoolInfo, cloudflarePools, describeApiError, findPool } from "../pools";
import { type Sample } from "../stats";
import { RegionSwitchCli, awsRunner } from "./arcCli";
import { type ArcPlanReport, type PlanHooks, PlanRun, formatPlan, ranToEnd } from "./arcPlan";
import { type LedgerReport, countWrites, failbackMs, formatLedger, ledgerReport, recoveryMs } from "./ledger";
import { type DrillOptions } from "./options";
import {
    type DrillReport,
    type DrillResult,
    type DrillSetup,
    PLANNED,
    type RerouteSeen,
    type RestoreResult,
    type StepResults,
    type TimelineEvent,
    executedResult,
    formatOutcome,
    poolIsOut,
    writeReport,
} from "./report";
import { WriteLoad, readBack } from "./writes";

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
    /** The environment `aws` runs in (its PATH finds it). @default process.env */
    readonly env?: NodeJS.ProcessEnv;
}

/** Prints the expectation; with `--execute`, runs the drill. Writes `--report`, and returns the report. */
export async function runDrill(options: DrillOptions, runtime: DrillRuntime = {}): Promise<DrillReport> {
    const io = runtime.io ?? processIo;
    const impact = failoverImpact(options.plan, options.cell);
    const headroom = loadVsMaximum(impact.cells, options.maxUsers);
    io.out(`${formatImpact(options.stack, impact, headroom)}\n`);
    const setup: DrillSetup = {
        stack: options.stack,
        region: options.cell.region,
        code: options.cell.code,
        executed: options.execute,
        expectation: { reroutes: impact.reroutes, cells: headroom, unservedUsers: impact.unservedUsers },
        target: options.target,
        regionHeader: options.regionHeader,
    };
    const arc = options.arc
        ? new PlanRun(options.arc, new RegionSwitchCli(awsRunner(runtime.env ?? process.env), options.arc.activatingRegion))
        : undefined;
    if (!options.execute) {
        if (arc) io.out(`With --execute the drill then runs plan ${options.arc!.planName}: ${arc.startCommand()}\n`);
        io.out("Dry run: nothing changed. Add --execute (with CLOUDFLARE_API_TOKEN) to take the pool out under load.\n");
        const report: DrillReport = { ...setup, ...PLANNED };
        writeReport(options.report, report);
        return report;
    }
    // The plan as ARC holds it, and the CLI, before anything changes: a mismatch is bad input.
    await arc?.prepare();
    const api =
        runtime.api ??
        cloudflarePools({
            token: options.token!,
            accountId: options.plan.config.cloudflare.accountId,
            baseURL: options.apiBase,
            maxRetries: runtime.apiRetries,
        });
    // The write ledger runs beside the drill's own load, on the drill's clock (its timeline's).
    const t0 = performance.now();
    const writes = options.ledger
        ? new WriteLoad({
              url: options.ledger.url,
              writers: options.ledger.writers,
              regionHeader: options.regionHeader,
              timeoutMs: LEDGER_TIMEOUT_MS,
              now: () => performance.now() - t0,
          })
        : undefined;
    const result = await new Execution(options, runtime, api, io, arc).run();
    const report: DrillReport = { ...setup, ...result, ...(writes ? { ledger: await ledgerOf(writes, options, result) } : {}) };
    writeReport(options.report, report);
    io.out(`${formatOutcome(report)}\n`);
    if (report.ledger) io.out(`${formatLedger(report.ledger)}\n`);
    if (report.arcPlan) io.out(`${formatPlan(report.arcPlan)}\n`);
    return report;
}

/** Per write (and for the read-back): the ledger's requests time out after this. */
const LEDGER_TIMEOUT_MS = 5000;

/**
 * The ledger once the drill is over: what the writer holds against what was acknowledged, the
 * RTO (to the cell the drill rerouted to), the failback (from the pool's restore to the drilled
 * cell serving again) and the drill's steps, each judged by its budget.
 */
async function ledgerOf(writes: WriteLoad, options: DrillOptions, result: DrillResult): Promise<LedgerReport> {
    const ledger = await writes.stop();
    const held = await readBack(options.ledger!.url, writes.run, LEDGER_TIMEOUT_MS);
    const restoredAt = result.timeline.find((e) => e.event.endsWith("restored (enabled: true)"))?.atMs;
    const drilled = result.baselineRegion ?? options.cell.region;
    const steps = result.timeline
        .slice(1)
        .map((e, i) => ({
            step: result.timeline[i].event,
            startMs: result.timeline[i].atMs,
            endMs: e.atMs,
            durationMs: e.atMs - result.timeline[i].atMs,
        }));
    return ledgerReport(
        "failover",
        {
            writes: countWrites(ledger, held),
            rtoMs: result.reroutedTo === null ? null : recoveryMs(ledger.requests, result.reroutedTo),
            failbackMs: restoredAt === undefined ? null : failbackMs(ledger.requests, drilled, restoredAt),
            steps,
        },
        options.ledger!.budgets,
    );
}

class Aborted extends Error {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepFor(ms, undefined, { signal }).catch((err: Error) => {
        if (err.name === "AbortError") throw new Aborted("interrupted");
        throw err;
    }) as Promise<void>;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** One executed drill: the pool out under load, then back, whatever happens in between. */
class Execution {
    private readonly timeline: TimelineEvent[] = [];
    private readonly problems: string[] = [];
    /** The running load, from the baseline step until it is stopped. */
    private load?: LoadRun;
    /** The drill's own clock (timeline); samples and phases use the load's clock. */
    private readonly t0 = performance.now();

    constructor(
        private readonly options: DrillOptions,
        private readonly runtime: DrillRuntime,
        private readonly api: PoolApi,
        private readonly io: Io,
        private readonly arc?: PlanRun,
    ) {}

    async run(): Promise<DrillResult> {
        const steps: Writable<StepResults> = {};
        let failed = false;
        try {
            const pool = (steps.pool = await this.findPool());
            refuseDisabled(pool);
            steps.healthBefore = await this.call("reading pool health", () => this.api.health(pool.id));
            refuseUnhealthy(pool, steps.healthBefore);
            steps.baselineRegion = await this.baseline();
            // The switch is timed from when the disable is sent: Cloudflare may apply it before it answers.
            steps.disabledAt = this.now();
            await this.disable(pool);
            if (this.arc) {
                // The plan runs while the drill watches the traffic move: ARC's steps and the reroute overlap.
                const [reroute, plan] = await Promise.allSettled([
                    this.awaitReroute(steps.baselineRegion, steps.disabledAt),
                    this.arc.execute(this.planHooks(pool)),
                ]);
                steps.arc = (plan as PromiseFulfilledResult<ArcPlanReport>).value;
                if (reroute.status === "rejected") throw reroute.reason;
                steps.reroute = reroute.value;
                if (steps.arc.verdict === "interrupted") throw new Aborted("interrupted");
                if (steps.arc.verdict === "error" || steps.arc.verdict === "not-started") throw new PlanStopped();
                if (ranToEnd(steps.arc.verdict)) await this.keepPoolOut(steps.reroute, steps.baselineRegion);
                if (steps.arc.poolLeftDisabled) return this.finish(steps, false);
            } else {
                steps.reroute = await this.awaitReroute(steps.baselineRegion, steps.disabledAt);
                await this.keepPoolOut(steps.reroute, steps.baselineRegion);
            }
            steps.restore = await this.restore(pool);
            if (steps.restore.restored) await sleep(this.options.afterS * 1000, this.runtime.signal);
        } catch (err) {
            failed = true;
            if (!(err instanceof PlanStopped)) this.problem(failureProblem(err, steps));
        } finally {
            if (steps.pool && poolComesBack(steps)) steps.restore = await this.restore(steps.pool);
        }
        return this.finish(steps, failed);
    }

    /** Stops the load and, once the pool is back, waits for its health; the result of the steps. */
    private async finish(steps: Writable<StepResults>, failed: boolean): Promise<DrillResult> {
        steps.samples = await this.stopLoad();
        // After Ctrl-C the pool is back; the operator need not wait for its health as well.
        if (steps.pool && steps.restore?.restored && this.runtime.signal?.aborted !== true)
            steps.healthAfter = await this.waitHealthy(steps.pool);
        return executedResult({
            steps,
            failed,
            warmupMs: Math.min(5000, (this.options.beforeS * 1000) / 4),
            timeline: this.timeline,
            problems: this.problems,
        });
    }

    /** What the plan run needs of the drill: its timeline, its clock, Ctrl-C, the pool's restore command. */
    private planHooks(pool: PoolInfo): PlanHooks {
        return {
            event: (text) => this.event(text),
            problem: (text) => this.problem(text),
            now: () => performance.now() - this.t0,
            signal: this.runtime.signal,
            enablePoolCommand: enablePoolCommand(this.options.plan.config.cloudflare.accountId, pool.id),
            poolName: pool.name,
            stack: this.options.stack,
        };
    }

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

    /** The one pool named with `--pool-name`. */
    private async findPool(): Promise<PoolInfo> {
        const pool = findPool(await this.call("listing pools", () => this.api.list()), this.options.poolPrefix);
        this.event(`pool ${pool.name} (${pool.id}) found, enabled: ${pool.enabled}`);
        return pool;
    }

    /** Starts the load and returns the region that serves it before the pool goes out (null without the header). */
    private async baseline(): Promise<string | null> {
        const { target, users, scenario, maxRequests, regionHeader, cell } = this.options;
        await checkReachable(target);
        const { beforeS, duringS, settleS, afterS, restoreWaitS } = this.options;
        this.load = startLoad({
            target,
            users,
            scenario,
            // With the plan, the load lasts until its execution ends (its RTO at most).
            durationS: beforeS + duringS + settleS + afterS + restoreWaitS + (this.arc?.timeoutSeconds ?? 0) + 120,
            maxRequests,
            regionHeader,
            keepSamples: true,
            // Each user keeps the load balancer's affinity cookie, as a browser does: the drill
            // measures what pinned sessions see (drain and zero-downtime failover), not only new ones.
            keepCookies: [AFFINITY_COOKIE],
        });
        this.event(`load started: ${users} users against ${target}, each keeping the ${AFFINITY_COOKIE} affinity cookie`);
        await sleep(beforeS * 1000, this.runtime.signal);
        const region = mostCommon(this.load.samples.map((sample) => sample.region));
        if (region === null)
            this.problem(`no response carried ${regionHeader} before the pool went out: the reroute is judged by errors settling only`);
        else if (region !== cell.region && region !== cell.code) {
            this.problem(
                `responses were served by ${region}, not ${cell.region}: this machine is not steered to the drilled region, so its traffic will not move`,
            );
        }
        return region;
    }

    /** Takes the pool out; returns the pool as the API answered. */
    private async disable(pool: PoolInfo): Promise<PoolInfo> {
        this.event(`disabling pool ${pool.name}`);
        const answer = await this.call("disabling the pool", () => this.api.setEnabled(pool.id, false));
        this.event(`pool ${pool.name} disabled (API answered enabled: ${answer.enabled})`);
        return answer;
    }

    /** The first response served off the baseline region within `--during`; null when none is (or without a baseline). */
    private async awaitReroute(baselineRegion: string | null, disabledAt: number): Promise<RerouteSeen | null> {
        const deadline = disabledAt + this.options.duringS * 1000;
        const samples = this.load!.samples;
        let next = 0;
        while (this.now() < deadline && baselineRegion !== null) {
            for (; next < samples.length; next++) {
                const { at, region } = samples[next];
                if (at >= disabledAt && region !== undefined && region !== baselineRegion) {
                    this.event(`rerouted to ${region} after ${Math.round(at - disabledAt)} ms`);
                    return { at, to: region };
                }
            }
            await sleep(Math.min(100, Math.max(1, deadline - this.now())), this.runtime.signal);
        }
        if (baselineRegion !== null)
            this.problem(`no response moved off ${baselineRegion} within ${this.options.duringS} s of the disable`);
        return null;
    }

    /** Keeps the load on the rerouted path for `--settle`; without the header, the pool stays out for all of `--during`. */
    private async keepPoolOut(reroute: RerouteSeen | null, baselineRegion: string | null): Promise<void> {
        if (reroute !== null) await sleep(this.options.settleS * 1000, this.runtime.signal);
        // Without the header, keep the pool out for the whole window and judge by errors.
        else if (baselineRegion === null) await sleep(this.options.duringS * 1000, this.runtime.signal);
    }

    /** Re-enables the pool, retrying; never throws. `restored` is true when the API confirms it enabled. */
    private async restore(pool: PoolInfo): Promise<RestoreResult> {
        const at = this.now();
        const attempts = this.runtime.restoreAttempts ?? 5;
        for (let attempt = 1; attempt <= attempts; attempt++) {
            try {
                const answer = await this.api.setEnabled(pool.id, true);
                if (answer.enabled) {
                    this.event(`pool ${pool.name} restored (enabled: true)`);
                    return { at, restored: true };
                }
                this.problem(
                    `restoring pool ${pool.name}: the API answered enabled: ${answer.enabled} (attempt ${attempt} of ${attempts})`,
                );
            } catch (err) {
                this.problem(`restoring pool ${pool.name} failed (attempt ${attempt} of ${attempts}): ${describeApiError(err)}`);
            }
            // Deliberately not interruptible: the pool must come back.
            if (attempt < attempts) await sleepFor(this.runtime.restorePauseMs ?? 2000);
        }
        this.problem(
            `POOL ${pool.name} (${pool.id}) IS STILL DISABLED: re-enable it now in the dashboard (Traffic → Load Balancing → Pools) or with ` +
                enablePoolCommand(this.options.plan.config.cloudflare.accountId, pool.id),
        );
        return { at, restored: false };
    }

    /** Stops the load; every sample, or undefined when it never started. */
    private async stopLoad(): Promise<readonly Sample[] | undefined> {
        if (!this.load) return undefined;
        this.load.stop();
        const { samples } = await this.load.done;
        this.event(`load stopped after ${samples.length} requests`);
        return samples;
    }

    /** Polls the restored pool's health until healthy or the wait is over; null when it never answers. */
    private async waitHealthy(pool: PoolInfo): Promise<PoolHealth | null> {
        const until = Date.now() + this.options.restoreWaitS * 1000;
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
            await sleepFor(Math.min(this.runtime.healthPollMs ?? 5000, Math.max(1, until - Date.now())));
        }
        this.problem(
            `pool ${pool.name} is enabled but did not report healthy within ${this.options.restoreWaitS} s; watch it in the dashboard`,
        );
        return last;
    }

    /** An API call; a failure is a PoolError saying what was being done. */
    private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
        try {
            return await fn();
        } catch (err) {
            if (err instanceof PoolError) throw err;
            throw new PoolError(`${what} failed: ${describeApiError(err)}`);
        }
    }
}

/** The curl that re-enables a pool (the operator's, when the drill cannot or must not). */
function enablePoolCommand(accountId: string, poolId: string): string {
    return (
        `curl -X PATCH https://api.cloudflare.com/client/v4/accounts/${accountId}/load_balancers/pools/${poolId} ` +
        `-H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" -H "Content-Type: application/json" --data '{"enabled":true}'`
    );
}

/** The pool is out and the drill puts it back: not when the plan may have moved the writer away. */
function poolComesBack(steps: StepResults): boolean {
    return poolIsOut(steps) && steps.arc?.poolLeftDisabled !== true;
}

/** The plan run ended the drill early; it has already said why. */
class PlanStopped extends Error {}

function refuseDisabled(pool: PoolInfo): void {
    if (!pool.enabled)
        throw new PoolError(
            `pool ${pool.name} is already disabled: someone took it out; the drill will not touch it (it would re-enable it at the end)`,
        );
}

function refuseUnhealthy(pool: PoolInfo, health: PoolHealth): void {
    if (health.healthy === false)
        throw new PoolError(`pool ${pool.name} is unhealthy before the drill: its traffic is already failing over; fix it first`);
}

/** The problem an error (or Ctrl-C) that ended the steps early is reported as. */
function failureProblem(err: unknown, steps: StepResults): string {
    const then = poolComesBack(steps) ? "restoring the pool" : poolIsOut(steps) ? "the pool stays out (the plan's report says why)" : "";
    if (err instanceof Aborted) return then === "" ? "interrupted before the pool was touched" : `interrupted: ${then}`;
    return `${describeApiError(err)}${then === "" ? "" : `; ${then}`}`;
}

function mostCommon(values: readonly (string | undefined)[]): string | null {
    const counts = new Map<string, number>();
    for (const value of values) if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
    let best: string | null = null;
    for (const [value, count] of counts) if (best === null || count > counts.get(best)!) best = value;
    return best;
}
