/**
 * The global edge on Cloudflare: one health monitor, one pool per cell, one proxied load
 * balancer with geo steering and ordered failover, CDN cache rules, tiered caching, API rate
 * limiting and pool-health alerts. Pools and monitor are account-scoped; the load balancer,
 * rulesets and cache settings are zone-scoped. See docs/edge.md for every choice made here.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFLARE_REGIONS, type CloudflareRegion, type GeoPoint } from "../../regions/catalog";
import { poolName } from "../../regions/naming";
import { type SteeringPlan, checkRegionsFor } from "../../regions/steering";
import { ORIGIN_AUTH_HEADER } from "./originAuth";

/**
 * Every enumerated string this component sends, exactly as Cloudflare's API expects it (the
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

/** One cell as the edge sees it. */
export interface EdgeCell {
    /** AWS region name, e.g. `us-east-1`: the steering table's key. */
    readonly region: string;
    /** Region code, e.g. `use1`: in the pool's name. */
    readonly code: string;
    /** Catalog entry: coordinates for the pool and steering, the Cloudflare region for health checks. */
    readonly catalog: GeoPoint & { readonly cloudflareRegion: CloudflareRegion };
    /** Public hostname of the cell's ALB (the compute tier's output). Required: never faked. */
    readonly originHostname: pulumi.Input<string>;
}

/** What the cache rules match: static assets by path and extension, the cacheable API routes, the session cookie. */
export interface CacheRuleArgs {
    /** Path prefix of static assets, e.g. "/static/". */
    readonly staticPathPrefix: string;
    /** File extensions cached as static assets anywhere on the host, e.g. "css". */
    readonly staticExtensions: readonly string[];
    /** API GET routes whose responses are the same for every user; each matches itself and what is below it. */
    readonly cacheableApiRoutes: readonly string[];
    /** The app's session cookie: a request carrying it is never served from cache. */
    readonly sessionCookie: string;
}

export interface EdgeArgs extends CacheRuleArgs {
    /** Public hostname the load balancer serves, e.g. `api.example.com`; a name in the zone. */
    readonly domain: string;
    readonly accountId: string;
    readonly zoneId: string;
    /** Health path of the workload, checked over HTTPS with Host = domain. */
    readonly healthPath: string;
    /** The cells that take traffic, one pool each; plain, because it decides how many pools exist. */
    readonly cells: readonly EdgeCell[];
    /** What the load balancer sends where (AWS region names of `cells`): the fleet's one steering plan. */
    readonly steering: SteeringPlan;
    /** Secret value of the origin-auth header the ALBs require (components/edge/originAuth.ts). */
    readonly originAuthToken: pulumi.Input<string>;
    /** Path prefix of the API (rate limited), e.g. "/v1/". */
    readonly apiPath: string;
    /** Edge TTL of cacheable API responses, seconds. */
    readonly apiEdgeTtl: number;
    /** Edge TTL of static assets, seconds. */
    readonly staticEdgeTtl: number;
    /** Lifetime of the load balancer's affinity cookie, seconds (1800–604800). */
    readonly sessionAffinityTtl: number;
    /** Smart Tiered Cache on; off declares nothing. */
    readonly tieredCache: boolean;
    readonly rateLimit: {
        /** Requests one client (IP, per Cloudflare data centre) may make per period. */
        readonly requestsPerPeriod: number;
        /** Counting window, seconds. */
        readonly period: number;
        /** How long the action applies once triggered, seconds. */
        readonly mitigationTimeout: number;
        /** `block` answers 429. */
        readonly action: "block" | "managed_challenge";
    };
    /** Email that receives pool and origin health alerts. @default none */
    readonly alertEmail?: string;
    /** Id of a Cloudflare notification webhook that receives the same alerts. @default none */
    readonly alertWebhookId?: string;
}

/** Longest rule expression Cloudflare accepts. */
export const MAX_EXPRESSION = 4096;

