/**
 * The fleet: every fact derived from a valid stack config, each computed once, here. The
 * serving cells, the primary, the home region of the global database, the users per
 * Cloudflare region, the steering plan and the capacity plan (per-AZ figures) are produced by
 * `planFleet` and nowhere else; the program's wiring, the offline plan, the policy pack and the
 * drill read them from the one `Fleet`.
 */
import { type LimitProblem, limitProblems } from "./capacity/limits";
import { type ComputeSizing } from "./capacity/nodes";
import { apportionUsers } from "./capacity/routing";
import { type CapacityKnobs, type CapacityPlan, type CellCapacity, sizeCells } from "./capacity/sizing";
import { type CatalogRegion, type CloudflareRegion } from "./catalog";
import { type SteeringPlan, steeringPlan } from "./steering";

/** A cell as the stack lists it (a parsed `platform:regions` entry fits). */
export interface FleetCellInput {
    /** AWS region name, e.g. `us-east-1`. */
    readonly region: string;
    /** Short code carried by every resource name of the cell, e.g. `use1`. */
    readonly code: string;
    /** True for the one cell that holds the Aurora writer. */
    readonly primary: boolean;
    /**
     * Being removed: still deployed, but drained (out of steering and the capacity model) and
     * its stateful resources retained on delete.
     */
    readonly decommissioning: boolean;
    /** The cell's VPC CIDR. */
    readonly cidr: string;
    readonly zoneIds: readonly string[];
    readonly catalog: CatalogRegion;
}

export interface FleetInput {
    /** In config order. Exactly one primary; at least one cell not decommissioning. */
    readonly cells: readonly FleetCellInput[];
    /** `platform:data.homeRegion`; the primary's region when absent. */
    readonly homeRegion?: string;
    readonly capacity: CapacityKnobs;
    readonly traffic: Readonly<Record<CloudflareRegion, number>>;
    readonly sizing: ComputeSizing;
    readonly cacheReplicasPerShard: number;
}

/** A cell with its figures from the capacity model. */
export interface FleetCell extends FleetCellInput {
    readonly capacity: CellCapacity;
}

export interface Fleet {
    /** Every deployed cell, in config order. */
    readonly cells: readonly FleetCell[];
    /** The cells that take traffic (and get a pool): every cell not decommissioning. */
    readonly serving: readonly FleetCell[];
    readonly primary: FleetCell;
    /** Where the global database's resources live; never follows the primary (docs/regions.md). */
    readonly homeRegion: string;
    /** `targetConcurrentUsers` split over the Cloudflare regions by the traffic shares. */
    readonly usersByCloudflareRegion: Readonly<Record<CloudflareRegion, number>>;
    /** What the load balancer sends where, over the serving cells. */
    readonly steering: SteeringPlan;
    readonly capacity: CapacityPlan;
}

/** The one rule of who serves: a cell being decommissioned is drained. */
export function isServing(cell: { readonly decommissioning: boolean }): boolean {
    return !cell.decommissioning;
}

/** The fleet of a valid input, and every limit it breaks (a fleet that breaks one must not be deployed). */
export function planFleet(input: FleetInput): { fleet: Fleet; problems: LimitProblem[] } {
    const primaries = input.cells.filter((c) => c.primary);
    if (primaries.length !== 1) throw new Error(`planFleet: ${primaries.length} primary cells; the config validation allows exactly one`);
    const serving = input.cells.filter(isServing);
    if (input.capacity.regionFailuresTolerated >= serving.length) {
        throw new Error(
            `planFleet: ${input.capacity.regionFailuresTolerated} tolerated failures leave none of ${serving.length} serving cells`,
        );
    }
    const steering = steeringPlan(serving);
    const users = apportionUsers(input.capacity.targetConcurrentUsers, input.traffic);
    const capacity = sizeCells(
        input.cells,
        serving.map((c) => c.region),
        users,
        steering.regions,
        input.capacity,
        input.sizing,
    );
    const cells = input.cells.map((cell, i): FleetCell => ({ ...cell, capacity: capacity.cells[i] }));
    const fleet: Fleet = {
        cells,
        serving: cells.filter(isServing),
        primary: cells.find((c) => c.primary)!,
        homeRegion: input.homeRegion ?? primaries[0].region,
        usersByCloudflareRegion: users,
        steering,
        capacity,
    };
    const problems = limitProblems(
        capacity,
        input.cells.map((c, index) => ({ index, cidr: c.cidr, zoneIds: c.zoneIds })),
        input.cacheReplicasPerShard,
    );
    return { fleet, problems };
}
