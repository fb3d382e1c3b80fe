/**
 * The zone's rules for one hostname, as data (`HostnameRules`): CDN cache rules, the SSL mode,
 * the origin-auth request header and the API rate limit. A zone has one entry-point ruleset per
 * phase, so one stack (the zone's owner) declares the four rulesets with every hostname's rules:
 * its own and those its tenant stacks export (`declareZoneRulesets`). The pool-health alert is
 * account-scoped and per hostname: every stack declares its own.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { CF, RATE_LIMIT_BODY, RATE_LIMIT_CHARACTERISTICS } from "./cloudflareApi";
import { ORIGIN_AUTH_HEADER } from "./originAuth";

type Rule = cloudflare.types.input.RulesetRule;
/** A zone ruleset's rule, as the provider takes it. */
export type RulesetRule = Rule;

/** What a request carries when it is a user's: any of these makes it bypass the cache. */
export interface Credentials {
    /** Header names, lower case (Cloudflare lower-cases header names in `http.request.headers.names`). */
    readonly headers: readonly string[];
    readonly cookies: readonly string[];
    readonly queryParameters: readonly string[];
}

/** What the cache rules match: static assets by path and extension, the cacheable API routes, the credentials. */
export interface CacheRuleArgs {
    /** Path prefix of the API, e.g. "/v1/": never a static asset, whatever its extension. */
    readonly apiPath: string;
    /** Path prefix of static assets, e.g. "/static/". */
    readonly staticPathPrefix: string;
    /** File extensions cached as static assets outside the API, e.g. "css". */
    readonly staticExtensions: readonly string[];
    /** API routes the edge may cache when the API's Cache-Control allows it; each matches itself and what is below it. */
    readonly cacheableApiRoutes: readonly string[];
    readonly credentials: Credentials;
}

/** The rules of one hostname. */
export interface HostnameRulesArgs extends CacheRuleArgs {
    /** Public hostname the rules apply to, e.g. `api.example.com`; a name in the zone. */
    readonly domain: string;
    /** Value of the origin-auth header Cloudflare sends (the active slot's secret, components/edge/originAuth.ts). */
    readonly originAuthToken: pulumi.Input<string>;
    /** Edge TTL of static assets, seconds (overrides the origin). */
    readonly staticEdgeTtl: number;
    readonly rateLimit: {
        /** Requests one client (IP, per Cloudflare data centre) may make per period. */
        readonly requestsPerPeriod: number;
        /** Counting window, seconds. */
        readonly period: number;
        /** How long the action applies once triggered, seconds. */
        readonly mitigationTimeout: number;
        /** `block` answers 429. */
        readonly action: "block" | "managed_challenge";
        /** Addresses or CIDRs the limit does not count (the QA generators). */
        readonly exemptSources: readonly string[];
    };
}

/**
 * One hostname's rules by phase, as an owner's rulesets take them: its own (plain), or a
 * tenant's read from that stack's outputs. Each phase is its own input, so that the secret in
 * the origin-auth rule makes only that phase secret, not the cache or rate-limit rules.
 */
export interface HostnameRules {
    readonly hostname: pulumi.Input<string>;
    readonly cache: pulumi.Input<pulumi.Input<Rule>[]>;
    readonly config: pulumi.Input<pulumi.Input<Rule>[]>;
    readonly transform: pulumi.Input<pulumi.Input<Rule>[]>;
    readonly rateLimit: pulumi.Input<pulumi.Input<Rule>[]>;
}

/** This stack's own hostname rules: plain rule objects (the plan's summary reads them). */
export interface OwnHostnameRules extends HostnameRules {
    readonly hostname: string;
    readonly cache: Rule[];
    readonly config: Rule[];
    readonly transform: Rule[];
    readonly rateLimit: Rule[];
}

/** The four zone phases the edge uses, with the ruleset each gets (name `${domain} ${title}`). */
export const ZONE_PHASES = {
    cache: { phase: CF.cachePhase, title: "cache rules", resource: "cache-rules" },
    config: { phase: CF.configPhase, title: "configuration rules", resource: "config-rules" },
    transform: { phase: CF.transformPhase, title: "origin auth", resource: "origin-auth" },
    rateLimit: { phase: CF.rateLimitPhase, title: "rate limiting", resource: "rate-limit" },
} as const;
export type ZonePhase = keyof typeof ZONE_PHASES;

/** Quotes a string for Cloudflare's rules language. */
function quote(value: string): string {
    return JSON.stringify(value);
}

const READ_METHODS = '{"GET" "HEAD"}';

/** `api.example.com` → `api_example_com`: the prefix of the hostname's rule refs, unique in the zone. */
export function refPrefix(domain: string): string {
    return domain.replace(/[^a-z0-9]/g, "_");
}

