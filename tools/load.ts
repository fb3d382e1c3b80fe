/**
 * The load engine: N users of a scenario against the API, on undici (Node's own HTTP client
 * library) through its public API only: `Client` (one keep-alive connection) and `Pool`
 * (connections opened as needed), `request()` with an AbortSignal.
 *
 * Two load models (docs/qa.md):
 * - **closed** (default): each user is one keep-alive connection that picks a request of the
 *   scenario by weight, thinks, sends it, waits for the answer, and repeats, like real users: a
 *   slow API slows its users down instead of queueing requests without end. Latency runs from the
 *   send to the end of the answer. A stall therefore also lowers the request count: a closed
 *   generator under-reports a stall's tail (coordinated omission).
 * - **open**: requests arrive at a target rate (a Poisson process; by default the rate Little's law
 *   gives for the users and the scenario's mean think time), whatever the API does, over a pool of
 *   up to `users` connections. Latency and the timeout run from each request's *scheduled* send
 *   time, so time spent queued behind a stall (or behind a late timer of the generator itself)
 *   counts: coordinated omission cannot hide it.
 *
 * Figures go into HDR histograms per route class (tools/stats.ts); every sample is kept only with
 * `keepSamples` (the drill reads the event stream).
 */
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import { Client, type Dispatcher, Pool } from "undici";
import { type Scenario, type ScenarioStep, drawThink, meanThinkMs, pickStep } from "./scenario";
import { Figures, type Sample, type Summary, Tally } from "./stats";

export type LoadModel = { readonly kind: "closed" } | { readonly kind: "open"; readonly ratePerSecond: number };

export const CLOSED: LoadModel = { kind: "closed" };

export interface LoadOptions {
    /** http(s)://host[:port][/base-path]; scenario paths are appended to the base path. */
    readonly target: string;
    /** Concurrent users: closed, one keep-alive connection each; open, the most connections the pool opens. */
    readonly users: number;
    readonly scenario: Scenario;
    /** The run stops after this many seconds (fractions allowed). */
    readonly durationS: number;
    /** ... or after this many requests in all, whichever first; at least `users`. */
    readonly maxRequests: number;
    /** @default CLOSED */
    readonly model?: LoadModel;
    /**
     * Seconds at the start left out of the figures: connection and TLS set-up, cold caches and
     * JIT would otherwise sit in the tail being measured. Below `durationS`. @default 0
     */
    readonly warmupS?: number;
    /** Seconds without a full answer before a request counts as a timeout; at least 1. @default 10 */
    readonly timeoutS?: number;
    /** Response header naming the region that served the request (lower-case), recorded per sample. */
    readonly regionHeader?: string;
    /** Keep every sample in `samples` (the drill's event stream); else only the histograms. @default false */
    readonly keepSamples?: boolean;
    /**
     * Cookies each user keeps from the answers' Set-Cookie and sends back, as a browser does:
     * the drill keeps Cloudflare's affinity cookie (`__cflb`), so that its users are pinned to a
     * pool like real sessions. Closed model only (the open model's arrivals are not sessions).
     * @default none (cookie-less users)
     */
    readonly keepCookies?: readonly string[];
    /** Called about once a second with the last second's figures. */
    readonly onProgress?: (progress: Progress) => void;
    /** Ends the run early, like `stop()` (Ctrl-C). */
    readonly signal?: AbortSignal;
    /** Random source in [0, 1) for the request mix, think times and arrivals. @default Math.random */
    readonly random?: () => number;
}

export interface Progress {
    readonly elapsedS: number;
    readonly requests: number;
    readonly lastSecond: Summary;
}

export interface LoadResult {
    /** Every sample, warm-up included, with `keepSamples`; else empty. */
    readonly samples: readonly Sample[];
    /** Wall-clock length of the measured part of the run (after the warm-up), in seconds. */
    readonly seconds: number;
    /** The measured part only, every route class together. */
    readonly summary: Summary;
    /** The measured part by route class. */
    readonly figures: Figures;
    readonly model: LoadModel;
}

export interface LoadRun {
    /** Samples so far (grows while the run goes on), with `keepSamples`. */
    readonly samples: readonly Sample[];
    /** Milliseconds since the run started: the clock of `Sample.at`. */
    elapsedMs(): number;
    /** Ends the run early; `done` then resolves with what was measured. */
    stop(): void;
    readonly done: Promise<LoadResult>;
}

export class LoadError extends Error {}

/** The open model's rate by Little's law (users = rate × (think + latency)), latency taken as 0: a slight overestimate. */
export function littlesLawRate(users: number, scenario: Scenario): number {
    const thinkS = meanThinkMs(scenario) / 1000;
    if (!(thinkS > 0)) throw new LoadError(`scenario ${scenario.name} has no think time: give the open model its rate`);
    return users / thinkS;
}

interface Built {
    readonly step: ScenarioStep;
    readonly options: Dispatcher.RequestOptions;
}