/** Problems with the args that would make a broken edge; empty when fine. */
export function edgeProblems(args: Pick<EdgeArgs, "cells" | "steering" | "domain" | "healthPath" | keyof CacheRuleArgs>): string[] {
    const problems: string[] = [];
    if (args.cells.length === 0) problems.push("cells is empty: the load balancer needs at least one pool");
    const regions = new Set(args.cells.map((c) => c.region));
    const steered = [...Object.values(args.steering.regions).flat(), ...args.steering.defaultPools, args.steering.fallbackPool];
    const unknown = [...new Set(steered.filter((r) => !regions.has(r)))];
    if (unknown.length) problems.push(`the steering names ${unknown.join(", ")}, which no cell serves: steer only over the cells given`);
    const codes = args.cells.map((c) => c.code);
    const dupes = [...new Set(codes.filter((c, i) => codes.indexOf(c) !== i))];
    if (dupes.length) problems.push(`cell codes ${dupes.join(", ")} appear more than once: pool names would collide`);
    if (!args.healthPath.startsWith("/")) problems.push(`healthPath "${args.healthPath}" is not an absolute path`);
    if (!args.domain.includes(".")) problems.push(`domain "${args.domain}" is not a hostname`);
    for (const [rule, expression] of Object.entries(cacheExpressions(args.domain, args))) {
        if (expression.length > MAX_EXPRESSION)
            problems.push(
                `the ${rule} cache rule expression has ${expression.length} characters (Cloudflare allows ${MAX_EXPRESSION}); list fewer routes or extensions`,
            );
    }
    return problems;
}

/** Quotes a string for Cloudflare's rules language. */
function quote(value: string): string {
    return JSON.stringify(value);
}

const READ_METHODS = '{"GET" "HEAD"}';

/**
 * The cache rule expressions, in ruleset order. Cache rules stack and the last matching rule
 * wins, so the bypass for user data comes last and overrides both caching rules.
 */
export function cacheExpressions(domain: string, s: CacheRuleArgs): { static: string; api?: string; bypass: string } {
    const host = `http.host eq ${quote(domain)}`;
    const extensions = s.staticExtensions.map(quote).join(" ");
    const staticExpr = `(${host} and http.request.method in ${READ_METHODS} and (starts_with(http.request.uri.path, ${quote(s.staticPathPrefix)}) or http.request.uri.path.extension in {${extensions}}))`;
    // A route matches itself and what is below it, never a sibling that merely shares the prefix.
    const routes = s.cacheableApiRoutes.map(
        (r) => `http.request.uri.path eq ${quote(r)} or starts_with(http.request.uri.path, ${quote(`${r}/`)})`,
    );
    const api = routes.length ? `(${host} and http.request.method in ${READ_METHODS} and (${routes.join(" or ")}))` : undefined;
    const bypass = `(${host} and (not (http.request.method in ${READ_METHODS}) or any(lower(http.request.headers.names[*])[*] eq "authorization") or http.cookie contains ${quote(`${s.sessionCookie}=`)}))`;
    return { static: staticExpr, ...(api ? { api } : {}), bypass };
}

export function rateLimitExpression(domain: string, apiPath: string): string {
    return `(http.host eq ${quote(domain)} and starts_with(http.request.uri.path, ${quote(apiPath)}))`;
}

export class Edge extends pulumi.ComponentResource {
    /** The steering the load balancer was declared with (AWS region names). */
    readonly steering: SteeringPlan;
    readonly monitorId: pulumi.Output<string>;
    /** Pool id per AWS region. */
    readonly poolIds: Record<string, pulumi.Output<string>>;
    readonly loadBalancerId: pulumi.Output<string>;
    readonly hostname: string;

    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:Edge", name, {}, opts);
        const problems = edgeProblems(args);
        if (problems.length) throw new pulumi.ResourceError(`Edge "${name}":\n- ${problems.join("\n- ")}`, this);
        const child = { parent: this };
        const { domain, accountId, zoneId } = args;
        this.hostname = domain;
        this.steering = args.steering;

        // Account-scoped: the description names the hostname so that stacks sharing an account
        // can tell their monitors apart.
        const monitor = new cloudflare.LoadBalancerMonitor(
            `${name}-monitor`,
            {
                accountId,
                description: `${domain} ${args.healthPath} (HTTPS, Host ${domain})`,
                type: CF.monitorType,
                method: CF.monitorMethod,
                path: args.healthPath,
                port: ORIGIN_PORT,
                // Health checks do not pass through the zone's rules: the monitor sends the origin-auth header itself.
                header: { Host: [domain], [ORIGIN_AUTH_HEADER]: [args.originAuthToken] },
                expectedCodes: CF.expectedCodes,
                followRedirects: false,
                allowInsecure: false,
                interval: MONITOR.interval,
                timeout: MONITOR.timeout,
                retries: MONITOR.retries,
                consecutiveDown: MONITOR.consecutiveDown,
                consecutiveUp: MONITOR.consecutiveUp,
            },
            child,
        );

