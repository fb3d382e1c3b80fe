/**
 * The global edge on Cloudflare: one health monitor, one pool per cell, one proxied load
 * balancer with proximity steering and ordered failover, a rule that sends writes to the
 * primary, the hostname's zone rules (CDN cache, SSL Full (strict), origin auth, API rate limit)
 * and pool-health alerts. Pools and monitor are account-scoped; the load balancer is
 * per hostname; the zone's rulesets and Tiered Cache are declared only by the zone's owner stack,
 * with every tenant stack's rules. See docs/edge.md for every choice made here.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { type CloudflareRegion, type GeoPoint } from "../../regions/catalog";
import { poolName } from "../../regions/naming";
import { type SteeringPlan, checkRegionsFor } from "../../regions/steering";
import { CF, DRAIN_DURATION, MAX_EXPRESSION, MONITOR, ORIGIN_PORT } from "./cloudflareApi";
import { ORIGIN_AUTH_HEADER } from "./originAuth";
import {
    type CacheRuleArgs,
    type HostnameRules,
    type HostnameRulesArgs,
    type OwnHostnameRules,
    cacheExpressions,
    declareHealthAlert,
    declareZoneRulesets,
    hostnameRules,
} from "./rules";

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

/** Who declares the zone's rulesets and settings: this stack (with its tenants' rules), or its owner. */
export type ZoneRole =
    | {
          readonly role: "owner";
          /** Each tenant stack's exported rules (its `edgeZoneRules` output), in order. */
          readonly tenants: readonly { readonly stack: string; readonly rules: HostnameRules }[];
          /** Smart Tiered Cache on; off is declared off. */
          readonly tieredCache: boolean;
      }
    | {
          readonly role: "tenant";
          /** The stack whose rulesets carry this stack's rules (they take effect at its next `pulumi up`). */
          readonly owner: string;
      };

export interface EdgeArgs extends HostnameRulesArgs {
    readonly accountId: string;
    readonly zoneId: string;
    readonly zone: ZoneRole;
    /** Seconds between health checks from each check region. */
    readonly monitorInterval: number;
    /** API routes sent to the primary whatever the method (writes always are). */
    readonly primaryRoutes: readonly string[];
    /** Health path of the workload, checked over HTTPS with Host = domain. */
    readonly healthPath: string;
    /** The cells that take traffic, one pool each; plain, because it decides how many pools exist. */
    readonly cells: readonly EdgeCell[];
    /** What the load balancer sends where (AWS region names of `cells`): the fleet's one steering plan. */
    readonly steering: SteeringPlan;
    /** Lifetime of the load balancer's affinity cookie, seconds (1800–604800). */
    readonly sessionAffinityTtl: number;
    /** Email that receives pool and origin health alerts. @default none */
    readonly alertEmail?: string;
    /** Id of a Cloudflare notification webhook that receives the same alerts. @default none */
    readonly alertWebhookId?: string;
}

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

/** What the edge declares, as the plan JSON shows it (`edge`), read from the rules themselves. */
export interface EdgeSummary {
    readonly zone: { readonly role: "owner"; readonly tenants: readonly string[] } | { readonly role: "tenant"; readonly owner: string };
    /** The hostname's SSL/TLS mode, from its configuration rule. */
    readonly sslMode: string;
    /** The cacheable API routes' cache settings, from their rule; null when no route is cacheable. */
    readonly apiCache: { readonly routes: readonly string[]; readonly edgeTtlMode: string; readonly browserTtlMode: string } | null;
    readonly staticCache: { readonly edgeTtlMode: string; readonly edgeTtl: number; readonly cacheDeceptionArmor: boolean };
    /** "on" or "off" as this stack declares it, or who declares it. */
    readonly tieredCache: string;
    readonly steeringPolicy: string;
    /** The write route: its condition and pools in order (AWS regions). */
    readonly writeRoute: { readonly condition: string; readonly pools: readonly string[] };
}

type Params = cloudflare.types.input.RulesetRuleActionParameters;

function edgeSummary(args: EdgeArgs, rules: OwnHostnameRules): EdgeSummary {
    const params = (rule: cloudflare.types.input.RulesetRule | undefined) => (rule?.actionParameters ?? {}) as Params;
    const mode = (ttl: unknown) => String((ttl as { mode?: unknown } | undefined)?.mode);
    const byRef = (suffix: string) => rules.cache.find((r) => String(r.ref).endsWith(suffix));
    const api = params(byRef("_api_cacheable"));
    const stat = params(byRef("_static_assets"));
    const zone = args.zone;
    return {
        zone: zone.role === "owner" ? { role: "owner", tenants: zone.tenants.map((t) => t.stack) } : { role: "tenant", owner: zone.owner },
        sslMode: String(params(rules.config[0]).ssl),
        apiCache: byRef("_api_cacheable")
            ? { routes: args.cacheableApiRoutes, edgeTtlMode: mode(api.edgeTtl), browserTtlMode: mode(api.browserTtl) }
            : null,
        staticCache: {
            edgeTtlMode: mode(stat.edgeTtl),
            edgeTtl: Number((stat.edgeTtl as { default?: unknown } | undefined)?.default),
            cacheDeceptionArmor: (stat.cacheKey as { cacheDeceptionArmor?: unknown } | undefined)?.cacheDeceptionArmor === true,
        },
        tieredCache:
            zone.role === "owner" ? (zone.tieredCache ? CF.settingOn : CF.settingOff) : `declared by the zone's owner, ${zone.owner}`,
        steeringPolicy: CF.steeringPolicy,
        writeRoute: { condition: writeCondition(args.primaryRoutes), pools: args.steering.defaultPools },
    };
}

