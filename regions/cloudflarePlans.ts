/**
 * What each Cloudflare zone plan allows, for the features the edge uses, each with its source,
 * and the one function that says which plan (and add-on) a stack's edge needs. The config
 * refuses a stack whose edge needs more than its declared plan (`platform:cloudflare.plan`), the
 * plan prints the table, and README and docs/edge.md show the same table (a test compares them).
 *
 * Sources (cloudflare/cloudflare-docs, read 2026-12-02 through the file index; the paths are the
 * repository's, the pages are developers.cloudflare.com/<path without src/content/docs and .mdx>):
 * - EDGE_TTL: cache/how-to/edge-browser-cache-ttl ("Minimum Edge Cache TTL | 2 hours | 1 hour |
 *   1 second | 1 second"); it applies to a TTL the zone overrides, not to one the origin sends.
 * - RATE_LIMIT: src/content/partials/waf/rate-limiting-availability-by-plan.mdx @07acbb6
 *   (fields in the rule expression, counting periods, mitigation timeouts, number of rules).
 * - MONITOR: src/content/partials/load-balancing/monitor-settings-advanced.mdx @398302a ("Minimum
 *   time in seconds is 60 (Pro), 15 (Business), and 10 (Enterprise)"); load-balancing/reference/
 *   limitations.mdx @2678ac4 says 15 s for every non-Enterprise plan. The stricter one is used.
 * - LB_RULES: load-balancing/additional-options/load-balancing-rules/index.mdx @09004fc ("non-
 *   Enterprise customers have one Load Balancing rule per load balancer hostname").
 * - Load Balancing itself is a paid add-on on every plan (src/content/plans/index.json,
 *   `traffic.load_balancing`, as read by the edge review of 9d24512).
 */

export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof CLOUDFLARE_PLANS)[number];

/** "Business", as Cloudflare names its plans. */
export function planTitle(plan: CloudflarePlan): string {
    return plan[0].toUpperCase() + plan.slice(1);
}

function rank(plan: CloudflarePlan): number {
    return CLOUDFLARE_PLANS.indexOf(plan);
}

/** The lowest plan whose value passes `ok`, from a per-plan table; undefined when none does. */
function lowestPlan<T>(table: Readonly<Record<CloudflarePlan, T>>, ok: (value: T) => boolean): CloudflarePlan | undefined {
    return CLOUDFLARE_PLANS.find((plan) => ok(table[plan]));
}

const SOURCES = {
    edgeTtl: "developers.cloudflare.com/cache/how-to/edge-browser-cache-ttl (read 2026-12-02)",
    rateLimit: "cloudflare-docs partials/waf/rate-limiting-availability-by-plan.mdx @07acbb6 (read 2026-12-02)",
    monitor: "cloudflare-docs partials/load-balancing/monitor-settings-advanced.mdx @398302a (read 2026-12-02)",
    lbRules: "developers.cloudflare.com/load-balancing/additional-options/load-balancing-rules (read 2026-12-02)",
    loadBalancing: "cloudflare-docs src/content/plans/index.json traffic.load_balancing (edge review of 9d24512)",
    cacheRules:
        "cloudflare-docs cache/how-to/cache-rules/settings.mdx; deception armor on all plans: plans/index.json (edge review of 9d24512)",
    configRules:
        "cloudflare-docs rules/configuration-rules/index.mdx @0309c8b: available on every plan, the rule count by plan (read 2026-12-02)",
} as const;

/**
 * Levels below the zone's apex that its Universal SSL certificate covers: "only the root or
 * first-level subdomains such as example.com and www.example.com" (full setup; deeper names need
 * Advanced Certificate Manager or, on Business and Enterprise, a custom certificate).
 */
export const UNIVERSAL_SSL_MAX_LEVELS = 1;
export const UNIVERSAL_SSL_SOURCE =
    "developers.cloudflare.com/ssl/edge-certificates/universal-ssl/limitations (cloudflare-docs, read 2026-12-02)";