        // One pool per cell, in a stable (region name) order so that adding a cell only appends.
        const cells = [...args.cells].sort((a, b) => a.region.localeCompare(b.region));
        const pools = new Map<string, cloudflare.LoadBalancerPool>();
        for (const cell of cells) {
            pools.set(
                cell.region,
                new cloudflare.LoadBalancerPool(
                    `${name}-pool-${cell.code}`,
                    {
                        accountId,
                        name: poolName(domain, cell.code),
                        description: `${domain}: cell ${cell.code} (${cell.region})`,
                        enabled: true,
                        minimumOrigins: 1,
                        monitor: monitor.id,
                        checkRegions: checkRegionsFor(cell.catalog),
                        latitude: cell.catalog.latitude,
                        longitude: cell.catalog.longitude,
                        // One origin, fully declared (name, port, weight, header) so that the API's answer
                        // matches the program and a second `up` is a no-op (#6140, #7329).
                        origins: [
                            {
                                name: cell.code,
                                address: cell.originHostname,
                                enabled: true,
                                port: ORIGIN_PORT,
                                weight: 1,
                                // The ALB serves the public hostname (its certificate and routing), not its own DNS name.
                                header: { hosts: [domain] },
                            },
                        ],
                        // Notify on every pool and origin health change; the notification policy filters further.
                        notificationFilter: { pool: { disable: false }, origin: { disable: false } },
                    },
                    child,
                ),
            );
        }
        const poolId = (region: string) => pools.get(region)!.id;
        this.poolIds = Object.fromEntries(cells.map((c) => [c.region, poolId(c.region)]));
        this.monitorId = monitor.id;

        const regionPools: Record<string, pulumi.Output<string>[]> = {};
        for (const r of CLOUDFLARE_REGIONS) regionPools[r] = this.steering.regions[r].map(poolId);

        const lb = new cloudflare.LoadBalancer(
            `${name}-lb`,
            {
                zoneId,
                name: domain,
                description: `${domain}: geo steering, nearest cell first, then the others in order`,
                enabled: true,
                // Proxied (orange cloud): layer-7 failover without DNS caching, session affinity, cache and WAF.
                proxied: true,
                steeringPolicy: CF.steeringPolicy,
                regionPools,
                defaultPools: this.steering.defaultPools.map(poolId),
                fallbackPool: poolId(this.steering.fallbackPool),
                sessionAffinity: CF.sessionAffinity,
                sessionAffinityTtl: args.sessionAffinityTtl,
                sessionAffinityAttributes: {
                    samesite: CF.cookieSameSite,
                    secure: CF.cookieSecure,
                    drainDuration: DRAIN_DURATION,
                    zeroDowntimeFailover: CF.zeroDowntimeFailover,
                },
                // A request that fails to connect (521/522/523/525/526) is retried on the next pool of
                // its list at once, instead of waiting for the monitor to mark the pool down.
                adaptiveRouting: { failoverAcrossPools: true },
            },
            child,
        );
        this.loadBalancerId = lb.id;

        const expr = cacheExpressions(domain, args);
        const cacheRules: cloudflare.types.input.RulesetRule[] = [
            {
                ref: "static_assets",
                description: `Static assets under ${args.staticPathPrefix} or by extension: long edge TTL`,
                enabled: true,
                expression: expr.static,
                action: CF.cacheAction,
                actionParameters: {
                    cache: true,
                    edgeTtl: { mode: CF.edgeTtlOverride, default: args.staticEdgeTtl },
                    browserTtl: { mode: CF.browserTtlRespect },
                },
            },
        ];
        if (expr.api) {
            cacheRules.push({
                ref: "api_cacheable",
                description: `Cacheable API GET routes (${args.cacheableApiRoutes.join(", ")}): short edge TTL`,
                enabled: true,
                expression: expr.api,
                action: CF.cacheAction,
                actionParameters: {
                    cache: true,
                    edgeTtl: { mode: CF.edgeTtlOverride, default: args.apiEdgeTtl },
                    browserTtl: { mode: CF.browserTtlRespect },
                },
            });
        }
        cacheRules.push({
            ref: "bypass_user_data",
            description: "Never cache user data: any non-GET/HEAD, Authorization header or session cookie (last rule wins)",
            enabled: true,
            expression: expr.bypass,
            action: CF.cacheAction,
            actionParameters: { cache: false },
        });
        new cloudflare.Ruleset(
            `${name}-cache-rules`,
            {
                zoneId,
                name: `${domain} cache rules`,
                description: "CDN for static assets, short edge cache for public API reads, bypass for user data",
                kind: CF.rulesetKind,
                phase: CF.cachePhase,
                rules: cacheRules,
            },
            child,
        );

