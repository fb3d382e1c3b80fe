/**
 * Users: the target split over the Cloudflare regions, routed to cells along the steering
 * table, with and without failed cells (docs/capacity.md).
 */
import { CLOUDFLARE_REGIONS, type CloudflareRegion } from "../catalog";

/**
 * Splits `target` users over the Cloudflare regions in proportion to `traffic` (normalised),
 * as whole users that sum to `target` (largest remainder; ties in `CLOUDFLARE_REGIONS` order).
 * All shares zero gives zero everywhere (the validation reports it).
 */
export function apportionUsers(target: number, traffic: Readonly<Record<CloudflareRegion, number>>): Record<CloudflareRegion, number> {
    const total = CLOUDFLARE_REGIONS.reduce((s, r) => s + (traffic[r] ?? 0), 0);
    const result = Object.fromEntries(CLOUDFLARE_REGIONS.map((r) => [r, 0])) as Record<CloudflareRegion, number>;
    if (total <= 0) return result;
    const quotas = CLOUDFLARE_REGIONS.map((r, index) => {
        const exact = (target * (traffic[r] ?? 0)) / total;
        return { r, index, floor: Math.floor(exact), remainder: exact - Math.floor(exact) };
    });
    let left = target - quotas.reduce((s, q) => s + q.floor, 0);
    for (const q of quotas) result[q.r] = q.floor;
    for (const q of [...quotas].sort((a, b) => b.remainder - a.remainder || a.index - b.index)) {
        if (left <= 0) break;
        result[q.r]++;
        left--;
    }
    return result;
}

/**
 * Users per cell when the cells in `failed` are down: each Cloudflare region's users go to
 * the first cell of its steering list that is not failed. Failed cells get 0. A Cloudflare
 * region whose whole list failed is reported in `unserved`.
 */
export function routeUsers(
    users: Readonly<Record<CloudflareRegion, number>>,
    table: Readonly<Record<CloudflareRegion, readonly string[]>>,
    regions: readonly string[],
    failed: ReadonlySet<string>,
): { byRegion: Map<string, number>; unserved: number } {
    const byRegion = new Map(regions.map((r) => [r, 0]));
    let unserved = 0;
    for (const cf of CLOUDFLARE_REGIONS) {
        const target = table[cf].find((r) => !failed.has(r));
        if (target === undefined) unserved += users[cf];
        else byRegion.set(target, byRegion.get(target)! + users[cf]);
    }
    return { byRegion, unserved };
}

/** Every subset of `items` with at most `k` elements: by size, then in `items` order (n choose 0 … n choose k). */
export function failureSets<T>(items: readonly T[], k: number): T[][] {
    const sets: T[][] = [];
    const pick = (size: number, start: number, chosen: T[]) => {
        if (chosen.length === size) {
            sets.push([...chosen]);
            return;
        }
        for (let i = start; i <= items.length - (size - chosen.length); i++) pick(size, i + 1, [...chosen, items[i]]);
    };
    for (let size = 0; size <= Math.min(k, items.length); size++) pick(size, 0, []);
    return sets;
}
