/** Fleets for the capacity model's tests: the model's own input, with the production sizing defaults. */
import { COMPUTE_DEFAULTS } from "../../config/compute";
import { CAPACITY_SCHEMA } from "../../config/platform";
import { type LimitProblem } from "../../regions/capacity/limits";
import { type ComputeSizing } from "../../regions/capacity/nodes";
import { type CapacityKnobs } from "../../regions/capacity/sizing";
import { CLOUDFLARE_REGIONS, type CloudflareRegion } from "../../regions/catalog";
import { type Fleet, type FleetCellInput, planFleet } from "../../regions/fleet";

/** Traffic shares with every Cloudflare region present (absent ones 0). */
export const traffic = (shares: Partial<Record<CloudflareRegion, number>>): Record<CloudflareRegion, number> =>
    ({ ...Object.fromEntries(CLOUDFLARE_REGIONS.map((r) => [r, 0])), ...shares }) as Record<CloudflareRegion, number>;

/** Capacity knobs: 10,000 users at 800 per pod, no failure tolerated, the config's defaults for the rest. */
export const knobs = (over: Partial<CapacityKnobs> = {}): CapacityKnobs => ({
    ...CAPACITY_SCHEMA.parse({ targetConcurrentUsers: 10000, usersPerPod: 800, regionFailuresTolerated: 0 }),
    ...over,
});

/** The compute defaults (`platform:compute`): the first instance type and the pod requests. */
export const SIZING: ComputeSizing = {
    instanceType: COMPUTE_DEFAULTS.instanceTypes[0],
    podCpuMillis: COMPUTE_DEFAULTS.podCpuMillicores,
    podMemoryMiB: COMPUTE_DEFAULTS.podMemoryMiB,
};

export interface TestFleet {
    readonly cells: readonly FleetCellInput[];
    readonly capacity: CapacityKnobs;
    readonly traffic: Readonly<Record<CloudflareRegion, number>>;
}

/** The fleet of `input` and the limits it breaks, with one cache replica per shard (the default). */
export function fleetOf(input: TestFleet, sizing: Partial<ComputeSizing> = {}): { fleet: Fleet; problems: LimitProblem[] } {
    return planFleet({ ...input, sizing: { ...SIZING, ...sizing }, cacheReplicasPerShard: 1 });
}