/**
 * The write route's condition: any method but GET, HEAD and OPTIONS, or one of `routes`. Only
 * comparisons and `and`/`or`: Cloudflare documents no functions for load-balancing rules
 * (load-balancing-rules/expressions.mdx), so a route also matches where it is followed by "/"
 * anywhere in the path (`contains`), a harmless over-match (a read served by the primary).
 */
export function writeCondition(routes: readonly string[]): string {
    const methods = ["GET", "HEAD", "OPTIONS"].map((m) => `http.request.method ne ${JSON.stringify(m)}`).join(" and ");
    const paths = routes.flatMap((r) => [
        `http.request.uri.path eq ${JSON.stringify(r)}`,
        `http.request.uri.path contains ${JSON.stringify(`${r}/`)}`,
    ]);
    return paths.length ? `(${methods}) or ${paths.join(" or ")}` : `(${methods})`;
}

export class Edge extends pulumi.ComponentResource {
    /** The steering the load balancer was declared with (AWS region names). */
    readonly steering: SteeringPlan;
    readonly monitorId: pulumi.Output<string>;
    /** Pool id per AWS region. */
    readonly poolIds: Record<string, pulumi.Output<string>>;
    readonly loadBalancerId: pulumi.Output<string>;
    readonly hostname: string;
    /** This hostname's zone rules: declared here by an owner; exported by a tenant for its owner to declare. */
    readonly zoneRules: OwnHostnameRules;
    /** What the edge declares that the plan shows (SSL mode, cache modes, Tiered Cache, zone role, steering). */
    readonly summary: EdgeSummary;

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
                interval: args.monitorInterval,
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
                        // What proximity steering measures from: the catalog's coordinates, the same the
                        // steering table is computed from (regions/steering.ts).
                        latitude: cell.catalog.latitude,
                        longitude: cell.catalog.longitude,
                        // One origin, fully declared (name, port, weight, header). #6140 → #7179: the API
                        // returns a pool's origins sorted by name, a diff for a list declared in another
                        // order; verified moot here, a pool has one origin. #7329: see ORIGIN_PORT.
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
                    // Enabled at create; afterwards the failover plan's edge step and the drill own it: the
                    // `pulumi up` that follows a failover must not re-enable the lost region's pool.
                    { ...child, ignoreChanges: ["enabled"] },
                ),
            );
        }
        const poolId = (region: string) => pools.get(region)!.id;
        this.poolIds = Object.fromEntries(cells.map((c) => [c.region, poolId(c.region)]));
        this.monitorId = monitor.id;

        const defaultPools = this.steering.defaultPools.map(poolId);
        const fallbackPool = poolId(this.steering.fallbackPool);
        const lb = new cloudflare.LoadBalancer(
            `${name}-lb`,
            {
                zoneId,
                name: domain,
                description: `${domain}: proximity steering, nearest cell first; writes to the primary first`,
                enabled: true,
                // Proxied (orange cloud): layer-7 failover without DNS caching, session affinity, cache and WAF.
                proxied: true,
                steeringPolicy: CF.steeringPolicy,
                // Proximity picks among these; the write route uses them in this order.
                defaultPools,
                fallbackPool,
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
                // One rule (non-Enterprise plans allow one per hostname): writes, and the routes that
                // must read the latest write, go to the primary first, then the others nearest to it.
                rules: [
                    {
                        name: "writes-to-primary",
                        condition: writeCondition(args.primaryRoutes),
                        disabled: false,
                        priority: 0,
                        terminates: true,
                        overrides: {
                            steeringPolicy: CF.writeSteeringPolicy,
                            defaultPools,
                            fallbackPool,
                            // The affinity cookie would send a session's writes back to its own cell.
                            sessionAffinity: CF.sessionAffinityNone,
                        },
                    },
                ],
            },
            child,
        );
        this.loadBalancerId = lb.id;

        this.zoneRules = hostnameRules(args);
        if (args.zone.role === "owner") {
            declareZoneRulesets(
                name,
                {
                    zoneId,
                    domain,
                    hostnames: [this.zoneRules, ...args.zone.tenants.map((t) => t.rules)],
                    tieredCache: args.zone.tieredCache,
                },
                this,
            );
        }
        this.summary = edgeSummary(args, this.zoneRules);
        declareHealthAlert(
            name,
            args,
            cells.map((c) => poolId(c.region)),
            this,
        );

        this.registerOutputs({
            hostname: this.hostname,
            zoneRules: this.zoneRules,
            loadBalancerId: this.loadBalancerId,
            monitorId: this.monitorId,
            poolIds: this.poolIds,
        });
    }
}
