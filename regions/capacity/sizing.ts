/**
 * Per-cell sizing: the users each cell carries normally and in the worst tolerated failure,
 * and the pods, nodes per AZ, Aurora readers and cache shards that follow (docs/capacity.md).
 */
import { type CloudflareRegion } from "../catalog";
import { type SteeringTable } from "../steering";
import {
    type ComputeSizing,
    DEFAULT_DAEMONSETS,
    type DaemonSetBudget,
    INSTANCE_TYPES,
    type NodeAllocatable,
    type PodsPerNode,
    maxPodsFor,
    nodeAllocatable,
    nodesPerAzFor,
    podsPerNode,
} from "./nodes";
import { failureSets, routeUsers } from "./routing";

/** The capacity knobs of the stack (`platform:capacity`). */
export interface CapacityKnobs {
    readonly targetConcurrentUsers: number;
    /** Users one pod carries at the HPA CPU target, as measured by the load test. */
    readonly usersPerPod: number;
    /** The fleet must carry the target with this many regions down. */
    readonly regionFailuresTolerated: number;
    readonly maxNodesPerCell: number;
    readonly usersPerReader: number;
    readonly usersPerCacheShard: number;
    /**
     * Share (0–100 %) of a cell's failover surge (`pods.max − pods.min`) kept warm as placeholder
     * pods: nodes that exist before the failure does (docs/capacity.md, "Warm capacity").
     */
    readonly warmFailoverPercent: number;
}

/** One cell's figures. Users are whole concurrent users. */
export type CellCapacity = {
    readonly region: string;
    readonly code: string;
    readonly primary: boolean;
    /** AZs the cell spreads over (its node groups). */
    readonly azs: number;
    /** Users the steering sends here with every cell healthy. */
    readonly normalUsers: number;
    /** The most users the cell carries in any tolerated failure. */
    readonly worstCaseUsers: number;
    /** The failed regions that cause `worstCaseUsers`; [] when no failure adds load here. */
    readonly worstCaseFailure: string[];
    /** HPA minReplicas / maxReplicas. */
    readonly pods: { readonly min: number; readonly max: number };
    /**
     * Placeholder pods, each the size of an API pod, that hold node room for the failover surge:
     * `ceil((pods.max − pods.min) × warmFailoverPercent / 100)`. The API's pods preempt them.
     */
    readonly warmPods: number;
    /** The most users the cell serves at its HPA ceiling: `pods.max × usersPerPod`. */
    readonly maxUsers: number;
    /** Nodes in each AZ, including its spare; the minimum holds `pods.min + warmPods`. */
    readonly nodesPerAz: { readonly min: number; readonly max: number };
    /** Aurora reader instances. */
    readonly readers: number;
    /** ElastiCache shards (node groups) sized for this cell alone. */
    readonly cacheShards: number;
};

/** The whole fleet's capacity plan (also the plan JSON's `capacity`; a type alias so it fits its `Record<string, unknown>`). */
export type CapacityPlan = {
    readonly targetConcurrentUsers: number;
    readonly usersPerPod: number;
    readonly regionFailuresTolerated: number;
    /** How many failure sets were checked (Σ n choose k, k ≤ tolerated, including none). */
    readonly failureSetsChecked: number;
    readonly node: {
        readonly instanceType: string;
        readonly allocatable: NodeAllocatable;
        readonly daemonSets: DaemonSetBudget;
        readonly podRequests: { readonly cpuMillis: number; readonly memoryMiB: number };
        readonly podsPerNode: number;
        readonly limitedBy: PodsPerNode["limitedBy"];
    };
    readonly maxNodesPerCell: number;
    /** The most API pods a cell's node groups hold at `maxNodesPerCell`. */
    readonly maxPodsPerCell: number;
    readonly usersPerReader: number;
    readonly usersPerCacheShard: number;
    readonly warmFailoverPercent: number;
    /** Cells in the input's order. */
    readonly cells: CellCapacity[];
};

/** The cell fields sizing reads. */
export interface SizedCell {
    readonly region: string;
    readonly code: string;
    readonly primary: boolean;
    readonly zoneIds: readonly string[];
}

