/**
 * The load engine: N extension users on autocannon, each a keep-alive connection that picks
 * a request of the scenario by weight, thinks, sends it, waits for the answer, and repeats
 * (a closed system, like real users: a slow API slows its users down instead of queueing
 * requests without end).
 *
 * Why not autocannon's own pacing: `connectionRate` / `overallRate` are integer quotas per
 * second refilled by a 1 s interval. A connection cannot go below 1 request/s (an extension
 * user thinks for seconds), and every connection spends its quota back-to-back at the start
 * of each second, all in step: synchronised bursts that inflate the p99 being measured, with
 * no randomness. Driving a separate autocannon run per user step would pay a new connection
 * and histogram per request. So each user's connection keeps autocannon's HTTP client,
 * parser and counters, and only the moment of its next request is delayed: `setupClient`
 * wraps the client's `_doRequest` (called by autocannon after every response and on
 * connect) with the think-time timer, and `setRequests` loads the request picked for that
 * step. `_doRequest`, `timeoutTicker` and `pipelinedRequests` are internals of autocannon
 * 9.0.0 (pinned exactly);
 * the tests measure the request count of a thinking user, so an upgrade that changes them
 * fails loudly.
 */
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { type Scenario, type ScenarioStep, drawThink, pickStep } from "./scenario";
import { type Sample, type Summary, summarise } from "./stats";

export interface LoadOptions {
    /** http(s)://host[:port][/base-path]; scenario paths are appended to the base path. */
    readonly target: string;
    /** Concurrent users = keep-alive connections. */
    readonly users: number;
    readonly scenario: Scenario;
    /** The run stops after this many seconds (fractions allowed). */
    readonly durationS: number;
    /** ... or after this many requests in all, whichever first; at least `users`. */
    readonly maxRequests: number;
    /**
     * Seconds at the start left out of the summary: connection and TLS set-up, cold caches and
     * JIT would otherwise sit in the tail being measured. Below `durationS`. @default 0
     */
    readonly warmupS?: number;
    /** Seconds without an answer before a request counts as a timeout; at least 1. @default 10 */
    readonly timeoutS?: number;
    /** Response header naming the region that served the request (lower-case), recorded per sample. */
    readonly regionHeader?: string;
    /**
     * Cookies each user keeps from the answers' Set-Cookie and sends back, as a browser does:
     * the drill keeps Cloudflare's affinity cookie (`__cflb`), so that its users are pinned to a
     * pool like real sessions. @default none (cookie-less users)
     */
    readonly keepCookies?: readonly string[];
    /** Called about once a second with the last second's figures. */
    readonly onProgress?: (progress: Progress) => void;
    /** Ends the run early, like `stop()` (Ctrl-C). */
    readonly signal?: AbortSignal;
    /** Random source in [0, 1) for the request mix and think times. @default Math.random */
    readonly random?: () => number;
}

export interface Progress {
    readonly elapsedS: number;
    readonly requests: number;
    readonly lastSecond: Summary;
}

export interface LoadResult {
    /** Every sample, warm-up included. */
    readonly samples: readonly Sample[];
    /** Wall-clock length of the measured part of the run (after the warm-up), in seconds. */
    readonly seconds: number;
    /** The measured part only. */
    readonly summary: Summary;
}

export interface LoadRun {
    /** Samples so far (grows while the run goes on). */
    readonly samples: readonly Sample[];
    /** Milliseconds since the run started: the clock of `Sample.at`. */
    elapsedMs(): number;
    /** Ends the run early; `done` then resolves with what was measured. */
    stop(): void;
    readonly done: Promise<LoadResult>;
}

/** The parts of autocannon's per-connection client the engine uses. */
interface EngineClient {
    _doRequest(): void;
    destroyed: boolean;
    timeoutTicker: { reschedule(ms: number): void };
    pipelinedRequests: { clear(): void };
    setRequests(requests: autocannon.Request[]): void;
    on(event: "headers", listener: (info: { headers?: unknown }) => void): unknown;
    on(event: "response" | "timeout" | "connError", listener: () => void): unknown;
}

