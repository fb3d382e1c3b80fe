/**
 * The traffic-steering part of the plan: computed from the validated config by the same pure
 * function the Edge component declares its load balancer from (`steeringPlan`), written to
 * the plan JSON under `steering` and printed as one row per Cloudflare region.
 */
import { CLOUDFLARE_REGIONS, type CloudflareRegion } from "../../regions/catalog";
import { type SteeringCell, steeringPlan } from "../../regions/steering";

export interface PlanSteering {
    readonly policy: "geo";
    /** Cloudflare region code → AWS regions of the cells, nearest first (also the failover order). */
    readonly regions: Readonly<Record<CloudflareRegion, readonly string[]>>;
    /** Pools for any location without a region list: the primary first, then nearest to it. */
    readonly defaultPools: readonly string[];
    /** Pool used when every pool is unhealthy: the primary's. */
    readonly fallbackPool: string;
}

export function steeringOf(config: { readonly cells: readonly (SteeringCell & { readonly decommission?: boolean })[] }): PlanSteering {
    // Decommissioning cells are drained: out of the steering, as the Edge declares it.
    const plan = steeringPlan(config.cells.filter((c) => c.decommission !== true));
    const regions = Object.fromEntries(CLOUDFLARE_REGIONS.map((r) => [r, [...plan.regions[r]]])) as Record<CloudflareRegion, string[]>;
    return { policy: plan.policy, regions, defaultPools: [...plan.defaultPools], fallbackPool: plan.fallbackPool };
}

const ORDINALS = ["1st", "2nd", "3rd"];
const ordinal = (i: number) => ORDINALS[i] ?? `${i + 1}th`;

/** Left-aligned columns separated by two spaces. */
function columns(rows: readonly (readonly string[])[]): string {
    const width = (i: number) => Math.max(...rows.map((row) => (row[i] ?? "").length));
    const widths = rows[0].map((_, i) => width(i));
    return rows
        .map((row) =>
            row
                .map((cell, i) => cell.padEnd(widths[i]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

/**
 * The steering table as printed by `npm run plan`, e.g.
 *
 *     Traffic steering (geo; each row is also the failover order)
 *     Cloudflare region  1st           2nd           3rd
 *     WNAM               us-east-1     eu-central-1  ap-southeast-1
 *     ...
 *     Default pools      us-east-1     eu-central-1  ap-southeast-1
 *     Fallback pool      us-east-1
 */
export function formatSteering(steering: PlanSteering): string {
    const count = steering.defaultPools.length;
    const rows: string[][] = [["Cloudflare region", ...Array.from({ length: count }, (_, i) => ordinal(i))]];
    for (const r of CLOUDFLARE_REGIONS) rows.push([r, ...steering.regions[r]]);
    rows.push(["Default pools", ...steering.defaultPools]);
    rows.push(["Fallback pool", steering.fallbackPool]);
    return [`Traffic steering (${steering.policy}; each row is also the failover order)`, columns(rows)].join("\n");
}
