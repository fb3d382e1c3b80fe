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
import { CF, DRAIN_DURATION, MAX_EXPRESSION, MONITOR, ORIGIN_PORT } from "./cloudflareApi";
import { ORIGIN_AUTH_HEADER } from "./originAuth";
import { type CacheRuleArgs, type ZoneRulesArgs, cacheExpressions, declareHealthAlert, declareZoneRules } from "./rules";

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

export interface EdgeArgs extends ZoneRulesArgs {
    readonly accountId: string;
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

        declareZoneRules(name, args, this);
        declareHealthAlert(
            name,
            args,
            cells.map((c) => poolId(c.region)),
            this,
        );

        this.registerOutputs({
            hostname: this.hostname,
            loadBalancerId: this.loadBalancerId,
            monitorId: this.monitorId,
            poolIds: this.poolIds,
        });
    }
}