/** A route and everything below it, never a sibling that merely shares the prefix. */
function routeMatch(route: string): string {
    return `http.request.uri.path eq ${quote(route)} or starts_with(http.request.uri.path, ${quote(`${route}/`)})`;
}

/**
 * The cache rule expressions, in ruleset order. Cache rules stack and the last matching rule
 * wins, so the bypass for credentials comes last and overrides both caching rules. No caching
 * rule matches on the method: single-file purge uses another method internally and would miss
 * a GET-only rule (cache-rules/settings.mdx); the bypass catches every non-GET/HEAD request.
 */
export function cacheExpressions(domain: string, s: CacheRuleArgs): { static: string; api?: string; bypass: string } {
    const host = `http.host eq ${quote(domain)}`;
    const extensions = s.staticExtensions.map(quote).join(" ");
    const staticExpr = `(${host} and (starts_with(http.request.uri.path, ${quote(s.staticPathPrefix)}) or (http.request.uri.path.extension in {${extensions}} and not starts_with(http.request.uri.path, ${quote(s.apiPath)}))))`;
    const routes = s.cacheableApiRoutes.map(routeMatch);
    const api = routes.length ? `(${host} and (${routes.join(" or ")}))` : undefined;
    const carried = [
        ...s.credentials.headers.map((h) => `any(lower(http.request.headers.names[*])[*] eq ${quote(h)})`),
        ...s.credentials.cookies.map((c) => `http.cookie contains ${quote(`${c}=`)}`),
        ...s.credentials.queryParameters.map((q) => `any(http.request.uri.args.names[*] eq ${quote(q)})`),
    ];
    // More headers than Cloudflare parses could hide a credential header: bypass those too.
    const bypass = `(${host} and (not (http.request.method in ${READ_METHODS}) or ${[...carried, "http.request.headers.truncated"].join(" or ")}))`;
    return { static: staticExpr, ...(api ? { api } : {}), bypass };
}

export function rateLimitExpression(domain: string, apiPath: string, exemptSources: readonly string[] = []): string {
    const exempt = exemptSources.length ? ` and not ip.src in {${exemptSources.join(" ")}}` : "";
    return `(http.host eq ${quote(domain)} and starts_with(http.request.uri.path, ${quote(apiPath)})${exempt})`;
}

/** The hostname's rules, phase by phase, as the zone's rulesets carry them. */
export function hostnameRules(args: HostnameRulesArgs): OwnHostnameRules {
    const { domain } = args;
    const ref = (name: string) => `${refPrefix(domain)}_${name}`;
    const host = `(http.host eq ${quote(domain)})`;
    const expr = cacheExpressions(domain, args);
    const armor = { cacheDeceptionArmor: true };
    const cache: Rule[] = [
        {
            ref: ref("static_assets"),
            description: `${domain}: static assets under ${args.staticPathPrefix} or by extension outside ${args.apiPath}: long edge TTL`,
            enabled: true,
            expression: expr.static,
            action: CF.cacheAction,
            actionParameters: {
                cache: true,
                edgeTtl: { mode: CF.edgeTtlOverride, default: args.staticEdgeTtl },
                browserTtl: { mode: CF.browserTtlRespect },
                cacheKey: armor,
            },
        },
    ];
    if (expr.api) {
        cache.push({
            ref: ref("api_cacheable"),
            description: `${domain}: API routes ${args.cacheableApiRoutes.join(", ")} cached only as the API's Cache-Control says`,
            enabled: true,
            expression: expr.api,
            action: CF.cacheAction,
            actionParameters: {
                cache: true,
                edgeTtl: { mode: CF.edgeTtlRespectOrBypass },
                browserTtl: { mode: CF.browserTtlRespect },
                cacheKey: armor,
            },
        });
    }
    cache.push({
        ref: ref("bypass_credentials"),
        description: `${domain}: never cache a request with a credential, nor any but GET/HEAD (last rule wins)`,
        enabled: true,
        expression: expr.bypass,
        action: CF.cacheAction,
        actionParameters: { cache: false },
    });
    const rl = args.rateLimit;
    return {
        hostname: domain,
        cache,
        config: [
            {
                ref: ref("ssl_strict"),
                description: `${domain}: SSL Full (strict) to the origin (the ALBs serve the domain's ACM certificate)`,
                enabled: true,
                expression: host,
                action: CF.setConfigAction,
                actionParameters: { ssl: CF.sslStrict },
            },
        ],
        transform: [originAuthRule(domain, args.originAuthToken)],
        rateLimit: [
            {
                ref: ref("api_rate_limit"),
                description: `${domain}: at most ${rl.requestsPerPeriod} API requests per ${rl.period}s per client IP (per data centre), then ${rl.action} for ${rl.mitigationTimeout}s`,
                enabled: true,
                expression: rateLimitExpression(domain, args.apiPath, rl.exemptSources),
                action: rl.action,
                ...(rl.action === "block"
                    ? {
                          actionParameters: {
                              response: { statusCode: 429, contentType: CF.rateLimitBlockContentType, content: RATE_LIMIT_BODY },
                          },
                      }
                    : {}),
                // No `countingExpression`: empty means "the rule's expression" (waf rate-limiting
                // parameters.mdx), a custom one needs Business, and the provider's own acceptance
                // test (v5.22.0 ruleset_test.go TestAccCloudflareRuleset_RulesRatelimit) leaves it
                // unset and asserts an empty plan after apply. The #7128 once cited for it is not
                // an issue of terraform-provider-cloudflare in any index searched.
                ratelimit: {
                    characteristics: [...RATE_LIMIT_CHARACTERISTICS],
                    period: rl.period,
                    requestsPerPeriod: rl.requestsPerPeriod,
                    mitigationTimeout: rl.mitigationTimeout,
                    // Cached answers count too: the limit protects the API, not only the origin.
                    requestsToOrigin: false,
                },
            },
        ],
    };
}

