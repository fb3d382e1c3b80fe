/**
 * Where a distributed run's users come from: the stack's users split over the Cloudflare regions
 * by `platform:traffic` (the capacity model's own apportionment), each Cloudflare region's users
 * generated from the catalog AWS region in that Cloudflare region nearest to where its users are
 * (so that Cloudflare steers the generator as it steers those users), and each generator region's
 * users split over workers of at most `usersPerWorker`. Pure.
 */
import { apportionUsers } from "../../regions/capacity/routing";
import { CLOUDFLARE_REGIONS, CLOUDFLARE_REGION_LOCATIONS, type CloudflareRegion, catalogRegions } from "../../regions/catalog";
import { distanceKm } from "../../regions/steering";

export interface GeneratorRegion {
    /** AWS region the workers run in. */
    readonly region: string;
    /** Its catalog code, e.g. use1: part of the Job's name. */
    readonly code: string;
    /** The Cloudflare regions whose users it generates (one, unless two share the nearest AWS region). */
    readonly cloudflareRegions: readonly CloudflareRegion[];
    readonly users: number;
    /** Users of each worker (the Job's completion index is the position), at most `usersPerWorker`, summing to `users`. */
    readonly workers: readonly number[];
    /** Where Cloudflare's steering sends these users first (the cell that carries them while all are healthy). */
    readonly servedBy: string | null;
}

export interface Distribution {
    readonly users: number;
    readonly usersPerWorker: number;
    readonly regions: readonly GeneratorRegion[];
}

export class SplitError extends Error {}

/** Splits `total` into `parts` whole numbers differing by at most one, the larger first. */
export function evenSplit(total: number, parts: number): number[] {
    return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** The catalog region that generates a Cloudflare region's users; undefined when the catalog has none there. */
export function generatorRegionOf(cloudflareRegion: CloudflareRegion): { name: string; code: string } | undefined {
    const candidates = catalogRegions().filter((r) => r.cloudflareRegion === cloudflareRegion);
    const users = CLOUDFLARE_REGION_LOCATIONS[cloudflareRegion];
    return candidates.sort((a, b) => distanceKm(users, a) - distanceKm(users, b))[0];
}

export interface SplitInput {
    readonly users: number;
    readonly traffic: Readonly<Partial<Record<CloudflareRegion, number>>>;
    readonly usersPerWorker: number;
    /** The steering table: Cloudflare region → cells (AWS regions) nearest first. */
    readonly steering?: Readonly<Partial<Record<CloudflareRegion, readonly string[]>>>;
}

export function splitUsers(input: SplitInput): Distribution {
    const { users, usersPerWorker } = input;
    if (!Number.isInteger(usersPerWorker) || usersPerWorker < 1) throw new SplitError(`users per worker ${usersPerWorker} must be ≥ 1`);
    const byCloudflare = apportionUsers(users, input.traffic as Record<CloudflareRegion, number>);
    const byRegion = new Map<string, { code: string; cloudflareRegions: CloudflareRegion[]; users: number }>();
    const missing: string[] = [];
    for (const cf of CLOUDFLARE_REGIONS) {
        if (byCloudflare[cf] === 0) continue;
        const region = generatorRegionOf(cf);
        if (region === undefined) {
            missing.push(cf);
            continue;
        }
        const entry = byRegion.get(region.name) ?? { code: region.code, cloudflareRegions: [], users: 0 };
        entry.cloudflareRegions.push(cf);
        entry.users += byCloudflare[cf];
        byRegion.set(region.name, entry);
    }
    if (missing.length > 0)
        throw new SplitError(
            `platform:traffic gives users to ${missing.join(", ")}, where the region catalog has no AWS region to generate them from; add one to regions/catalog.ts`,
        );
    return {
        users,
        usersPerWorker,
        regions: [...byRegion].map(([region, entry]) => ({
            region,
            code: entry.code,
            cloudflareRegions: entry.cloudflareRegions,
            users: entry.users,
            workers: evenSplit(entry.users, Math.ceil(entry.users / usersPerWorker)),
            servedBy: input.steering?.[entry.cloudflareRegions[0]]?.[0] ?? null,
        })),
    };
}