/** Guards memory: socket errors in a reconnect loop are not bounded by the request count. */
const SAMPLE_CAP_FACTOR = 2;

export class LoadError extends Error {}

export function startLoad(options: LoadOptions): LoadRun {
    const { scenario, users } = options;
    if (!Number.isInteger(users) || users < 1) throw new LoadError(`users ${users} must be a whole number ≥ 1`);
    if (!(options.durationS > 0)) throw new LoadError(`duration ${options.durationS} s must be above 0`);
    const warmupMs = (options.warmupS ?? 0) * 1000;
    if (!(warmupMs >= 0 && warmupMs < options.durationS * 1000))
        throw new LoadError(`warm-up ${options.warmupS} s must be from 0 to below the duration (${options.durationS} s)`);
    if (!Number.isInteger(options.maxRequests) || options.maxRequests < users) {
        // autocannon splits the cap over the connections; a connection given 0 runs unbounded.
        throw new LoadError(`max requests ${options.maxRequests} must be a whole number ≥ the user count (${users})`);
    }
    const url = new URL(options.target);
    const base = url.pathname.replace(/\/+$/, "");
    const random = options.random ?? Math.random;
    const timeoutS = options.timeoutS ?? 10;
    // autocannon's own floor.
    if (!(timeoutS >= 1)) throw new LoadError(`timeout ${timeoutS} s must be at least 1 s`);
    const regionHeader = options.regionHeader?.toLowerCase();
    const built = new Map<ScenarioStep, autocannon.Request>(
        scenario.steps.map((s) => [
            s,
            { method: s.method, path: `${base}${s.path}`, headers: { ...s.headers }, ...(s.body === undefined ? {} : { body: s.body }) },
        ]),
    );

    const samples: Sample[] = [];
    const t0 = performance.now();
    const elapsedMs = () => performance.now() - t0;
    const timers = new Set<NodeJS.Timeout>();
    const lastRegion = new WeakMap<object, string>();
    let finished = false;

    const keep = new Set((options.keepCookies ?? []).map((c) => c.toLowerCase()));
    const setupClient = (client: EngineClient) => {
        const send = client._doRequest.bind(client);
        const jar = new Map<string, string>();
        let thinking: NodeJS.Timeout | undefined;
        let inFlight = false;
        let counted = false;
        client.on("response", () => (inFlight = false));
        // autocannon counts these itself (they reach us as "reqError").
        client.on("timeout", () => (counted = true));
        client.on("connError", () => (counted = true));
        client._doRequest = () => {
            if (inFlight) {
                // Called by a reconnect while a request was out: that request is lost. autocannon
                // counts a timeout or a socket error, but not a connection the server closed
                // mid-request, and keeps the lost request queued, so that the next answer would be
                // timed from it (think time included).
                inFlight = false;
                client.pipelinedRequests.clear();
                setImmediate(() => {
                    if (!counted && !finished) record({ at: elapsedMs(), status: 0, failure: "socket" });
                });
            }
            // A reconnect while the user thinks would otherwise start a second request.
            if (thinking !== undefined || client.destroyed || finished) return;
            const step = pickStep(scenario, random);
            const wait = drawThink(step.thinkMs, random);
            const request = built.get(step)!;
            client.setRequests([jar.size === 0 ? request : { ...request, headers: { ...request.headers, cookie: cookieHeader(jar) } }]);
            // autocannon's timeout runs from the last request sent: keep it from firing while thinking.
            client.timeoutTicker.reschedule(wait + timeoutS * 1000);
            // A zero think time still yields to the event loop (no recursion through autocannon).
            const timer = setTimeout(() => {
                timers.delete(timer);
                thinking = undefined;
                if (client.destroyed || finished) return;
                inFlight = true;
                counted = false;
                send();
            }, wait);
            thinking = timer;
            timers.add(timer);
        };
        if (keep.size > 0) client.on("headers", (info) => keptCookies(info.headers, keep, jar));
        if (regionHeader !== undefined) {
            client.on("headers", (info) => {
                const value = headerValue(info.headers, regionHeader);
                if (value === undefined) lastRegion.delete(client);
                else lastRegion.set(client, value);
            });
        }
    };

    const sampleCap = options.maxRequests * SAMPLE_CAP_FACTOR;
    let instance: autocannon.Instance | undefined;
    // Also reached after autocannon refused its options (then `instance` is no instance).
    const stop = () => {
        if (!finished && typeof instance?.stop === "function") instance.stop();
    };
    const record = (sample: Sample) => {
        samples.push(sample);
        if (samples.length >= sampleCap) stop();
    };

    // eslint-disable-next-line prefer-const -- assigned once the load starts, read by finish() before that
    let stopTimer: NodeJS.Timeout | undefined;
    let progressTimer: NodeJS.Timeout | undefined;
    const done = new Promise<LoadResult>((resolve, reject) => {
        const finish = (err: unknown) => {
            finished = true;
            for (const t of timers) clearTimeout(t);
            timers.clear();
            if (stopTimer) clearTimeout(stopTimer);
            if (progressTimer) clearInterval(progressTimer);
            if (err) {
                reject(err instanceof Error ? err : new Error(String(err)));
                return;
            }
            const seconds = (elapsedMs() - warmupMs) / 1000;
            resolve({ samples, seconds, summary: summarise(samples, seconds, warmupMs) });
        };
        instance = autocannon(
            {
                url: url.origin,
                connections: users,
                // Stopped by our own timer below; this is only the outer bound.
                duration: Math.ceil(options.durationS) + 1,
                maxOverallRequests: options.maxRequests,
                timeout: timeoutS,
                // The stop flag is checked once per sample: a short one ends a run promptly.
                sampleInt: 100,
                setupClient: setupClient as unknown as (client: autocannon.Client) => void,
                requests: [built.get(scenario.steps[0])!],
            },
            (err: unknown) => finish(err),
        );
        instance.on("response", (client: object, statusCode: number, _bytes: number, responseTime: number) => {
            record({ at: elapsedMs(), latencyMs: responseTime, status: statusCode, region: lastRegion.get(client) });
        });
        instance.on("reqError", (err: Error) => {
            record({ at: elapsedMs(), status: 0, failure: err?.message === "request timed out" ? "timeout" : "socket" });
        });
    });

    stopTimer = setTimeout(stop, options.durationS * 1000);
    if (options.signal) {
        if (options.signal.aborted) stop();
        else options.signal.addEventListener("abort", stop, { once: true });
    }
    if (options.onProgress) {
        const onProgress = options.onProgress;
        let from = 0;
        let seen = 0;
        progressTimer = setInterval(() => {
            const to = elapsedMs();
            // Samples arrive in time order: only the last second's tail is read.
            const recent = samples.slice(seen);
            seen = samples.length;
            onProgress({ elapsedS: to / 1000, requests: samples.length, lastSecond: summarise(recent, (to - from) / 1000) });
            from = to;
        }, 1000);
        progressTimer.unref();
    }

    return { samples, elapsedMs, stop, done };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
    return startLoad(options).done;
}

/** Header value from http-parser's flat [name, value, name, value, …] list. */
/** Stores in `jar` each kept cookie an answer sets (raw headers: name, value, name, value…). */
export function keptCookies(raw: unknown, keep: ReadonlySet<string>, jar: Map<string, string>): void {
    if (!Array.isArray(raw)) return;
    for (let i = 0; i + 1 < raw.length; i += 2) {
        if (String(raw[i]).toLowerCase() !== "set-cookie") continue;
        const [pair] = String(raw[i + 1]).split(";");
        const eq = pair.indexOf("=");
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        if (keep.has(name.toLowerCase())) jar.set(name, pair.slice(eq + 1).trim());
    }
}

export function cookieHeader(jar: ReadonlyMap<string, string>): string {
    return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

function headerValue(raw: unknown, name: string): string | undefined {
    if (!Array.isArray(raw)) return undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
        if (String(raw[i]).toLowerCase() === name) return String(raw[i + 1]);
    }
    return undefined;
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
