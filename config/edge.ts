/**
 * `platform:edge`: the Cloudflare edge settings (CDN cache rules, rate limiting, session
 * affinity, health alerts). Every key is optional; the defaults are the production choice
 * (their table: docs/edge.md).
 */
import { type z } from "zod";
import { show } from "./problems";
import { type Immutable, checked, defaulted, flag, hex32, integer, list, oneOf, settings, text } from "./schema";

/** Periods (seconds) a Cloudflare rate-limiting rule accepts (`period`). */
export const RATE_LIMIT_PERIODS = [10, 60, 120, 300, 600, 3600] as const;
/** Durations (seconds) a Cloudflare rate-limiting rule accepts (`mitigation_timeout`). */
export const MITIGATION_TIMEOUTS = [0, 10, 60, 120, 300, 600, 3600, 86400] as const;
/** Rate-limit actions this program allows (API strings). */
export const RATE_LIMIT_ACTIONS = ["block", "managed_challenge"] as const;
export type RateLimitAction = (typeof RATE_LIMIT_ACTIONS)[number];

/** The cookie Cloudflare's load balancer uses for session affinity; the app must not reuse it. */
export const AFFINITY_COOKIE = "__cflb";

/** "/a/b/" — a path prefix. */
const PATH_PREFIX = /^\/([A-Za-z0-9._~-]+\/)*$/;
/** "/a/b" — a route without a trailing slash. */
const ROUTE = /^(\/[A-Za-z0-9._~-]+)+$/;
const EXTENSION = /^[a-z0-9]{1,10}$/;
/** An HTTP cookie name (RFC 6265 token). */
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

const BY_CLOUDFLARE = "is not accepted by Cloudflare";

const RATE_LIMIT_SCHEMA = defaulted(
    checked(
        settings({
            requestsPerPeriod: integer(1, 1000000)
                .default(600)
                .describe("Requests one client (IP, per Cloudflare data centre) may make per period"),
            period: oneOf(RATE_LIMIT_PERIODS, { refused: BY_CLOUDFLARE, unit: "seconds" }).default(60).describe("Counting window, seconds"),
            mitigationTimeout: oneOf(MITIGATION_TIMEOUTS, { refused: BY_CLOUDFLARE, unit: "seconds" })
                .default(60)
                .meta({ rule: '0 with action "managed_challenge"' })
                .describe("How long the action applies once triggered, seconds"),
            action: oneOf(RATE_LIMIT_ACTIONS, { refused: BY_CLOUDFLARE })
                .default("block")
                .describe("`block` answers 429 (API clients cannot solve a challenge)"),
        }),
        (rateLimit, report) => {
            if (rateLimit.action === "managed_challenge" && rateLimit.mitigationTimeout !== 0) {
                report(
                    `${rateLimit.mitigationTimeout} cannot be used with action "managed_challenge": outside Enterprise plans a challenge only throttles; set mitigationTimeout: 0 or use action "block"`,
                    ["mitigationTimeout"],
                );
            }
        },
        ["action", "mitigationTimeout"],
    ),
);

const cacheableApiRoutes = checked(
    list(text(ROUTE, 'a route such as "/v1/catalog" (absolute, no trailing "/")'), 'a list of routes such as ["/v1/catalog"]'),
    (routes, report) =>
        routes.forEach((route, i) => {
            const first = routes.indexOf(route);
            if (first !== i) report(`${show(route)} is listed twice (also at [${first}]); remove one`, [i]);
        }),
).meta({ rule: "each under `apiPath`, no duplicates; `[]` disables API caching" });

const sessionCookie = checked(text(COOKIE_NAME, "a cookie name (letters, digits and !#$%&'*+-.^_`|~)"), (cookie, report) => {
    if (cookie === AFFINITY_COOKIE) {
        report(`${show(cookie)} is the load balancer's own affinity cookie, present on every request; name the app's session cookie`);
    }
}).meta({ rule: `not ${AFFINITY_COOKIE}` });

/** `platform:edge`, all keys optional. */
export const EDGE_SCHEMA = defaulted(
    checked(
        settings({
            apiPath: text(PATH_PREFIX, 'a path prefix that starts and ends with "/", e.g. "/v1/"')
                .default("/v1/")
                .describe("Path prefix of the API: rate limited"),
            cacheableApiRoutes: cacheableApiRoutes
                .default(["/v1/catalog", "/v1/config"])
                .describe(
                    "API GET routes whose responses are the same for every user, cached briefly at the edge; each matches itself and everything below it",
                ),
            apiEdgeTtl: integer(1, 3600).default(30).describe("Edge TTL of cacheable API responses, seconds (short: data changes)"),
            staticPathPrefix: text(PATH_PREFIX, 'a path prefix that starts and ends with "/", e.g. "/static/"')
                .default("/static/")
                .describe("Path prefix of static assets"),
            staticExtensions: list(
                text(EXTENSION, 'a lower-case file extension without the dot, e.g. "css"'),
                'a list of at least one file extension, e.g. ["css", "js"]',
                1,
            )
                .default(["css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "woff", "woff2", "ttf"])
                .describe("File extensions cached as static assets anywhere on the host"),
            staticEdgeTtl: integer(3600, 31536000)
                .default(2592000)
                .describe("Edge TTL of static assets, seconds (assets are fingerprinted; the default is 30 days)"),
            sessionCookie: sessionCookie
                .default("session")
                .describe("The app's session cookie: a request carrying it is never served from cache"),
            sessionAffinityTtl: integer(1800, 604800)
                .default(3600)
                .describe("Lifetime of the load balancer's affinity cookie, seconds (Cloudflare's range for cookie affinity)"),
            // Off: Cloudflare documents zero-downtime failover (which the load balancer uses) as
            // incompatible with Tiered Cache; the API's traffic is mostly dynamic anyway.
            tieredCache: flag()
                .default(false)
                .describe("Smart Tiered Cache: misses go through one upper tier (incompatible with zero-downtime failover)"),
            rateLimit: RATE_LIMIT_SCHEMA,
            alertEmail: text(EMAIL, "an email address such as oncall@example.com")
                .optional()
                .describe("Email that receives pool and origin health alerts"),
            alertWebhookId: hex32("a Cloudflare notification webhook's id")
                .optional()
                .describe("Cloudflare notification webhook that receives the same alerts"),
        }),
        (edge, report) =>
            edge.cacheableApiRoutes.forEach((route, i) => {
                if (!`${route}/`.startsWith(edge.apiPath)) {
                    report(
                        `${show(route)} is outside the API path ${show(edge.apiPath)}; list API routes only (static assets have their own rule)`,
                        ["cacheableApiRoutes", i],
                    );
                }
            }),
        ["apiPath", "cacheableApiRoutes"],
    ).meta({ page: "docs/edge.md" }),
).describe("API path, cacheable API routes, TTLs, session cookie and affinity TTL, rate limit, alert targets");

export type EdgeConfig = Immutable<z.output<typeof EDGE_SCHEMA>>;
export type RateLimitConfig = EdgeConfig["rateLimit"];

/** Every key at its default: the production choice (no alert target). */
export const EDGE_DEFAULTS: EdgeConfig = EDGE_SCHEMA.parse(undefined);
