/**
 * The zone's rules for the edge's hostname: CDN cache rules, the origin-auth request header,
 * the API rate limit, tiered caching when enabled, and the pool-health alert. Declared by the
 * Edge component, as its children.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";
import { CF, RATE_LIMIT_BODY, RATE_LIMIT_CHARACTERISTICS } from "./cloudflareApi";
import { ORIGIN_AUTH_HEADER } from "./originAuth";

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

/** The zone rules of one hostname. */
export interface ZoneRulesArgs extends CacheRuleArgs {
    /** Public hostname the rules apply to, e.g. `api.example.com`; a name in the zone. */
    readonly domain: string;
    readonly zoneId: string;
    /** Secret value of the origin-auth header the ALBs require (components/edge/originAuth.ts). */
    readonly originAuthToken: pulumi.Input<string>;
    /** Path prefix of the API (rate limited), e.g. "/v1/". */
    readonly apiPath: string;
    /** Edge TTL of cacheable API responses, seconds. */
    readonly apiEdgeTtl: number;
    /** Edge TTL of static assets, seconds. */
    readonly staticEdgeTtl: number;
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

/** Cache on, with `ttl` seconds at the edge and the origin's browser TTL. */
function cacheFor(ttl: number): cloudflare.types.input.RulesetRuleActionParameters {
    return { cache: true, edgeTtl: { mode: CF.edgeTtlOverride, default: ttl }, browserTtl: { mode: CF.browserTtlRespect } };
}

/** The zone's ruleset of `phase` (one per zone and phase), named `${domain} ${title}`. */
function zoneRuleset(
    resourceName: string,
    zone: Pick<ZoneRulesArgs, "domain" | "zoneId">,
    ruleset: {
        readonly title: string;
        readonly description: string;
        readonly phase: string;
        readonly rules: cloudflare.types.input.RulesetRule[];
    },
    parent: pulumi.Resource,
): cloudflare.Ruleset {
    return new cloudflare.Ruleset(
        resourceName,
        {
            zoneId: zone.zoneId,
            name: `${zone.domain} ${ruleset.title}`,
            description: ruleset.description,
            kind: CF.rulesetKind,
            phase: ruleset.phase,
            rules: ruleset.rules,
        },
        { parent },
    );
}

/** The zone-scoped rulesets (cache, origin auth, rate limit) and tiered caching of `args.domain`. */
export function declareZoneRules(name: string, args: ZoneRulesArgs, parent: pulumi.Resource): void {
    declareCacheRules(name, args, parent);
    if (args.tieredCache) declareTieredCache(name, args.zoneId, parent);
    declareOriginAuth(name, args, parent);
    declareRateLimit(name, args, parent);
}

/** Static assets and the cacheable API routes cached, user data never (the last matching rule wins). */
function declareCacheRules(name: string, args: ZoneRulesArgs, parent: pulumi.Resource): void {
    const { domain } = args;
    const expr = cacheExpressions(domain, args);
    const cacheRules: cloudflare.types.input.RulesetRule[] = [
        {
            ref: "static_assets",
            description: `Static assets under ${args.staticPathPrefix} or by extension: long edge TTL`,
            enabled: true,
            expression: expr.static,
            action: CF.cacheAction,
            actionParameters: cacheFor(args.staticEdgeTtl),
        },
    ];
    if (expr.api) {
        cacheRules.push({
            ref: "api_cacheable",
            description: `Cacheable API GET routes (${args.cacheableApiRoutes.join(", ")}): short edge TTL`,
            enabled: true,
            expression: expr.api,
            action: CF.cacheAction,
            actionParameters: cacheFor(args.apiEdgeTtl),
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
    zoneRuleset(
        `${name}-cache-rules`,
        args,
        {
            title: "cache rules",
            description: "CDN for static assets, short edge cache for public API reads, bypass for user data",
            phase: CF.cachePhase,
            rules: cacheRules,
        },
        parent,
    );
}

function declareTieredCache(name: string, zoneId: string, parent: pulumi.Resource): void {
    // Tiered Cache must be on before its Smart topology can be chosen.
    const tiered = new cloudflare.ArgoTieredCaching(`${name}-tiered-caching`, { zoneId, value: CF.settingOn }, { parent });
    new cloudflare.TieredCache(`${name}-smart-tiered-cache`, { zoneId, value: CF.settingOn }, { parent, dependsOn: [tiered] });
}

/** The request-header transform that adds the secret the ALBs require to every request of the hostname. */
function declareOriginAuth(name: string, args: ZoneRulesArgs, parent: pulumi.Resource): void {
    const { domain } = args;
    zoneRuleset(
        `${name}-origin-auth`,
        args,
        {
            title: "origin auth",
            description: "Adds the secret header the cells' ALBs require (origin lock beyond Cloudflare's shared IP ranges)",
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
        parent,
    );
}

/** The API's rate limit per client IP and Cloudflare data centre. */
function declareRateLimit(name: string, args: ZoneRulesArgs, parent: pulumi.Resource): void {
    const { domain } = args;
    const rl = args.rateLimit;
    const rlExpr = rateLimitExpression(domain, args.apiPath);
    zoneRuleset(
        `${name}-rate-limit`,
        args,
        {
            title: "rate limiting",
            description: `API rate limit: ${rl.requestsPerPeriod} requests per ${rl.period}s per client IP and data centre`,
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
        parent,
    );
}

/** The pool-health notification to the alert email and webhook, when one is configured. */
export function declareHealthAlert(
    name: string,
    args: Pick<ZoneRulesArgs, "domain"> & { readonly accountId: string; readonly alertEmail?: string; readonly alertWebhookId?: string },
    poolIds: readonly pulumi.Input<string>[],
    parent: pulumi.Resource,
): void {
    const { domain, accountId } = args;
    const child = { parent };
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
                filters: { poolIds: [...poolIds], newHealths: [...CF.alertNewHealth], eventSources: [...CF.alertEventSources] },
                mechanisms: { ...(emails.length ? { emails } : {}), ...(webhooks.length ? { webhooks } : {}) },
            },
            child,
        );
    }
}