        if (args.tieredCache) {
            // Tiered Cache must be on before its Smart topology can be chosen.
            const tiered = new cloudflare.ArgoTieredCaching(`${name}-tiered-caching`, { zoneId, value: CF.settingOn }, child);
            new cloudflare.TieredCache(
                `${name}-smart-tiered-cache`,
                { zoneId, value: CF.settingOn },
                { parent: this, dependsOn: [tiered] },
            );
        }

        new cloudflare.Ruleset(
            `${name}-origin-auth`,
            {
                zoneId,
                name: `${domain} origin auth`,
                description: "Adds the secret header the cells' ALBs require (origin lock beyond Cloudflare's shared IP ranges)",
                kind: CF.rulesetKind,
                phase: CF.transformPhase,
                rules: [
                    {
                        ref: "origin_auth_header",
                        description: `Set ${ORIGIN_AUTH_HEADER} on every request to ${domain}`,
                        enabled: true,
                        expression: `(http.host eq ${quote(domain)})`,
                        action: CF.rewriteAction,
                        actionParameters: { headers: { [ORIGIN_AUTH_HEADER]: { operation: CF.headerSet, value: args.originAuthToken } } },
                    },
                ],
            },
            child,
        );

        const rl = args.rateLimit;
        const rlExpr = rateLimitExpression(domain, args.apiPath);
        new cloudflare.Ruleset(
            `${name}-rate-limit`,
            {
                zoneId,
                name: `${domain} rate limiting`,
                description: `API rate limit: ${rl.requestsPerPeriod} requests per ${rl.period}s per client IP and data centre`,
                kind: CF.rulesetKind,
                phase: CF.rateLimitPhase,
                rules: [
                    {
                        ref: "api_rate_limit",
                        description: `At most ${rl.requestsPerPeriod} API requests per ${rl.period}s per client IP (per data centre), then ${rl.action} for ${rl.mitigationTimeout}s`,
                        enabled: true,
                        expression: rlExpr,
                        action: rl.action,
                        ...(rl.action === "block"
                            ? {
                                  actionParameters: {
                                      response: { statusCode: 429, contentType: CF.rateLimitBlockContentType, content: RATE_LIMIT_BODY },
                                  },
                              }
                            : {}),
                        ratelimit: {
                            characteristics: [...RATE_LIMIT_CHARACTERISTICS],
                            period: rl.period,
                            requestsPerPeriod: rl.requestsPerPeriod,
                            mitigationTimeout: rl.mitigationTimeout,
                            // Declared (equal to the rule's expression, which is also the API's default):
                            // left unset it shows a perpetual diff (#7128).
                            countingExpression: rlExpr,
                            // Cached answers count too: the limit protects the API, not only the origin.
                            requestsToOrigin: false,
                        },
                    },
                ],
            },
            child,
        );

        const emails = args.alertEmail !== undefined ? [{ id: args.alertEmail }] : [];
        const webhooks = args.alertWebhookId !== undefined ? [{ id: args.alertWebhookId }] : [];
        if (emails.length + webhooks.length > 0) {
            new cloudflare.NotificationPolicy(
                `${name}-pool-health-alert`,
                {
                    accountId,
                    name: `${domain}: pool health`,
                    description: `A pool or origin of ${domain} became healthy or unhealthy`,
                    enabled: true,
                    alertType: CF.alertType,
                    filters: {
                        poolIds: cells.map((c) => poolId(c.region)),
                        newHealths: [...CF.alertNewHealth],
                        eventSources: [...CF.alertEventSources],
                    },
                    mechanisms: {
                        ...(emails.length ? { emails } : {}),
                        ...(webhooks.length ? { webhooks } : {}),
                    },
                },
                child,
            );
        }

        this.registerOutputs({
            hostname: this.hostname,
            loadBalancerId: this.loadBalancerId,
            monitorId: this.monitorId,
            poolIds: this.poolIds,
        });
    }
}
