/**
 * The limits a sized fleet must stay within (docs/capacity.md, "Limits"): nodes per cell,
 * VPC addresses per AZ, Aurora readers per cluster and cache nodes per replication group.
 * Each problem names the input it comes from (`key`, below the stack's namespace), the cell,
 * the failure that drives it and the shortfall, with the fix.
 */
import { privateSubnetAddresses } from "../addressPlan";
import { AURORA_MAX_READERS, AURORA_MAX_SECONDARY_READERS, cacheNodeLimitProblem } from "../awsLimits";
import { describeFailure, formatCount as n } from "../text";
import { INSTANCE_TYPES, maxPodsFor } from "./nodes";
import { type CapacityPlan } from "./sizing";

/** A limit the plan breaks; `key` is the input to change, e.g. `capacity.maxNodesPerCell` or `regions[2].cidr`. */
export interface LimitProblem {
    readonly key: string;
    readonly message: string;
}

/**
 * The most Aurora readers (besides the writer-capable instance) the cell's cluster may have in
 * a global database of `cellCount` clusters. A secondary's 16 are read-only instances in
 * total, and every one of its 1 + readers instances is read-only until promotion: 15.
 */
export function maxReaders(primary: boolean, cellCount: number): number {
    return primary ? AURORA_MAX_READERS - (cellCount - 1) : AURORA_MAX_SECONDARY_READERS - 1;
}

/** The cells as the limits read them, in the plan's order; `index` is the cell's entry in `regions`. */
export interface LimitedCell {
    readonly index: number;
    readonly cidr: string;
    readonly zoneIds: readonly string[];
}

/** Every limit `plan` breaks; [] when it holds. */
export function limitProblems(plan: CapacityPlan, cells: readonly LimitedCell[], cacheReplicasPerShard: number): LimitProblem[] {
    const problems: LimitProblem[] = [];
    const type = INSTANCE_TYPES[plan.node.instanceType];
    const perNode = plan.node.podsPerNode;
    plan.cells.forEach((c, i) => {
        const { index, cidr, zoneIds: cellAzs } = cells[i];
        const azs = cellAzs.length;
        const nodesMax = c.nodesPerAz.max * azs;
        const when = describeFailure(c.worstCaseFailure);
        const limitPods = maxPodsFor(plan.maxNodesPerCell, azs, perNode);
        if (c.pods.max > limitPods) {
            const possibleUsers = limitPods * plan.usersPerPod;
            problems.push({
                key: "capacity.maxNodesPerCell",
                message:
                    `cell ${c.code} (${c.region}) must carry ${n(c.worstCaseUsers)} users ${when}, which needs ${n(c.pods.max)} pods on ${n(nodesMax)} nodes; ` +
                    `at most ${n(plan.maxNodesPerCell)} nodes hold ${n(limitPods)} pods (${n(possibleUsers)} users at ${n(plan.usersPerPod)} per pod, ${perNode} pods per ${type.name}): ` +
                    `short by ${n(c.worstCaseUsers - possibleUsers)} users. Raise maxNodesPerCell to ${n(nodesMax)}, raise usersPerPod, lower targetConcurrentUsers or add regions`,
            });
        }
        const subnet = privateSubnetAddresses(cidr);
        const addressesPerNode = type.enis * type.ipv4PerEni;
        const needed = c.nodesPerAz.max * addressesPerNode;
        if (needed > subnet.usable) {
            problems.push({
                key: `regions[${index}].cidr`,
                message:
                    `cell ${c.code} (${c.region}) grows to ${n(nodesMax)} nodes (${n(c.nodesPerAz.max)} per AZ) ${when}; each ${type.name} node may hold ${addressesPerNode} VPC addresses (${type.enis} ENIs × ${type.ipv4PerEni}), ` +
                    `${n(needed)} per AZ, but the private subnets of ${cidr} are /${subnet.prefix} with ${n(subnet.usable)} usable addresses: short by ${n(needed - subnet.usable)}. ` +
                    `Give the region a larger CIDR (a /16 has /18 subnets of 16,379 addresses), raise usersPerPod or add regions`,
            });
        }
        const limitReaders = maxReaders(c.primary, plan.cells.length);
        if (c.readers > limitReaders) {
            const role = c.primary
                ? `the primary cluster of a global database with ${plan.cells.length - 1} secondary region(s)`
                : `a secondary cluster of a global database (${AURORA_MAX_SECONDARY_READERS} read-only instances, its promotable one included)`;
            problems.push({
                key: "capacity.usersPerReader",
                message:
                    `cell ${c.code} (${c.region}) must carry ${n(c.worstCaseUsers)} users ${when}, which needs ${c.readers} Aurora readers at ${n(plan.usersPerReader)} users per reader; ` +
                    `${role} holds at most ${limitReaders}: short by ${c.readers - limitReaders} readers (${n(c.worstCaseUsers - limitReaders * plan.usersPerReader)} users). Raise usersPerReader (a larger reader class) or add regions`,
            });
        }
        const cacheNodes = cacheNodeLimitProblem(c.cacheShards, cacheReplicasPerShard);
        if (cacheNodes !== undefined) {
            problems.push({
                key: "capacity.usersPerCacheShard",
                message: `${c.region} needs ${cacheNodes}: raise usersPerCacheShard or use a larger cache.nodeType`,
            });
        }
    });
    return problems;
}