/** Validates the options; the request of each step. */
function prepare(options: LoadOptions): { url: URL; built: Map<ScenarioStep, Built>; warmupMs: number; timeoutMs: number } {
    const { users } = options;
    if (!Number.isInteger(users) || users < 1) throw new LoadError(`users ${users} must be a whole number ≥ 1`);
    if (!(options.durationS > 0)) throw new LoadError(`duration ${options.durationS} s must be above 0`);
    const warmupMs = (options.warmupS ?? 0) * 1000;
    if (!(warmupMs >= 0 && warmupMs < options.durationS * 1000))
        throw new LoadError(`warm-up ${options.warmupS} s must be from 0 to below the duration (${options.durationS} s)`);
    if (!Number.isInteger(options.maxRequests) || options.maxRequests < users)
        throw new LoadError(`max requests ${options.maxRequests} must be a whole number ≥ the user count (${users})`);
    const timeoutS = options.timeoutS ?? 10;
    if (!(timeoutS >= 1)) throw new LoadError(`timeout ${timeoutS} s must be at least 1 s`);
    const model = options.model ?? CLOSED;
    if (model.kind === "open" && !(model.ratePerSecond > 0 && Number.isFinite(model.ratePerSecond)))
        throw new LoadError(`open-model rate ${model.ratePerSecond} requests/s must be above 0`);
    if (model.kind === "open" && (options.keepCookies?.length ?? 0) > 0)
        throw new LoadError("kept cookies need sessions: the open model's arrivals are not users; use the closed model");
    const url = new URL(options.target);
    const base = url.pathname.replace(/\/+$/, "");
    const built = new Map<ScenarioStep, Built>(
        options.scenario.steps.map((step) => [
            step,
            {
                step,
                options: {
                    method: step.method,
                    path: `${base}${step.path}`,
                    headers: { ...step.headers },
                    ...(step.body === undefined ? {} : { body: step.body }),
                },
            },
        ]),
    );
    return { url, built, warmupMs, timeoutMs: timeoutS * 1000 };
}

