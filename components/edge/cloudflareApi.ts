/**
 * What the edge sends Cloudflare, as Cloudflare's API spells it: every enumerated string, and
 * the timings and limits the components declare. Shared by the load balancer and the zone rules.
 */

/**
 * Every enumerated string the edge sends, exactly as Cloudflare's API expects it (the
 * bridged SDK's doc comments mangle some of them, e.g. `ip_cookie` shown as `ipCookie` and
 * `override_origin` as `override*origin`). Checked against Cloudflare's API schema.
 */
export const CF = {
    monitorType: "https",
    monitorMethod: "GET",
    /** Any 2xx answer from the health path is healthy. */
    expectedCodes: "2xx",
    steeringPolicy: "geo",
    sessionAffinity: "cookie",
    /** Lax: sent on top-level navigation and same-site requests (extension background requests included). */
    cookieSameSite: "Lax",
    /** The affinity cookie is only ever sent over HTTPS. */
    cookieSecure: "Always",
    /** On failover the affinity cookie is rewritten to the new origin, so a session does not bounce back and forth. */
    zeroDowntimeFailover: "sticky",
    rulesetKind: "zone",
    cachePhase: "http_request_cache_settings",
    rateLimitPhase: "http_ratelimit",
    /** Request header transform rules (the origin-auth header). */
    transformPhase: "http_request_late_transform",
    rewriteAction: "rewrite",
    headerSet: "set",
    cacheAction: "set_cache_settings",
    edgeTtlOverride: "override_origin",
    browserTtlRespect: "respect_origin",
    rateLimitBlockContentType: "application/json",
    /** Pool and origin health changes (the load-balancing pool health alert). */
    alertType: "load_balancing_health_alert",
    alertNewHealth: ["Healthy", "Unhealthy"],
    alertEventSources: ["pool", "origin"],
    settingOn: "on",
} as const;

/** Rate-limit counters per Cloudflare data centre and client IP (`cf.colo.id` is mandatory). */
export const RATE_LIMIT_CHARACTERISTICS = ["cf.colo.id", "ip.src"] as const;

/**
 * Health monitor timing. Every field is declared: left to provider defaults, consecutive
 * up/down show a perpetual diff (terraform-provider-cloudflare #5676). Time to failover, with
 * the arithmetic, is in docs/edge.md: about 30 s for a dead origin, at most 40 s for a hung one.
 */
export const MONITOR = {
    /** Seconds between checks from each check region. */
    interval: 15,
    /** Seconds before one check counts as failed. */
    timeout: 5,
    /** Immediate retries of a timed-out check before it counts as failed. */
    retries: 1,
    /** Failed checks in a row before an origin is marked unhealthy (one blip is not an outage). */
    consecutiveDown: 2,
    /** Passing checks in a row before it takes traffic again (no flapping back). */
    consecutiveUp: 3,
} as const;

/** Origin port: the cell's ALB listens on HTTPS. Declared: unset shows a perpetual diff (#7329). */
export const ORIGIN_PORT = 443;
/** Seconds existing sessions may stay on an origin that is being drained (disabled). */
export const DRAIN_DURATION = 300;
/** Answer of a rate-limited API request. */
export const RATE_LIMIT_BODY = '{"error":"rate_limited","message":"Too many requests; retry later."}';

/** Longest rule expression Cloudflare accepts. */
export const MAX_EXPRESSION = 4096;
