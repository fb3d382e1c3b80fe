/**
 * Proximity steering as data: for every Cloudflare region, every cell ordered nearest-first by
 * great-circle distance from the region's population centre to the cell's coordinates (the
 * same coordinates the pools declare, from the region catalog). Cloudflare's proximity steering
 * sends a request to the healthy pool nearest to the data centre that took it, so this table is
 * what it does for a data centre at the region's centre, and its order is the failover order;
 * the capacity model and the drill re-route along it. A data centre far from its region's centre
 * may pick another cell first: the table is the model at region granularity (docs/edge.md,
 * "Steering").
 */
import { CLOUDFLARE_REGIONS, CLOUDFLARE_REGION_LOCATIONS, type CloudflareRegion, type GeoPoint } from "./catalog";

/** The cell fields steering needs (a CellConfig fits). */
export interface SteeringCell {
    readonly region: string;
    readonly primary: boolean;
    readonly catalog: GeoPoint;
}

/** Cloudflare region code → AWS region names of the cells, nearest first. */
export type SteeringTable = Readonly<Record<CloudflareRegion, readonly string[]>>;

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
    const rad = (deg: number) => (deg * Math.PI) / 180;
    const dLat = rad(b.latitude - a.latitude);
    const dLon = rad(b.longitude - a.longitude);
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Cells ordered by distance from `from`; ties (equal distance) by region name, for a stable order. */
export function nearestFirst(from: GeoPoint, cells: readonly SteeringCell[]): string[] {
    return [...cells]
        .map((c) => ({ region: c.region, km: distanceKm(from, c.catalog) }))
        .sort((a, b) => a.km - b.km || a.region.localeCompare(b.region))
        .map((c) => c.region);
}

export function steeringTable(cells: readonly SteeringCell[]): SteeringTable {
    const table = {} as Record<CloudflareRegion, readonly string[]>;
    for (const r of CLOUDFLARE_REGIONS) table[r] = nearestFirst(CLOUDFLARE_REGION_LOCATIONS[r], cells);
    return table;
}

/** Default pools: the primary first (it holds the writer), then the others nearest to it. */
export function defaultPoolOrder(cells: readonly SteeringCell[]): string[] {
    const primary = cells.find((c) => c.primary);
    if (!primary) throw new Error("defaultPoolOrder needs a primary cell");
    return nearestFirst(primary.catalog, cells);
}

/**
 * The whole traffic-steering decision for a stack, as data: what the load balancer sends
 * where, and where it falls back. The Edge component declares exactly this, and the plan
 * prints and exports it, so the two cannot disagree.
 */
export interface SteeringPlan {
    /**
     * Cloudflare steering policy: `proximity` picks the healthy pool nearest to the data centre
     * by the pools' coordinates. Not `geo`: Cloudflare's custom load-balancing rules (the write
     * route) "are incompatible with Geo steering" (docs/edge.md, "Steering").
     */
    readonly policy: "proximity";
    /** Per Cloudflare region, every cell (AWS region) nearest first: also the failover order. */
    readonly regions: SteeringTable;
    /**
     * Every pool, the primary first, then nearest to it: the pools proximity steering picks from,
     * and the write route's failover order (writes go to the primary first).
     */
    readonly defaultPools: readonly string[];
    /**
     * Used when every pool is unhealthy: the primary's, because it holds the Aurora writer
     * and is the one cell that serves writes without a promotion.
     */
    readonly fallbackPool: string;
}

export function steeringPlan(cells: readonly SteeringCell[]): SteeringPlan {
    const defaultPools = defaultPoolOrder(cells);
    return { policy: "proximity", regions: steeringTable(cells), defaultPools, fallbackPool: defaultPools[0] };
}

/** The number of Cloudflare regions that health-check each pool (see checkRegionsFor). */
export const CHECK_REGION_COUNT = 3;

/**
 * The Cloudflare regions that health-check a cell's pool: the cell's own Cloudflare region
 * first, then the nearest others. Three regions, because an origin is healthy when the
 * majority of its check regions say so: with three, one region's transit trouble cannot
 * take a healthy cell out of rotation, and checks still run close to the cell.
 */
export function checkRegionsFor(
    cell: GeoPoint & { readonly cloudflareRegion: CloudflareRegion },
    count = CHECK_REGION_COUNT,
): CloudflareRegion[] {
    const others = CLOUDFLARE_REGIONS.filter((r) => r !== cell.cloudflareRegion)
        .map((r) => ({ r, km: distanceKm(cell, CLOUDFLARE_REGION_LOCATIONS[r]) }))
        .sort((a, b) => a.km - b.km || a.r.localeCompare(b.r))
        .map((x) => x.r);
    return [cell.cloudflareRegion, ...others].slice(0, count);
}