/** Shortest edge TTL a cache rule may set (override the origin), seconds. */
export const MIN_EDGE_TTL_OVERRIDE: Readonly<Record<CloudflarePlan, number>> = { free: 7200, pro: 3600, business: 1, enterprise: 1 };
/** Longest rate-limit counting period, seconds. */
export const MAX_RATE_LIMIT_PERIOD: Readonly<Record<CloudflarePlan, number>> = { free: 10, pro: 60, business: 600, enterprise: 65535 };
/** Longest rate-limit mitigation timeout, seconds. */
export const MAX_MITIGATION_TIMEOUT: Readonly<Record<CloudflarePlan, number>> = { free: 10, pro: 3600, business: 86400, enterprise: 86400 };
/** Rate-limiting rules per zone (Enterprise: by contract, 100 in the table). */
export const MAX_RATE_LIMIT_RULES: Readonly<Record<CloudflarePlan, number>> = { free: 1, pro: 2, business: 5, enterprise: 100 };
/**
 * Shortest health-monitor interval, seconds. Free is not listed by Cloudflare; it is taken as
 * Pro's, the stricter reading.
 */
export const MIN_MONITOR_INTERVAL: Readonly<Record<CloudflarePlan, number>> = { free: 60, pro: 60, business: 15, enterprise: 10 };
/** Custom load-balancing rules per load-balancer hostname. */
export const MAX_LB_RULES: Readonly<Record<CloudflarePlan, number>> = { free: 1, pro: 1, business: 1, enterprise: Infinity };
/**
 * Supported rate-limit period and mitigation values, seconds (the availability table's footnote);
 * which of them a plan offers is bounded by the two tables above.
 */
export const RATE_LIMIT_DURATIONS = [
    10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, 65535, 86400,
] as const;

/** What the edge of one stack uses that a plan may not allow. */
export interface EdgeFeatures {
    /** Levels of the hostname below the zone's apex: 0 for the apex, 1 for api.example.com in example.com. */
    readonly hostnameLevels: number;
    /** Health-monitor interval, seconds. */
    readonly monitorInterval: number;
    /** Edge TTL the static-asset rule sets (overriding the origin), seconds. */
    readonly staticEdgeTtl: number;
    readonly rateLimit: {
        readonly period: number;
        readonly mitigationTimeout: number;
        /** The rule's expression excludes source addresses (`ip.src`): the QA generators. */
        readonly exemptsSources: boolean;
    };
    /** Rate-limiting rules in the zone: one per stack whose rules the zone's ruleset carries. */
    readonly rateLimitRulesInZone: number;
    /** Custom load-balancing rules of this stack's load balancer (the write route: 0 or 1). */
    readonly loadBalancerRules: number;
}

/** One line of the plan table: a feature, what it needs, and where that is written. */
export interface PlanRequirement {
    readonly feature: string;
    /** The lowest zone plan that allows it as declared; undefined when no plan does. */
    readonly minimum: CloudflarePlan | undefined;
    /** An add-on it needs on top of the plan. */
    readonly addOn?: string;
    readonly source: string;
}

const LOAD_BALANCING = "Load Balancing";

