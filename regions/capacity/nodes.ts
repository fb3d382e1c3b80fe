/**
 * Nodes: the instance types the sizing supports, what the EKS AMI reserves on each, and how
 * many API pods one node holds (docs/capacity.md).
 */

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

/** The compute tier's sizing inputs, as plain values. */
export interface ComputeSizing {
    /** A key of `INSTANCE_TYPES`. */
    readonly instanceType: string;
    /** CPU request of one API pod in millicores. */
    readonly podCpuMillis: number;
    /** Memory request of one API pod in MiB. */
    readonly podMemoryMiB: number;
    /** @default DEFAULT_DAEMONSETS */
    readonly daemonSets?: DaemonSetBudget;
}

export interface PodsPerNode {
    readonly pods: number;
    /** The resource that runs out first. */
    readonly limitedBy: "cpu" | "memory" | "pod slots";
}

/** API pods one node holds after the DaemonSets: the smallest of the CPU, memory and pod-slot fits. */
export function podsPerNode(allocatable: NodeAllocatable, sizing: Omit<ComputeSizing, "instanceType">): PodsPerNode {
    const daemonSets = sizing.daemonSets ?? DEFAULT_DAEMONSETS;
    const fits: [number, PodsPerNode["limitedBy"]][] = [
        [Math.floor((allocatable.cpuMillis - daemonSets.cpuMillis) / sizing.podCpuMillis), "cpu"],
        [Math.floor((allocatable.memoryMiB - daemonSets.memoryMiB) / sizing.podMemoryMiB), "memory"],
        [allocatable.pods - daemonSets.pods, "pod slots"],
    ];
    const [pods, limitedBy] = fits.reduce((best, fit) => (fit[0] < best[0] ? fit : best));
    return { pods: Math.max(0, pods), limitedBy };
}

/** Nodes per AZ for `pods` spread evenly over `azs` AZs: the nodes for ceil(pods / azs), plus one spare. */
export function nodesPerAzFor(pods: number, azs: number, perNode: number): number {
    return Math.ceil(Math.ceil(pods / azs) / perNode) + 1;
}

/** The most pods a cell of at most `maxNodes` nodes holds (the inverse: azs × nodesPerAzFor(p) ≤ maxNodes ⇔ p ≤ this). */
export function maxPodsFor(maxNodes: number, azs: number, perNode: number): number {
    return Math.max(0, azs * (Math.floor(maxNodes / azs) - 1) * perNode);
}

/** The node label that names a node's pool: the system node groups set it, and so does the Karpenter NodePool's template. */
export const POOL_LABEL = "platform/pool";

/**
 * The two pools. `system`: the fixed managed node groups, for the controllers and the monitoring
 * stack; `api`: Karpenter's nodes, for the API's pods and their warm placeholders only, so that
 * the NodePool's limits (sized by this model for API pods and DaemonSets) hold what the model
 * says. Every workload the program runs, other than the DaemonSets, selects one.
 */
export const POOLS = { system: "system", api: "api" } as const;

/** The nodeSelector that places a pod on `pool`. */
export function onPool(pool: keyof typeof POOLS): Record<string, string> {
    return { [POOL_LABEL]: POOLS[pool] };
}
