/**
 * The failover-aware capacity model: how many users each cell must carry, normally and in
 * the worst tolerated failure, and what that means in pods, nodes, Aurora readers and cache
 * shards. Pure (no Pulumi): the config validation, the offline plan and the components all
 * read the same figures.
 *
 * Rules (every figure per cell; `azs` is the cell's AZ count, 3):
 * - Users per Cloudflare region: `targetConcurrentUsers` split by the `platform:traffic`
 *   shares (normalised to sum 1) with the largest-remainder method, so they are whole users
 *   and add up to the target exactly.
 * - Normal users: every Cloudflare region's users go to the first cell of its steering list
 *   (`steeringTable`, nearest first: Cloudflare geo steering).
 * - Worst-case users: for every set of up to `regionFailuresTolerated` failed cells (all
 *   n-choose-k sets, k = 0…tolerated), each Cloudflare region's users go to the first healthy
 *   cell of its steering list (Cloudflare's ordered failover); a cell's worst case is its
 *   maximum over those sets, and `worstCaseFailure` is the first set (fewest failures, then
 *   config order) that causes it; `[]` when no failure adds load to the cell.
 * - Pods (HPA): `min = max(azs, ceil(normalUsers / usersPerPod))` (one pod per AZ at least);
 *   `max = max(min, ceil(worstCaseUsers / usersPerPod))`.
 * - Nodes (managed node group): pods spread evenly over the AZs (topology spread), so an AZ
 *   holds `ceil(pods / azs)`; per AZ `ceil(ceil(pods / azs) / podsPerNode) + 1` nodes (one
 *   spare per AZ, for a node failure or a drain during an update); times `azs`.
 *   `podsPerNode` is the smallest of what the node's allocatable CPU, memory and pod slots
 *   hold after the DaemonSets (see `nodeAllocatable` and `podsPerNode`).
 * - Aurora readers: `max(2, ceil(worstCaseUsers / usersPerReader))`: two readers so that one
 *   can fail or restart while reads go on in the cell, more with the load.
 * - Cache shards: `max(3, ceil(worstCaseUsers / usersPerCacheShard))`: three shards spread
 *   the primaries over the three AZs, so one AZ loss fails over a third of the keyspace.
 *
 * Defaults of the per-reader and per-shard figures (config, `platform:capacity`):
 * - `usersPerReader` 5,000: assume one API request per second per concurrent user and 80 %
 *   of reads answered by the cache, so 0.2 queries/s per user and about 1,000 indexed point
 *   reads/s per reader: a modest share of one db.r7g.large, which keeps reader CPU (and so
 *   replica lag and p99 latency) low, with headroom for a failover's cold cache.
 * - `usersPerCacheShard` 10,000: about two cache operations per request (session lookup,
 *   API cache), so about 20,000 ops/s per shard primary, a fraction of what one Valkey node
 *   serves, leaving room for failover bursts and for its replica to keep up.
 * Both are estimates to replace with load-test figures, like `usersPerPod`.
 *
 * Limits (a config the fleet cannot carry fails validation, naming the cell, the failure set
 * and the shortfall):
 * - `maxNodesPerCell` (default 100): a cell's node group may not exceed it. 100 m7i.xlarge
 *   nodes are 400 vCPUs: the On-Demand vCPU quota we plan to hold per region, and a cell
 *   size whose blast radius and failover scale-out (minutes of node launches) stay bounded;
 *   beyond that, add a region instead of growing a cell.
 * - VPC addresses: the VPC CNI gives every pod a VPC address and a node may hold every
 *   address of all its ENIs (4 × 15 = 60 on the supported types, with the default warm-ENI
 *   setting), so at its maximum size a cell's nodes in one AZ must fit that AZ's private
 *   subnet: a quarter of the VPC (components/subnets.ts) less the 5 addresses AWS reserves.
 *   A /16 (/18 subnets, 16,379 addresses) never binds; a /20 (/22, 1,019) binds at 17 nodes
 *   per AZ.
 * - Aurora readers: at most 15 per cluster; in a global database the primary cluster holds at
 *   most 15 − s readers (s = secondary regions) and a secondary cluster 16
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html).
 */