/** Every feature of the edge with the plan it needs, in the order the docs list them. */
export function planRequirements(f: EdgeFeatures): PlanRequirement[] {
    const rl = f.rateLimit;
    const maxPeriod = lowestPlan(MAX_RATE_LIMIT_PERIOD, (max) => rl.period <= max);
    const maxMitigation = lowestPlan(MAX_MITIGATION_TIMEOUT, (max) => rl.mitigationTimeout <= max);
    return [
        {
            feature: "Load balancer, pools, health monitor, proximity steering, session affinity",
            minimum: "free",
            addOn: LOAD_BALANCING,
            source: SOURCES.loadBalancing,
        },
        {
            feature: `Health-monitor interval ${f.monitorInterval} s`,
            minimum: lowestPlan(MIN_MONITOR_INTERVAL, (min) => f.monitorInterval >= min),
            addOn: LOAD_BALANCING,
            source: SOURCES.monitor,
        },
        {
            feature: `${f.loadBalancerRules} custom load-balancing rule(s) (writes to the primary)`,
            minimum: lowestPlan(MAX_LB_RULES, (max) => f.loadBalancerRules <= max),
            addOn: LOAD_BALANCING,
            source: SOURCES.lbRules,
        },
        f.hostnameLevels <= UNIVERSAL_SSL_MAX_LEVELS
            ? {
                  feature: `Edge certificate: Universal SSL (the hostname is ${f.hostnameLevels === 0 ? "the zone's apex" : "a first-level name of the zone"})`,
                  minimum: "free",
                  source: UNIVERSAL_SSL_SOURCE,
              }
            : {
                  feature: `Edge certificate for a hostname ${f.hostnameLevels} levels below the zone (Universal SSL covers 1)`,
                  minimum: "free",
                  addOn: "Advanced Certificate Manager",
                  source: UNIVERSAL_SSL_SOURCE,
              },
        { feature: "SSL Full (strict) for the hostname (configuration rule)", minimum: "free", source: SOURCES.configRules },
        {
            feature: "Cache rules: API respects origin Cache-Control, cache deception armor, bypass for credentials",
            minimum: "free",
            source: SOURCES.cacheRules,
        },
        {
            feature: `Static assets' edge TTL ${f.staticEdgeTtl} s (overrides the origin)`,
            minimum: lowestPlan(MIN_EDGE_TTL_OVERRIDE, (min) => f.staticEdgeTtl >= min),
            source: SOURCES.edgeTtl,
        },
        { feature: "Rate-limit rule on the hostname (Host in the expression)", minimum: "pro", source: SOURCES.rateLimit },
        {
            feature: `Rate-limit period ${rl.period} s and mitigation ${rl.mitigationTimeout} s`,
            minimum:
                maxPeriod === undefined || maxMitigation === undefined
                    ? undefined
                    : rank(maxPeriod) > rank(maxMitigation)
                      ? maxPeriod
                      : maxMitigation,
            source: SOURCES.rateLimit,
        },
        ...(rl.exemptsSources
            ? [
                  {
                      feature: "Rate-limit exemption of the QA generators (Source IP in the expression)",
                      minimum: "business" as const,
                      source: SOURCES.rateLimit,
                  },
              ]
            : []),
        {
            feature: `${f.rateLimitRulesInZone} rate-limiting rule(s) in the zone (one per stack on it)`,
            minimum: lowestPlan(MAX_RATE_LIMIT_RULES, (max) => f.rateLimitRulesInZone <= max),
            source: SOURCES.rateLimit,
        },
    ];
}

/** The plan the whole edge needs: the highest minimum of its features; undefined when a feature fits no plan. */
export function requiredPlan(requirements: readonly PlanRequirement[]): CloudflarePlan | undefined {
    let needed: CloudflarePlan = "free";
    for (const r of requirements) {
        if (r.minimum === undefined) return undefined;
        if (rank(r.minimum) > rank(needed)) needed = r.minimum;
    }
    return needed;
}

/** Add-ons any feature needs, once each. */
export function requiredAddOns(requirements: readonly PlanRequirement[]): string[] {
    return [...new Set(requirements.flatMap((r) => (r.addOn === undefined ? [] : [r.addOn])))];
}

/** Whether `plan` includes what `needed` includes. */
export function planAllows(plan: CloudflarePlan, needed: CloudflarePlan): boolean {
    return rank(plan) >= rank(needed);
}

/** The requirements `plan` does not meet, one message each (empty when it meets them all). */
export function planProblems(plan: CloudflarePlan, requirements: readonly PlanRequirement[]): string[] {
    return requirements
        .filter((r) => r.minimum === undefined || !planAllows(plan, r.minimum))
        .map((r) =>
            r.minimum === undefined
                ? `${r.feature}: no Cloudflare plan allows it (${r.source})`
                : `${r.feature} needs the ${planTitle(r.minimum)} plan or higher, and the zone's plan is ${planTitle(plan)} (${r.source})`,
        );
}

/**
 * The plan table as Markdown: README, docs/edge.md and the plan's output print exactly this
 * (for prod's edge), so the three cannot disagree.
 */
export function formatPlanTable(requirements: readonly PlanRequirement[]): string {
    const needed = requiredPlan(requirements);
    const addOns = requiredAddOns(requirements);
    const rows = requirements.map(
        (r) =>
            `| ${r.feature} | ${r.minimum === undefined ? "none" : planTitle(r.minimum)}${r.addOn ? ` + ${r.addOn}` : ""} | ${r.source} |`,
    );
    return [
        `Minimum: the **${needed === undefined ? "(none fits)" : planTitle(needed)}** zone plan${addOns.length ? ` with the ${addOns.join(", ")} add-on` : ""}.`,
        "",
        "| Feature | Needs | Source |",
        "|---|---|---|",
        ...rows,
    ].join("\n");
}
