/** The capacity table of the offline plan: per cell, the load it carries and what it is sized to. */
import { type CapacityPlan } from "../../regions/capacity/sizing";
import { formatCount as fmt } from "../../regions/text";
import { formatTable } from "./table";

/** "eu-central-1 down", "us-east-1 + eu-central-1 down", or "no failure" for the normal load. */
export function failureLabel(failed: readonly string[]): string {
    return failed.length === 0 ? "no failure" : `${failed.join(" + ")} down`;
}

export function formatCapacityTable(plan: CapacityPlan): string {
    const node = plan.node;
    const down = plan.regionFailuresTolerated === 1 ? "1 region down" : `${plan.regionFailuresTolerated} regions down`;
    const rows = [
        [
            "Region",
            "Cell",
            "Normal users",
            "Worst-case users",
            "Worst case when",
            "Pods min/max",
            "Warm pods",
            "Nodes min/max",
            "Readers",
            "Cache shards",
        ],
    ];
    for (const c of plan.cells) {
        rows.push([
            c.region,
            c.code,
            fmt(c.normalUsers),
            fmt(c.worstCaseUsers),
            failureLabel(c.worstCaseFailure),
            `${c.pods.min}/${c.pods.max}`,
            String(c.warmPods),
            `${c.nodesPerAz.min * c.azs}/${c.nodesPerAz.max * c.azs}`,
            String(c.readers),
            String(c.cacheShards),
        ]);
    }
    const totals = (f: (c: CapacityPlan["cells"][number]) => number) => plan.cells.reduce((s, c) => s + f(c), 0);
    rows.push([
        "Total",
        "",
        fmt(totals((c) => c.normalUsers)),
        "",
        "",
        `${totals((c) => c.pods.min)}/${totals((c) => c.pods.max)}`,
        String(totals((c) => c.warmPods)),
        `${totals((c) => c.nodesPerAz.min * c.azs)}/${totals((c) => c.nodesPerAz.max * c.azs)}`,
        String(totals((c) => c.readers)),
        String(totals((c) => c.cacheShards)),
    ]);
    return [
        `Capacity: ${fmt(plan.targetConcurrentUsers)} concurrent users at ${fmt(plan.usersPerPod)} per pod, sized to carry them with ${down} (${plan.failureSetsChecked} failure sets checked)`,
        `Nodes: ${node.instanceType}, ${node.podsPerNode} API pods each (requests ${node.podRequests.cpuMillis}m / ${fmt(node.podRequests.memoryMiB)} MiB, bound by ${node.limitedBy}; ` +
            `allocatable ${fmt(node.allocatable.cpuMillis)}m / ${fmt(node.allocatable.memoryMiB)} MiB / ${node.allocatable.pods} pods, DaemonSets ${node.daemonSets.cpuMillis}m / ${fmt(node.daemonSets.memoryMiB)} MiB / ${node.daemonSets.pods} pods), ` +
            `one spare node per AZ, ${plan.warmFailoverPercent} % of each failover surge kept warm (placeholder pods on running nodes), at most ${fmt(plan.maxNodesPerCell)} nodes (${fmt(plan.maxPodsPerCell)} pods) per cell`,
        `Data: ${fmt(plan.usersPerReader)} users per Aurora reader, ${fmt(plan.usersPerCacheShard)} per cache shard (each cell's cache is its own)`,
        "",
        formatTable(rows, new Set([0, 1, 4])),
    ].join("\n");
}