/**
 * The request-header transform that adds the secret the ALBs require to every request of
 * `domain`: built here for the owner's own hostname and for each tenant's (its hostname and
 * active secret read from its outputs), so the rule has one shape.
 */
export function originAuthRule(domain: pulumi.Input<string>, token: pulumi.Input<string>): Rule {
    const d = pulumi.output(domain);
    return {
        ref: d.apply((h) => `${refPrefix(h)}_origin_auth_header`),
        description: d.apply((h) => `${h}: set ${ORIGIN_AUTH_HEADER} on every request`),
        enabled: true,
        expression: d.apply((h) => `(http.host eq ${quote(h)})`),
        action: CF.rewriteAction,
        actionParameters: { headers: { [ORIGIN_AUTH_HEADER]: { operation: CF.headerSet, value: token } } },
    };
}

/** The zone-level state one owner declares: the four rulesets and Tiered Cache. */
export interface ZoneRulesetsArgs {
    readonly zoneId: string;
    /** The owner's hostname: in the rulesets' names. */
    readonly domain: string;
    /** The owner's rules, then each tenant's (in that order within every phase). */
    readonly hostnames: readonly HostnameRules[];
    /** Smart Tiered Cache on, or explicitly off. */
    readonly tieredCache: boolean;
}

/** Every hostname's rules of one phase, in order. */
function phaseRules(hostnames: readonly HostnameRules[], phase: ZonePhase): pulumi.Output<pulumi.Unwrap<Rule>[]> {
    return pulumi.all(hostnames.map((h) => pulumi.output(h[phase]))).apply((lists) => lists.flat());
}

/** The zone's entry-point rulesets (one per phase and zone: the owner alone declares them) and Tiered Cache. */
export function declareZoneRulesets(name: string, args: ZoneRulesetsArgs, parent: pulumi.Resource): void {
    for (const [key, phase] of Object.entries(ZONE_PHASES) as [ZonePhase, (typeof ZONE_PHASES)[ZonePhase]][]) {
        new cloudflare.Ruleset(
            `${name}-${phase.resource}`,
            {
                zoneId: args.zoneId,
                name: `${args.domain} ${phase.title}`,
                description: `Zone ${phase.title} of every stack on this zone: each rule is scoped to one hostname (platform, components/edge/rules.ts)`,
                kind: CF.rulesetKind,
                phase: phase.phase,
                rules: phaseRules(args.hostnames, key),
            },
            { parent },
        );
    }
    // Declared both ways: off is declared off, so a zone that had Tiered Cache on does not keep it
    // (Cloudflare's API reference: zero-downtime failover "is currently incompatible with ... Tiered Cache").
    const value = args.tieredCache ? CF.settingOn : CF.settingOff;
    const tiered = new cloudflare.ArgoTieredCaching(`${name}-tiered-caching`, { zoneId: args.zoneId, value }, { parent });
    // The Smart topology needs Tiered Cache on first, hence the dependency.
    new cloudflare.TieredCache(`${name}-smart-tiered-cache`, { zoneId: args.zoneId, value }, { parent, dependsOn: [tiered] });
}

/** The pool-health notification to the alert email and webhook, when one is configured. */
export function declareHealthAlert(
    name: string,
    args: { readonly domain: string; readonly accountId: string; readonly alertEmail?: string; readonly alertWebhookId?: string },
    poolIds: readonly pulumi.Input<string>[],
    parent: pulumi.Resource,
): void {
    const { domain, accountId } = args;
    const emails = args.alertEmail !== undefined ? [{ id: args.alertEmail }] : [];
    // The id in the API's own form (a UUID with hyphens): terraform-provider-cloudflare's
    // notification_policy/migrations_test.go notes that v4 stored it without hyphens while the API
    // returns them, a diff in a set; the config accepts only the hyphenated form.
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
            { parent },
        );
    }
}