const MIN_READERS = 2;
const MIN_CACHE_SHARDS = 3;

/**
 * Sizes every cell. `serving` are the regions that take users (the others are drained and get
 * the minimum figures); `table` is the steering over them. The input must be valid (a known
 * instance type, fewer tolerated failures than serving cells): the config validation sees to it.
 */
export function sizeCells(
    cells: readonly SizedCell[],
    serving: readonly string[],
    users: Readonly<Record<CloudflareRegion, number>>,
    table: SteeringTable,
    knobs: CapacityKnobs,
    sizing: ComputeSizing,
): CapacityPlan {
    const type = INSTANCE_TYPES[sizing.instanceType];
    if (!type) throw new Error(`sizeCells: unknown instance type ${sizing.instanceType}`);
    const daemonSets = sizing.daemonSets ?? DEFAULT_DAEMONSETS;
    const allocatable = nodeAllocatable(type);
    const perNode = podsPerNode(allocatable, sizing);

    const sets = failureSets(serving, knobs.regionFailuresTolerated);
    const normal = routeUsers(users, table, serving, new Set()).byRegion;
    const worst = new Map(serving.map((r) => [r, { users: normal.get(r)!, failure: [] as string[] }]));
    for (const failed of sets) {
        for (const [region, n] of routeUsers(users, table, serving, new Set(failed)).byRegion) {
            if (n > worst.get(region)!.users) worst.set(region, { users: n, failure: failed });
        }
    }

    const sized = cells.map((cell): CellCapacity => {
        const azs = cell.zoneIds.length;
        // A drained cell carries nobody: it keeps the minimum figures until its entry is removed.
        const normalUsers = normal.get(cell.region) ?? 0;
        const { users: worstCaseUsers, failure } = worst.get(cell.region) ?? { users: 0, failure: [] };
        const minPods = Math.max(azs, Math.ceil(normalUsers / knobs.usersPerPod));
        const maxPods = Math.max(minPods, Math.ceil(worstCaseUsers / knobs.usersPerPod));
        const warmPods = Math.ceil(((maxPods - minPods) * knobs.warmFailoverPercent) / 100);
        return {
            region: cell.region,
            code: cell.code,
            primary: cell.primary,
            azs,
            normalUsers,
            worstCaseUsers,
            worstCaseFailure: failure,
            pods: { min: minPods, max: maxPods },
            warmPods,
            maxUsers: maxPods * knobs.usersPerPod,
            nodesPerAz: { min: nodesPerAzFor(minPods + warmPods, azs, perNode.pods), max: nodesPerAzFor(maxPods, azs, perNode.pods) },
            readers: Math.max(MIN_READERS, Math.ceil(worstCaseUsers / knobs.usersPerReader)),
            cacheShards: Math.max(MIN_CACHE_SHARDS, Math.ceil(worstCaseUsers / knobs.usersPerCacheShard)),
        };
    });

    // Every catalog region has 3 AZs; the fleet-wide figure takes the smallest, to be safe.
    const minAzs = Math.min(...cells.map((c) => c.zoneIds.length));
    return {
        targetConcurrentUsers: knobs.targetConcurrentUsers,
        usersPerPod: knobs.usersPerPod,
        regionFailuresTolerated: knobs.regionFailuresTolerated,
        failureSetsChecked: sets.length,
        node: {
            instanceType: type.name,
            allocatable,
            daemonSets,
            podRequests: { cpuMillis: sizing.podCpuMillis, memoryMiB: sizing.podMemoryMiB },
            podsPerNode: perNode.pods,
            limitedBy: perNode.limitedBy,
        },
        maxNodesPerCell: knobs.maxNodesPerCell,
        maxPodsPerCell: maxPodsFor(knobs.maxNodesPerCell, minAzs, perNode.pods),
        usersPerReader: knobs.usersPerReader,
        usersPerCacheShard: knobs.usersPerCacheShard,
        warmFailoverPercent: knobs.warmFailoverPercent,
        cells: sized,
    };
}