import type { CapacityConfig, CellConfig } from "../config/platform";
import { ConfigError, type Problem } from "../config/problems";
import { CLOUDFLARE_REGIONS, type CloudflareRegion } from "./catalog";
import { parseCidr } from "./cidr";
import { steeringTable } from "./steering";

// ---------------------------------------------------------------------------------------
// Nodes: instance types, EKS reservations, pods per node

/** An EC2 instance type as the node sizing needs it. */
export interface InstanceTypeSpec {
    readonly name: string;
    readonly vcpus: number;
    /** EC2's MemoryInfo.SizeInMiB. */
    readonly memoryMiB: number;
    /** ENIs on the default network card and IPv4 addresses per ENI (VPC CNI max pods). */
    readonly enis: number;
    readonly ipv4PerEni: number;
}

/**
 * The instance types the node sizing supports. vCPU and memory from EC2; ENIs and IPv4 per
 * ENI from the EKS AMI's instance data (awslabs/amazon-eks-ami,
 * nodeadm/internal/kubelet/instance-info.jsonl: all four have defaultMaxENIs 4 and
 * ipv4AddressesPerInterface 15, and so do the Graviton m7g and m6g xlarge: 58 pods in eni-max-pods.txt). Add a row to support another type.
 */
export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeSpec>> = {
    "m7i.xlarge": { name: "m7i.xlarge", vcpus: 4, memoryMiB: 16384, enis: 4, ipv4PerEni: 15 },
    "m6i.xlarge": { name: "m6i.xlarge", vcpus: 4, memoryMiB: 16384, enis: 4, ipv4PerEni: 15 },
    "m7i.2xlarge": { name: "m7i.2xlarge", vcpus: 8, memoryMiB: 32768, enis: 4, ipv4PerEni: 15 },
    "c7i.xlarge": { name: "c7i.xlarge", vcpus: 4, memoryMiB: 8192, enis: 4, ipv4PerEni: 15 },
    "m7g.xlarge": { name: "m7g.xlarge", vcpus: 4, memoryMiB: 16384, enis: 4, ipv4PerEni: 15 },
    "m6g.xlarge": { name: "m6g.xlarge", vcpus: 4, memoryMiB: 16384, enis: 4, ipv4PerEni: 15 },
};

/**
 * VPC CNI max pods without prefix delegation: `ENIs × (IPv4 per ENI − 1) + 2` (one address
 * per ENI is the ENI's own; +2 for the host-network pods aws-node and kube-proxy). The EKS
 * AMI's nodeadm computes the same (`calculateStandardMaxPods` in
 * nodeadm/internal/kubelet/eni_max_pods.go). 4 × 14 + 2 = 58 for the supported types.
 */
export function maxPods(type: InstanceTypeSpec): number {
    return type.enis * (type.ipv4PerEni - 1) + 2;
}

/**
 * kube-reserved CPU of the EKS AMI (nodeadm `getCPUMillicoresToReserve`): 6 % of the first
 * core, 1 % of the second, 0.5 % of the third and fourth, 0.25 % of every core above four.
 * 4 vCPUs: 60 + 10 + 10 = 80m; 8 vCPUs: 90m.
 */
export function kubeReservedCpuMillis(vcpus: number): number {
    const total = vcpus * 1000;
    const bands: [number, number, number][] = [
        [0, 1000, 600],
        [1000, 2000, 100],
        [2000, 4000, 50],
        [4000, Infinity, 25],
    ];
    return bands.reduce(
        (sum, [from, to, basisPoints]) => sum + (total <= from ? 0 : Math.floor(((Math.min(total, to) - from) * basisPoints) / 10000)),
        0,
    );
}

/** kube-reserved memory of the EKS AMI (nodeadm `getMemoryMebibytesToReserve`): 255 MiB + 11 MiB per pod slot. */
export function kubeReservedMemoryMiB(podSlots: number): number {
    return 255 + 11 * podSlots;
}

/** The EKS AMI's kubelet hard-eviction threshold `memory.available<100Mi` (nodeadm `defaultKubeletSubConfig`). */
export const EVICTION_HARD_MEMORY_MIB = 100;

/**
 * The kubelet's memory capacity is the kernel's MemTotal, below EC2's nominal size. Karpenter
 * subtracts 7.5 % for it (chart default `settings.vmMemoryOverheadPercent: 0.075`); we do
 * the same, so the sizing does not count memory the node never reports.
 */
