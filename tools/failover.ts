/**
 * What a region failure should do, from the stack config alone: the Cloudflare regions whose
 * first steering choice is the failed cell move to their next cell (the load balancer's
 * failover order, `regions/steering.ts`), carrying their share of the target users.
 */
import { routeUsers } from "../regions/capacity/routing";
import { CLOUDFLARE_REGIONS, type CloudflareRegion } from "../regions/catalog";
import { type FleetCell } from "../regions/fleet";
import { type Stack } from "../stack/parse";

export interface Reroute {
    readonly cloudflareRegion: CloudflareRegion;
    /** Share of all users (0..1). */
    readonly share: number;
    readonly users: number;
    /** AWS region of the next cell in steering order; null when no other cell exists. */
    readonly to: string | null;
}

export interface CellLoad {
    readonly region: string;
    readonly code: string;
    /** Users steered here first with every cell up. */
    readonly normalUsers: number;
    /** Users this cell takes from the failed one. */
    readonly takenUsers: number;
    /** normalUsers + takenUsers. */
    readonly users: number;
}

export interface FailoverImpact {
    readonly failed: CellLoad;
    /** Cloudflare regions that lose their first choice, in catalog order (share 0 included). */
    readonly reroutes: readonly Reroute[];
    /** The surviving cells, in config order. */
    readonly cells: readonly CellLoad[];
    /** Users with no cell left (a single-cell stack). */
    readonly unservedUsers: number;
}

/** The cell named by AWS region or by code (`us-east-1` or `use1`). */
export function findCell({ fleet }: Stack, name: string): FleetCell | undefined {
    return fleet.cells.find((c) => c.region === name || c.code === name);
}

/**
 * Users per cell with every serving cell up and with `failed` down, routed as the capacity
 * model routes them (the fleet's users and steering, `routeUsers`): a drill expects what the
 * cells were sized for. Cells being decommissioned are out of steering, as in the edge.
 */
export function failoverImpact({ config, fleet }: Stack, failed: FleetCell): FailoverImpact {
    const serving = fleet.serving;
    const regions = serving.map((c) => c.region);
    const table = fleet.steering.regions;
    const users = fleet.usersByCloudflareRegion;
    const after = routeUsers(users, table, regions, new Set([failed.region]));
    const reroutes: Reroute[] = CLOUDFLARE_REGIONS.filter((r) => table[r][0] === failed.region).map((r) => ({
        cloudflareRegion: r,
        share: config.traffic[r],
        users: users[r],
        to: table[r][1] ?? null,
    }));
    const load = (cell: FleetCell): CellLoad => {
        const normalUsers = cell.capacity.normalUsers;
        const now = after.byRegion.get(cell.region) ?? 0;
        return { region: cell.region, code: cell.code, normalUsers, takenUsers: now - normalUsers, users: now };
    };
    return {
        failed: { ...load(failed), takenUsers: 0, users: 0 },
        reroutes,
        cells: serving.filter((c) => c.region !== failed.region).map(load),
        unservedUsers: after.unserved,
    };
}

export interface CellHeadroom extends CellLoad {
    /** The most users the cell carries at its scaling ceiling (the capacity model's `maxUsers`); null when none is given. */
    readonly maxUsers: number | null;
    /** users / maxUsers; null without a maximum. */
    readonly utilisation: number | null;
    /** users > maxUsers; null without a maximum. */
    readonly overloaded: boolean | null;
}

/**
 * Load versus maximum per surviving cell. `maxUsers` (by AWS region) comes from the capacity
 * model; without it the maximum shows as n/a.
 */
export function loadVsMaximum(cells: readonly CellLoad[], maxUsers?: Readonly<Record<string, number>>): CellHeadroom[] {
    return cells.map((cell) => {
        const max = maxUsers?.[cell.region];
        if (max === undefined) return { ...cell, maxUsers: null, utilisation: null, overloaded: null };
        return { ...cell, maxUsers: max, utilisation: max > 0 ? cell.users / max : Infinity, overloaded: cell.users > max };
    });
}

export const NO_MAXIMUM = "n/a (no capacity figure given)";

export function formatImpact(stack: string, impact: FailoverImpact, headroom: readonly CellHeadroom[]): string {
    const percent = (share: number) => `${Number((share * 100).toFixed(1))}%`;
    const lines = [
        `If ${impact.failed.region} (${impact.failed.code}) fails in stack ${stack}, its ${impact.failed.normalUsers} users move:`,
    ];
    for (const reroute of impact.reroutes) {
        lines.push(
            `  ${reroute.cloudflareRegion.padEnd(5)} ${percent(reroute.share).padStart(6)} ${String(reroute.users).padStart(7)} users → ${reroute.to ?? "nowhere (no other cell)"}`,
        );
    }
    if (impact.reroutes.length === 0) lines.push("  (no Cloudflare region steers here first)");
    lines.push("Surviving cells:");
    for (const cell of headroom) {
        const max =
            cell.maxUsers === null
                ? `maximum ${NO_MAXIMUM}`
                : `maximum ${cell.maxUsers} (${percent(cell.utilisation!)}${cell.overloaded ? ", OVERLOADED" : ""})`;
        lines.push(
            `  ${cell.region.padEnd(15)} ${String(cell.users).padStart(7)} users (${cell.normalUsers} own + ${cell.takenUsers} taken), ${max}`,
        );
    }
    if (impact.unservedUsers > 0) lines.push(`  ${impact.unservedUsers} users have no cell left: add a region or expect an outage`);
    return lines.join("\n");
}
