/**
 * `platform:edge`: the Cloudflare edge settings (CDN cache rules, rate limiting, session
 * affinity, health alerts). Every key is optional; the defaults are the production choice
 * (their table: docs/edge.md).
 */
import { type z } from "zod";
import { RATE_LIMIT_DURATIONS } from "../regions/cloudflarePlans";
import { show } from "./problems";
import { type Immutable, checked, defaulted, flag, integer, list, oneOf, settings, text } from "./schema";

/** Periods (seconds) a Cloudflare rate-limiting rule accepts (`period`); the plan bounds them (regions/cloudflarePlans.ts). */
export const RATE_LIMIT_PERIODS = RATE_LIMIT_DURATIONS;
/** Durations (seconds) a rule's action lasts (`mitigation_timeout`): the same list, and 0 for a challenge. */
export const MITIGATION_TIMEOUTS = [0, ...RATE_LIMIT_DURATIONS] as const;
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
/** A notification webhook's id as the API returns it: a UUID with hyphens (api-schemas `aaa_webhook-id`, maxLength 36). */
export const WEBHOOK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An HTTP header name (RFC 9110 token), lower case: Cloudflare's rules see header names in lower case. */
const HEADER_NAME = /^[a-z0-9!#$%&'*+\-.^_`|~]+$/;
/** A query-string parameter name. */
const QUERY_NAME = /^[A-Za-z0-9._~-]+$/;
/** An IPv4 or IPv6 address or CIDR, as Cloudflare's `ip.src in {…}` takes it. */
export const IP_OR_CIDR = /^((\d{1,3}\.){3}\d{1,3}(\/(3[0-2]|[12]?\d))?|[0-9a-f:]*:[0-9a-f:]*(\/(12[0-8]|1[01]\d|[1-9]?\d))?)$/;

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
            exemptSources: list(
                text(IP_OR_CIDR, "an IPv4 or IPv6 address or CIDR, e.g. 203.0.113.7/32"),
                "a list of addresses or CIDRs, e.g. [203.0.113.7/32]",
            )
                .default([])
                .describe(
                    "Source addresses the limit never counts: the QA generators' egress (the drill and the load test); needs a Business plan",
                ),
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

/** A list of API routes, each once; `example` is one of them. */
function routeList(example: string) {
    return checked(
        list(text(ROUTE, `a route such as "${example}" (absolute, no trailing "/")`), `a list of routes such as ["${example}"]`),
        (routes, report) =>
            routes.forEach((route, i) => {
                const first = routes.indexOf(route);
                if (first !== i) report(`${show(route)} is listed twice (also at [${first}]); remove one`, [i]);
            }),
    );
}

const cacheableApiRoutes = routeList("/v1/catalog").meta({ rule: "each under `apiPath`, no duplicates; `[]` disables API caching" });

const cookieName = checked(text(COOKIE_NAME, "a cookie name (letters, digits and !#$%&'*+-.^_`|~)"), (cookie, report) => {
    if (cookie === AFFINITY_COOKIE) {
        report(`${show(cookie)} is the load balancer's own affinity cookie, present on every request; name the app's session cookie`);
    }
}).meta({ rule: `not ${AFFINITY_COOKIE}` });

/** Every way a request can carry a user's credential: any of them makes the request bypass the cache. */
const CREDENTIALS_SCHEMA = defaulted(
    settings({
        headers: list(
            text(HEADER_NAME, 'a lower-case header name such as "authorization"'),
            'a list of header names, e.g. ["authorization"]',
        )
            .default(["authorization"])
            .describe("Request headers that carry a credential (matched in any case)"),
        cookies: list(cookieName, 'a list of cookie names (letters, digits and !#$%&\'*+-.^_`|~), e.g. ["session"]')
            .meta({ rule: `not ${AFFINITY_COOKIE}` })
            .default(["session"])
            .describe("Cookies that carry a session"),
        queryParameters: list(text(QUERY_NAME, 'a query parameter name such as "token"'), 'a list of parameter names, e.g. ["token"]')
            .default([])
            .describe("Query-string parameters that carry a credential"),
    }),
).describe("Every credential the API accepts: a request carrying any of them is never served from or stored in the cache");

const primaryRoutes = routeList("/v1/account").meta({ rule: "each under `apiPath`, no duplicates" });

/** The origin-auth secret's rotation (docs/edge.md, "Rotating the origin secret"). */
const ORIGIN_AUTH_SCHEMA = defaulted(
    settings({
        generation: integer(1)
            .default(1)
            .describe(
                "Raise by one to rotate: the slot of the new generation gets a new secret and is sent, the other slot's stays accepted",
            ),
    }),
).describe("Rotation of the secret header Cloudflare adds and the ALBs require");

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
                    "API routes the edge may cache when the API's answer says so (Cache-Control: public, s-maxage=…); each matches itself and everything below it",
                ),
            primaryRoutes: primaryRoutes
                .default([])
                .describe(
                    "API routes served by the primary cell whatever the method (reads that must see the latest write); writes always are",
                ),
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
            credentials: CREDENTIALS_SCHEMA,
            sessionAffinityTtl: integer(1800, 604800)
                .default(3600)
                .describe("Lifetime of the load balancer's affinity cookie, seconds (Cloudflare's range for cookie affinity)"),
            // Off: Cloudflare documents zero-downtime failover (which the load balancer uses) as
            // incompatible with Tiered Cache; the API's traffic is mostly dynamic anyway.
            tieredCache: flag()
                .default(false)
                .describe(
                    "Smart Tiered Cache (a zone setting, declared by the zone's owner stack, off included): misses go through one upper tier (incompatible with zero-downtime failover)",
                ),
            monitorInterval: integer(10, 3600)
                .default(15)
                .describe("Seconds between health checks from each check region (the plan sets the minimum)"),
            rateLimit: RATE_LIMIT_SCHEMA,
            originAuth: ORIGIN_AUTH_SCHEMA,
            alertEmail: text(EMAIL, "an email address such as oncall@example.com")
                .optional()
                .describe("Email that receives pool and origin health alerts"),
            alertWebhookId: text(
                WEBHOOK_ID,
                "a Cloudflare notification webhook's id: a UUID with hyphens, e.g. b115d5ec-15c6-41ee-8b76-92c449b5227b",
            )
                .optional()
                .describe("Cloudflare notification webhook that receives the same alerts"),
        }),
        (edge, report, sound) => {
            for (const key of ["cacheableApiRoutes", "primaryRoutes"] as const) {
                if (!sound([key])) continue;
                edge[key].forEach((route, i) => {
                    if (!`${route}/`.startsWith(edge.apiPath)) {
                        report(
                            `${show(route)} is outside the API path ${show(edge.apiPath)}; list API routes only (static assets have their own rule)`,
                            [key, i],
                        );
                    }
                });
            }
        },
        ["apiPath"],
    ).meta({ page: "docs/edge.md" }),
).describe(
    "API path, cacheable and primary-only API routes, credentials, TTLs, affinity TTL, health-check interval, rate limit, origin-secret rotation, alert targets",
);

export type EdgeConfig = Immutable<z.output<typeof EDGE_SCHEMA>>;
export type RateLimitConfig = EdgeConfig["rateLimit"];

/** Every key at its default: the production choice (no alert target). */
export const EDGE_DEFAULTS: EdgeConfig = EDGE_SCHEMA.parse(undefined);