export const VM_MEMORY_OVERHEAD = 0.075;

export interface NodeAllocatable {
    readonly cpuMillis: number;
    readonly memoryMiB: number;
    /** Pod slots (the kubelet's max pods). */
    readonly pods: number;
}

/** What the kubelet offers pods on one node of `type`: capacity minus kube-reserved minus eviction threshold. */
export function nodeAllocatable(type: InstanceTypeSpec): NodeAllocatable {
    const pods = maxPods(type);
    const memoryCapacity = Math.floor(type.memoryMiB * (1 - VM_MEMORY_OVERHEAD));
    return {
        cpuMillis: type.vcpus * 1000 - kubeReservedCpuMillis(type.vcpus),
        memoryMiB: memoryCapacity - kubeReservedMemoryMiB(pods) - EVICTION_HARD_MEMORY_MIB,
        pods,
    };
}

/** Requests of the pods every node runs (DaemonSets), budgeted per node. */
export interface DaemonSetBudget {
    readonly cpuMillis: number;
    readonly memoryMiB: number;
    readonly pods: number;
}

/**
 * The DaemonSet budget: aws-node (VPC CNI), kube-proxy, eks-pod-identity-agent, the EBS CSI
 * node plugin, Fluent Bit and the Prometheus node exporter request together about 300m CPU
 * and 450 MiB; the budget rounds that up to 400m / 600 MiB and 8 pod slots (six DaemonSets
 * and room for two more) so that adding an agent does not silently overcommit the nodes.
 */
export const DEFAULT_DAEMONSETS: DaemonSetBudget = { cpuMillis: 400, memoryMiB: 600, pods: 8 };

/**
 * The compute tier's sizing inputs. The compute tier owns these (its config); the capacity
 * model takes them as plain values, with the defaults below.
 */
export interface ComputeSizing {
    /** A key of `INSTANCE_TYPES`. @default "m7i.xlarge" */
    readonly instanceType: string;
    /** CPU request of one API pod in millicores. @default 500 */
    readonly podCpuMillis: number;
    /** Memory request of one API pod in MiB. @default 512 */
    readonly podMemoryMiB: number;
    /** @default DEFAULT_DAEMONSETS */
    readonly daemonSets: DaemonSetBudget;
    /** The config path these came from, for messages. @default "platform:compute" */
    readonly configPath: string;
}

export const DEFAULT_COMPUTE_SIZING: ComputeSizing = {
    instanceType: "m7i.xlarge",
    podCpuMillis: 500,
    podMemoryMiB: 512,
    daemonSets: DEFAULT_DAEMONSETS,
    configPath: "platform:compute",
};

export interface PodsPerNode {
    readonly pods: number;
    /** The resource that runs out first. */
    readonly limitedBy: "cpu" | "memory" | "pod slots";
}

/** API pods one node holds after the DaemonSets: the smallest of the CPU, memory and pod-slot fits. */
export function podsPerNode(allocatable: NodeAllocatable, sizing: Omit<ComputeSizing, "instanceType" | "configPath">): PodsPerNode {
    const fits: [number, PodsPerNode["limitedBy"]][] = [
        [Math.floor((allocatable.cpuMillis - sizing.daemonSets.cpuMillis) / sizing.podCpuMillis), "cpu"],
        [Math.floor((allocatable.memoryMiB - sizing.daemonSets.memoryMiB) / sizing.podMemoryMiB), "memory"],
        [allocatable.pods - sizing.daemonSets.pods, "pod slots"],
    ];
    const [pods, limitedBy] = fits.reduce((best, fit) => (fit[0] < best[0] ? fit : best));
    return { pods: Math.max(0, pods), limitedBy };
}

/** Nodes for `pods` spread over `azs` AZs: per AZ the nodes for ceil(pods / azs), plus one spare, times `azs`. */
export function nodesFor(pods: number, azs: number, perNode: number): number {
    return azs * (Math.ceil(Math.ceil(pods / azs) / perNode) + 1);
}

/** The most pods `maxNodes` nodes hold under `nodesFor` (the inverse: nodesFor(p) ≤ maxNodes ⇔ p ≤ this). */
export function maxPodsFor(maxNodes: number, azs: number, perNode: number): number {
    return Math.max(0, azs * (Math.floor(maxNodes / azs) - 1) * perNode);
}