export function startLoad(options: LoadOptions): LoadRun {
    const { url, built, warmupMs, timeoutMs } = prepare(options);
    const { scenario, users } = options;
    const model = options.model ?? CLOSED;
    const random = options.random ?? Math.random;
    const regionHeader = options.regionHeader?.toLowerCase();

    const samples: Sample[] = [];
    const measured = new Figures();
    const lastSecond = new Tally();
    let requests = 0;
    const t0 = performance.now();
    const elapsedMs = () => performance.now() - t0;
    let finished = false;
    let claimed = 0;
    /** Takes one request of the cap; false once the cap is used up. */
    const claim = () => claimed < options.maxRequests && ++claimed > 0;
    const inFlight = new Set<AbortController>();
    const sleeping = new Map<NodeJS.Timeout, () => void>();
    const dispatchers: Dispatcher[] = [];
    // The request timeout bounds connecting too; TLS certificates are verified (undici's default).
    const dispatcherOptions = { pipelining: 1, connect: { timeout: timeoutMs } };

    const record = (step: ScenarioStep, outcome: Omit<Sample, "at" | "routeClass">) => {
        if (finished) return;
        const at = elapsedMs();
        requests++;
        lastSecond.record(outcome);
        if (at >= warmupMs) measured.record(step.routeClass, outcome);
        if (options.keepSamples) samples.push({ at, ...outcome, routeClass: step.routeClass });
    };

    const keep = new Set((options.keepCookies ?? []).map((c) => c.toLowerCase()));

    /**
     * Sends one request; latency and timeout run from `from` (performance.now() clock). Never throws.
     * With a `jar` (a closed user's), it sends the kept cookies and keeps those the answer sets.
     */
    const send = async (
        dispatcher: Dispatcher,
        { step, options: built }: Built,
        from: number,
        jar?: Map<string, string>,
    ): Promise<void> => {
        const request =
            jar === undefined || jar.size === 0
                ? built
                : { ...built, headers: { ...(built.headers as Record<string, string>), cookie: cookieHeader(jar) } };
        const controller = new AbortController();
        let timedOut = false;
        const timer = setTimeout(
            () => {
                timedOut = true;
                controller.abort();
            },
            Math.max(0, from + timeoutMs - performance.now()),
        );
        inFlight.add(controller);
        try {
            const response = await dispatcher.request({ ...request, signal: controller.signal });
            // The latency ends with the last byte of the answer; the body is read and dropped.
            for await (const _chunk of response.body);
            const latencyMs = performance.now() - from;
            if (jar !== undefined && keep.size > 0) keptCookies(response.headers["set-cookie"], keep, jar);
            const served = regionHeader === undefined ? undefined : response.headers[regionHeader];
            record(step, { latencyMs, status: response.statusCode, region: Array.isArray(served) ? served[0] : served });
        } catch {
            // After stop() an aborted request is not an outcome.
            if (!finished) record(step, { status: 0, failure: timedOut ? "timeout" : "socket" });
        } finally {
            clearTimeout(timer);
            inFlight.delete(controller);
        }
    };

    /** Waits `ms` (0 still yields); stop() ends every wait at once. */
    const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
                sleeping.delete(timer);
                resolve();
            }, ms);
            sleeping.set(timer, resolve);
        });

    const closedUser = async () => {
        const client = new Client(url.origin, dispatcherOptions);
        dispatchers.push(client);
        const jar = new Map<string, string>();
        while (!finished) {
            const step = pickStep(scenario, random);
            await sleep(drawThink(step.thinkMs, random));
            if (finished || !claim()) return;
            await send(client, built.get(step)!, performance.now(), jar);
        }
    };

    /** Arrivals at `ratePerSecond`, each sent when due whatever is still in flight; resolves when the last one settled. */
    const openArrivals = async (ratePerSecond: number) => {
        const pool = new Pool(url.origin, { ...dispatcherOptions, connections: users });
        dispatchers.push(pool);
        const pending = new Set<Promise<void>>();
        const gapMs = () => (-Math.log(1 - random()) * 1000) / ratePerSecond;
        let due = performance.now() + gapMs();
        while (!finished) {
            await sleep(Math.max(0, due - performance.now()));
            // A late timer sends every request that fell due meanwhile, each timed from when it was due.
            while (!finished && due <= performance.now()) {
                if (!claim()) {
                    await Promise.all(pending);
                    return;
                }
                const sent = send(pool, built.get(pickStep(scenario, random))!, due);
                pending.add(sent);
                void sent.finally(() => pending.delete(sent));
                due += gapMs();
            }
        }
        await Promise.all(pending);
    };

    let resolveStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
    const stop = () => {
        if (finished) return;
        finished = true;
        for (const [timer, wake] of sleeping) {
            clearTimeout(timer);
            wake();
        }
        sleeping.clear();
        for (const controller of inFlight) controller.abort();
        resolveStopped();
    };

    const stopTimer = setTimeout(stop, options.durationS * 1000);
    if (options.signal) {
        if (options.signal.aborted) stop();
        else options.signal.addEventListener("abort", stop, { once: true });
    }
    let progressTimer: NodeJS.Timeout | undefined;
    if (options.onProgress) {
        const onProgress = options.onProgress;
        let from = 0;
        progressTimer = setInterval(() => {
            const to = elapsedMs();
            onProgress({ elapsedS: to / 1000, requests, lastSecond: lastSecond.summary((to - from) / 1000) });
            lastSecond.reset();
            from = to;
        }, 1000);
        progressTimer.unref();
    }

    const load = model.kind === "open" ? openArrivals(model.ratePerSecond) : Promise.all(Array.from({ length: users }, () => closedUser()));
    // The run ends at the duration, at stop(), or once the request cap is used up and answered.
    const done = Promise.race([load, stopped]).then(async () => {
        const end = elapsedMs();
        stop();
        clearTimeout(stopTimer);
        if (progressTimer) clearInterval(progressTimer);
        await Promise.all(dispatchers.map((d) => d.destroy().catch(() => undefined)));
        const seconds = (end - warmupMs) / 1000;
        return { samples, seconds, summary: measured.total().summary(seconds), figures: measured, model };
    });
    return { samples, elapsedMs, stop, done };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
    return startLoad(options).done;
}

/** Stores in `jar` each kept cookie (names lower-case in `keep`) that an answer's Set-Cookie values set. */
export function keptCookies(setCookie: string | readonly string[] | undefined, keep: ReadonlySet<string>, jar: Map<string, string>): void {
    for (const value of typeof setCookie === "string" ? [setCookie] : (setCookie ?? [])) {
        const [pair] = value.split(";");
        const eq = pair.indexOf("=");
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        if (keep.has(name.toLowerCase())) jar.set(name, pair.slice(eq + 1).trim());
    }
}

/** The Cookie header of a jar (RFC 6265 §5.4: `name=value` pairs joined by "; "). */
export function cookieHeader(jar: ReadonlyMap<string, string>): string {
    return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/**
 * Checks that the target accepts TCP connections, so that an unreachable one gets one clear
 * line instead of a run full of socket errors.
 */
export function checkReachable(target: string, timeoutMs = 5000): Promise<void> {
    const url = new URL(target);
    // URL leaves `port` empty for the scheme's default.
    const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        const fail = (why: string) => {
            socket.destroy();
            reject(new LoadError(`target ${url.origin} is unreachable: ${why}`));
        };
        socket.setTimeout(timeoutMs, () => fail(`no TCP connection within ${timeoutMs} ms`));
        socket.once("error", (err: NodeJS.ErrnoException) =>
            fail(err.code === "ENOTFOUND" ? `${host} does not resolve (ENOTFOUND)` : err.message),
        );
        socket.once("connect", () => {
            socket.destroy();
            resolve();
        });
    });
}
