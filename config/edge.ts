/**
 * `platform:edge`: the Cloudflare edge settings (CDN cache rules, rate limiting, session
 * affinity, health alerts). Every key is optional; the defaults below are the production
 * choice and are documented in docs/edge.md.
 */
import { type Reader, show } from "./problems";

/** Periods (seconds) a Cloudflare rate-limiting rule accepts (`period`). */
export const RATE_LIMIT_PERIODS = [10, 60, 120, 300, 600, 3600] as const;
/** Durations (seconds) a Cloudflare rate-limiting rule accepts (`mitigation_timeout`). */
export const MITIGATION_TIMEOUTS = [0, 10, 60, 120, 300, 600, 3600, 86400] as const;
/** Rate-limit actions this program allows (API strings). */
export const RATE_LIMIT_ACTIONS = ["block", "managed_challenge"] as const;
export type RateLimitAction = (typeof RATE_LIMIT_ACTIONS)[number];

/** The cookie Cloudflare's load balancer uses for session affinity; the app must not reuse it. */
export const AFFINITY_COOKIE = "__cflb";

export interface RateLimitConfig {
    /** Requests one client (IP, per Cloudflare data centre) may make per period. @default 600 */
    readonly requestsPerPeriod: number;
    /** Counting window, seconds; one of RATE_LIMIT_PERIODS. @default 60 */
    readonly period: number;
    /** How long the action applies once triggered, seconds; one of MITIGATION_TIMEOUTS. @default 60 */
    readonly mitigationTimeout: number;
    /** `block` answers 429 (API clients cannot solve a challenge). @default "block" */
    readonly action: RateLimitAction;
}

export interface EdgeConfig {
    /** Path prefix of the API: rate limited. Starts and ends with "/". @default "/v1/" */
    readonly apiPath: string;
    /**
     * API GET routes whose responses are the same for every user and may be cached briefly at
     * the edge. Each matches itself and everything below it. @default ["/v1/catalog", "/v1/config"]
     */
    readonly cacheableApiRoutes: readonly string[];
    /** Edge TTL of cacheable API responses, seconds (short: data changes). @default 30 */
    readonly apiEdgeTtl: number;
    /** Path prefix of static assets. Starts and ends with "/". @default "/static/" */
    readonly staticPathPrefix: string;
    /** File extensions cached as static assets anywhere on the host. */
    readonly staticExtensions: readonly string[];
    /** Edge TTL of static assets, seconds (assets are fingerprinted). @default 2592000 (30 days) */
    readonly staticEdgeTtl: number;
    /** The app's session cookie: a request carrying it is never served from cache. @default "session" */
    readonly sessionCookie: string;
    /** Lifetime of the load balancer's affinity cookie, seconds (1800–604800). @default 3600 */
    readonly sessionAffinityTtl: number;
    /**
     * Smart Tiered Cache: misses go through one upper tier near the origin. Cloudflare
     * documents it as incompatible with zero-downtime failover, which the load balancer
     * uses. @default false
     */
    readonly tieredCache: boolean;
    readonly rateLimit: RateLimitConfig;
    /** Email that receives pool and origin health alerts. Optional. */
    readonly alertEmail?: string;
    /** Id of a Cloudflare notification webhook (32 hex) that receives the same alerts. Optional. */
    readonly alertWebhookId?: string;
}