// ---------------------------------------------------------------------------------------
// Users: apportionment, routing, failure sets

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

// ---------------------------------------------------------------------------------------
// The plan

/** One cell's figures. Users are whole concurrent users. */
export type CellCapacity = {
    readonly region: string;
    readonly code: string;
    readonly primary: boolean;
    /** Users geo steering sends here with every cell healthy. */
    readonly normalUsers: number;
    /** The most users the cell carries in any tolerated failure. */
    readonly worstCaseUsers: number;
    /** The failed regions that cause `worstCaseUsers`; [] when no failure adds load here. */
    readonly worstCaseFailure: string[];
    /** HPA minReplicas / maxReplicas. */
    readonly pods: { readonly min: number; readonly max: number };
    /** Node group minSize / maxSize. */
    readonly nodes: { readonly min: number; readonly max: number };
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
    /** The most API pods a cell's node group holds at `maxNodesPerCell`. */
    readonly maxPodsPerCell: number;
    readonly usersPerReader: number;
    readonly usersPerCacheShard: number;
    /** Cells in config order. */
    readonly cells: CellCapacity[];
};

/** The config the model reads: cells, capacity knobs and traffic shares (a PlatformConfig fits). */
export interface CapacityInput {
    /** Every deployed cell; those with `decommission: true` are drained (no users, minimum figures). */
    readonly cells: readonly (Pick<CellConfig, "region" | "code" | "primary" | "azs" | "catalog" | "cidr"> & {
        readonly decommission?: boolean;
    })[];
    readonly capacity: CapacityConfig;
    readonly traffic: Readonly<Record<CloudflareRegion, number>>;
}

const MIN_READERS = 2;
const MIN_CACHE_SHARDS = 3;
const AURORA_MAX_READERS = 15;
const AURORA_MAX_SECONDARY_READERS = 16;

/** Addresses AWS reserves in every subnet (network, router, DNS, future use, broadcast). */
const AWS_RESERVED_ADDRESSES = 5;

/** Usable addresses of one private subnet of a VPC with this CIDR (a quarter of it, as components/subnets.ts cuts it). */
export function privateSubnetAddresses(vpcCidr: string): { prefix: number; usable: number } {
    const vpc = parseCidr(vpcCidr);
    if (typeof vpc === "string") throw new Error(`VPC CIDR ${vpcCidr} ${vpc}`);
    const prefix = vpc.prefix + 2;
    return { prefix, usable: 2 ** (32 - prefix) - AWS_RESERVED_ADDRESSES };
}

/** The most Aurora readers the cell's cluster may have (see the module comment). */
export function maxReaders(primary: boolean, cellCount: number): number {
    return primary ? AURORA_MAX_READERS - (cellCount - 1) : AURORA_MAX_SECONDARY_READERS;
}

/**
 * The capacity plan of a validated config. Throws ConfigError when the fleet cannot carry
 * the target within its limits (see `capacityProblems`).
 */
export function capacityModel(config: CapacityInput, sizing: Partial<ComputeSizing> = {}): CapacityPlan {
    const { plan, problems } = planCapacity(config, sizing);
    if (problems.length > 0) throw new ConfigError(problems);
    return plan!;
}

/** Every reason the fleet cannot carry the target within its limits; [] when it can. */
export function capacityProblems(config: CapacityInput, sizing: Partial<ComputeSizing> = {}): Problem[] {
    return planCapacity(config, sizing).problems;
}

/**
 * The plan and its problems, without throwing. The plan is undefined only when it cannot be
 * computed at all (unknown instance type, a pod that fits no node, no surviving region).
 */
export function planCapacity(config: CapacityInput, partial: Partial<ComputeSizing> = {}): { plan?: CapacityPlan; problems: Problem[] } {
    const sizing: ComputeSizing = { ...DEFAULT_COMPUTE_SIZING, ...partial };
    const cap = config.capacity;
    const problems: Problem[] = [];
    const at = (key: string) => `platform:capacity.${key}`;

    const type = INSTANCE_TYPES[sizing.instanceType];
    if (!type) {
        problems.push({
            path: `${sizing.configPath}.instanceType`,
            message: `${JSON.stringify(sizing.instanceType)} is not an instance type the capacity model knows; use one of ${Object.keys(INSTANCE_TYPES).join(", ")} (or add it to INSTANCE_TYPES in regions/capacity.ts)`,
        });
    }
    // Decommissioning cells are out of steering: users route, and failures are counted, over the serving cells only.
    const serving = config.cells.filter((c) => c.decommission !== true);
    const regions = serving.map((c) => c.region);
    if (cap.regionFailuresTolerated >= regions.length) {
        problems.push({
            path: at("regionFailuresTolerated"),
            message: `${cap.regionFailuresTolerated} leaves no region to serve users: the stack lists ${regions.length} region(s); tolerate at most ${regions.length - 1} or add regions`,
        });
    }
    if (CLOUDFLARE_REGIONS.every((r) => (config.traffic[r] ?? 0) <= 0)) {
        problems.push({
            path: "platform:traffic",
            message: `gives no Cloudflare region a share above 0, so no users can be placed in cells; give each region's expected share, e.g. { ENAM: 0.6, WEU: 0.4 }`,
        });
    }
    if (!type || problems.length > 0) return { problems };

    const allocatable = nodeAllocatable(type);
    const perNode = podsPerNode(allocatable, sizing);
    if (perNode.pods < 1) {
        const free = `${allocatable.cpuMillis - sizing.daemonSets.cpuMillis}m CPU, ${allocatable.memoryMiB - sizing.daemonSets.memoryMiB} MiB, ${allocatable.pods - sizing.daemonSets.pods} pod slots`;
        problems.push({
            path: sizing.configPath,
            message: `an API pod requesting ${sizing.podCpuMillis}m CPU and ${sizing.podMemoryMiB} MiB does not fit a ${type.name} node (${free} left after the DaemonSets; short of ${perNode.limitedBy}); use a larger instance type or smaller requests`,
        });
        return { problems };
    }

    const users = apportionUsers(cap.targetConcurrentUsers, config.traffic);
    const table = steeringTable(serving);
    const sets = failureSets(regions, cap.regionFailuresTolerated);
    const normal = routeUsers(users, table, regions, new Set()).byRegion;
    const worst = new Map(regions.map((r) => [r, { users: normal.get(r)!, failure: [] as string[] }]));
    for (const failed of sets) {
        const routed = routeUsers(users, table, regions, new Set(failed)).byRegion;
        for (const [region, n] of routed) {
            if (n > worst.get(region)!.users) worst.set(region, { users: n, failure: failed });
        }
    }

    const cells = config.cells.map((cell): CellCapacity => {
        const azs = cell.azs.length;
        // A drained cell carries nobody: it keeps the minimum figures until its entry is removed.
        const normalUsers = normal.get(cell.region) ?? 0;
        const { users: worstCaseUsers, failure } = worst.get(cell.region) ?? { users: 0, failure: [] };
        const minPods = Math.max(azs, Math.ceil(normalUsers / cap.usersPerPod));
        const maxReplicas = Math.max(minPods, Math.ceil(worstCaseUsers / cap.usersPerPod));
        return {
            region: cell.region,
            code: cell.code,
            primary: cell.primary,
            normalUsers,
            worstCaseUsers,
            worstCaseFailure: failure,
            pods: { min: minPods, max: maxReplicas },
            nodes: { min: nodesFor(minPods, azs, perNode.pods), max: nodesFor(maxReplicas, azs, perNode.pods) },
            readers: Math.max(MIN_READERS, Math.ceil(worstCaseUsers / cap.usersPerReader)),
            cacheShards: Math.max(MIN_CACHE_SHARDS, Math.ceil(worstCaseUsers / cap.usersPerCacheShard)),
        };
    });

    // Every catalog region has 3 AZs; the fleet-wide figure takes the smallest, to be safe.
    const minAzs = Math.min(...config.cells.map((c) => c.azs.length));
    const plan: CapacityPlan = {
        targetConcurrentUsers: cap.targetConcurrentUsers,
        usersPerPod: cap.usersPerPod,
        regionFailuresTolerated: cap.regionFailuresTolerated,
        failureSetsChecked: sets.length,
        node: {
            instanceType: type.name,
            allocatable,
            daemonSets: sizing.daemonSets,
            podRequests: { cpuMillis: sizing.podCpuMillis, memoryMiB: sizing.podMemoryMiB },
            podsPerNode: perNode.pods,
            limitedBy: perNode.limitedBy,
        },
        maxNodesPerCell: cap.maxNodesPerCell,
        maxPodsPerCell: maxPodsFor(cap.maxNodesPerCell, minAzs, perNode.pods),
        usersPerReader: cap.usersPerReader,
        usersPerCacheShard: cap.usersPerCacheShard,
        cells,
    };

    for (const [i, c] of cells.entries()) {
        const azs = config.cells[i].azs.length;
        const limitPods = maxPodsFor(cap.maxNodesPerCell, azs, perNode.pods);
        const when = describeFailure(c.worstCaseFailure);
        if (c.pods.max > limitPods) {
            const possibleUsers = limitPods * cap.usersPerPod;
            problems.push({
                path: at("maxNodesPerCell"),
                message:
                    `cell ${c.code} (${c.region}) must carry ${fmt(c.worstCaseUsers)} users ${when}, which needs ${fmt(c.pods.max)} pods on ${fmt(c.nodes.max)} nodes; ` +
                    `at most ${fmt(cap.maxNodesPerCell)} nodes hold ${fmt(limitPods)} pods (${fmt(possibleUsers)} users at ${fmt(cap.usersPerPod)} per pod, ${perNode.pods} pods per ${type.name}): ` +
                    `short by ${fmt(c.worstCaseUsers - possibleUsers)} users. Raise maxNodesPerCell to ${fmt(c.nodes.max)}, raise usersPerPod, lower targetConcurrentUsers or add regions`,
            });
        }
        const subnet = privateSubnetAddresses(config.cells[i].cidr);
        const nodesPerAz = c.nodes.max / azs;
        const addressesPerNode = type.enis * type.ipv4PerEni;
        if (nodesPerAz * addressesPerNode > subnet.usable) {
            problems.push({
                path: `platform:regions[${i}].cidr`,
                message:
                    `cell ${c.code} (${c.region}) grows to ${fmt(c.nodes.max)} nodes (${fmt(nodesPerAz)} per AZ) ${when}; each ${type.name} node may hold ${addressesPerNode} VPC addresses (${type.enis} ENIs × ${type.ipv4PerEni}), ` +
                    `${fmt(nodesPerAz * addressesPerNode)} per AZ, but the private subnets of ${config.cells[i].cidr} are /${subnet.prefix} with ${fmt(subnet.usable)} usable addresses: short by ${fmt(nodesPerAz * addressesPerNode - subnet.usable)}. ` +
                    `Give the region a larger CIDR (a /16 has /18 subnets of 16,379 addresses), raise usersPerPod or add regions`,
            });
        }
        const limitReaders = maxReaders(c.primary, cells.length);
        if (c.readers > limitReaders) {
            const role = c.primary
                ? `the primary cluster of a global database with ${cells.length - 1} secondary region(s)`
                : "a secondary cluster of a global database";
            problems.push({
                path: at("usersPerReader"),
                message:
                    `cell ${c.code} (${c.region}) must carry ${fmt(c.worstCaseUsers)} users ${when}, which needs ${c.readers} Aurora readers at ${fmt(cap.usersPerReader)} users per reader; ` +
                    `${role} holds at most ${limitReaders}: short by ${c.readers - limitReaders} readers (${fmt(c.worstCaseUsers - limitReaders * cap.usersPerReader)} users). Raise usersPerReader (a larger reader class) or add regions`,
            });
        }
    }
    return { plan, problems };
}

/** The figures of the cell in `region`, for wiring them into that cell's components. */
export function cellCapacity(plan: CapacityPlan, region: string): CellCapacity {
    const found = plan.cells.find((c) => c.region === region);
    if (!found) throw new Error(`the capacity plan has no cell in ${region}; it has ${plan.cells.map((c) => c.region).join(", ")}`);
    return found;
}

/** "when us-east-1 is down", "when us-east-1 and eu-central-1 are down", or "with every region up". */
export function describeFailure(failed: readonly string[]): string {
    if (failed.length === 0) return "with every region up";
    if (failed.length === 1) return `when ${failed[0]} is down`;
    return `when ${failed.slice(0, -1).join(", ")} and ${failed[failed.length - 1]} are down`;
}

/** 25000 → "25,000" (locale-independent). */
export function fmt(n: number): string {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