export const EDGE_DEFAULTS = {
    apiPath: "/v1/",
    cacheableApiRoutes: ["/v1/catalog", "/v1/config"],
    apiEdgeTtl: 30,
    staticPathPrefix: "/static/",
    staticExtensions: ["css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "woff", "woff2", "ttf"],
    staticEdgeTtl: 2592000,
    sessionCookie: "session",
    sessionAffinityTtl: 3600,
    // Off: Cloudflare documents zero-downtime failover (which the load balancer uses) as
    // incompatible with Tiered Cache; the API's traffic is mostly dynamic anyway.
    tieredCache: false,
    rateLimit: { requestsPerPeriod: 600, period: 60, mitigationTimeout: 60, action: "block" },
} as const satisfies Omit<EdgeConfig, "alertEmail" | "alertWebhookId">;

const EDGE_KEYS = [
    "apiPath",
    "cacheableApiRoutes",
    "apiEdgeTtl",
    "staticPathPrefix",
    "staticExtensions",
    "staticEdgeTtl",
    "sessionCookie",
    "sessionAffinityTtl",
    "tieredCache",
    "rateLimit",
    "alertEmail",
    "alertWebhookId",
] as const;
const RATE_LIMIT_KEYS = ["requestsPerPeriod", "period", "mitigationTimeout", "action"] as const;

/** "/a/b/" — a path prefix. */
const PATH_PREFIX = /^\/([A-Za-z0-9._~-]+\/)*$/;
/** "/a/b" — a route without a trailing slash. */
const ROUTE = /^(\/[A-Za-z0-9._~-]+)+$/;
const EXTENSION = /^[a-z0-9]{1,10}$/;
/** An HTTP cookie name (RFC 6265 token). */
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const HEX32 = /^[0-9a-f]{32}$/;

/** Reads and validates `platform:edge`; problems go to the root reader's list. */
export function parseEdge(root: Reader): EdgeConfig {
    const edge = root.object("edge");
    edge.noUnknownKeys(EDGE_KEYS);
    const d = EDGE_DEFAULTS;

    const apiPath = edge.string("apiPath", {
        default: d.apiPath,
        pattern: PATH_PREFIX,
        allowed: 'a path prefix that starts and ends with "/", e.g. "/v1/"',
    });
    const cacheableApiRoutes = edge.strings("cacheableApiRoutes", {
        default: d.cacheableApiRoutes,
        pattern: ROUTE,
        allowed: 'a route such as "/v1/catalog" (absolute, no trailing "/")',
    });
    cacheableApiRoutes.forEach((route, i) => {
        const at = `${edge.at("cacheableApiRoutes")}[${i}]`;
        if (ROUTE.test(route) && PATH_PREFIX.test(apiPath) && !`${route}/`.startsWith(apiPath)) {
            edge.report(
                at,
                `${show(route)} is outside the API path ${show(apiPath)}; list API routes only (static assets have their own rule)`,
            );
        }
        const first = cacheableApiRoutes.indexOf(route);
        if (first !== i) edge.report(at, `${show(route)} is listed twice (also at [${first}]); remove one`);
    });
    const apiEdgeTtl = edge.integer("apiEdgeTtl", { min: 1, max: 3600, default: d.apiEdgeTtl });
    const staticPathPrefix = edge.string("staticPathPrefix", {
        default: d.staticPathPrefix,
        pattern: PATH_PREFIX,
        allowed: 'a path prefix that starts and ends with "/", e.g. "/static/"',
    });
    const staticExtensions = edge.strings("staticExtensions", {
        default: d.staticExtensions,
        pattern: EXTENSION,
        allowed: 'a lower-case file extension without the dot, e.g. "css"',
        minItems: 1,
    });
    const staticEdgeTtl = edge.integer("staticEdgeTtl", { min: 3600, max: 31536000, default: d.staticEdgeTtl });
    const sessionCookie = edge.string("sessionCookie", {
        default: d.sessionCookie,
        pattern: COOKIE_NAME,
        allowed: "a cookie name (letters, digits and !#$%&'*+-.^_`|~)",
    });
    if (sessionCookie === AFFINITY_COOKIE) {
        edge.report(
            edge.at("sessionCookie"),
            `${show(sessionCookie)} is the load balancer's own affinity cookie, present on every request; name the app's session cookie`,
        );
    }
    const sessionAffinityTtl = edge.integer("sessionAffinityTtl", { min: 1800, max: 604800, default: d.sessionAffinityTtl });
    const tieredCache = edge.boolean("tieredCache", d.tieredCache);

    const rl = edge.object("rateLimit");
    rl.noUnknownKeys(RATE_LIMIT_KEYS);
    const requestsPerPeriod = rl.integer("requestsPerPeriod", { min: 1, max: 1000000, default: d.rateLimit.requestsPerPeriod });
    const period = oneOf(rl, "period", RATE_LIMIT_PERIODS, d.rateLimit.period, "seconds");
    const mitigationTimeout = oneOf(rl, "mitigationTimeout", MITIGATION_TIMEOUTS, d.rateLimit.mitigationTimeout, "seconds");
    const action = oneOf(rl, "action", RATE_LIMIT_ACTIONS, d.rateLimit.action, "");
    if (action === "managed_challenge" && mitigationTimeout !== 0) {
        rl.report(
            rl.at("mitigationTimeout"),
            `${mitigationTimeout} cannot be used with action "managed_challenge": outside Enterprise plans a challenge only throttles; set mitigationTimeout: 0 or use action "block"`,
        );
    }

    const alertEmail = edge.optionalString("alertEmail", { pattern: EMAIL, allowed: "an email address such as oncall@example.com" });
    const alertWebhookId = edge.optionalString("alertWebhookId", {
        pattern: HEX32,
        allowed: "a Cloudflare notification webhook id: 32 lower-case hex characters",
    });

    return {
        apiPath,
        cacheableApiRoutes,
        apiEdgeTtl,
        staticPathPrefix,
        staticExtensions,
        staticEdgeTtl,
        sessionCookie,
        sessionAffinityTtl,
        tieredCache,
        rateLimit: { requestsPerPeriod, period, mitigationTimeout, action },
        ...(alertEmail !== undefined ? { alertEmail } : {}),
        ...(alertWebhookId !== undefined ? { alertWebhookId } : {}),
    };
}

/** A value from a closed list (numbers or strings); reports the allowed values otherwise. */
function oneOf<T extends string | number>(reader: Reader, key: string, allowed: readonly T[], fallback: T, unit: string): T {
    const value = reader.value[key];
    if (value === undefined) return fallback;
    if (!(allowed as readonly unknown[]).includes(value)) {
        const list = allowed.map((a) => (typeof a === "string" ? `"${a}"` : String(a))).join(", ");
        reader.report(reader.at(key), `${show(value)} is not accepted by Cloudflare; use one of ${list}${unit ? ` (${unit})` : ""}`);
        return fallback;
    }
    return value as T;
}
