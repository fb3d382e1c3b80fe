/**
 * `platform:compute`: the EKS clusters, their nodes and the API pods, the same in every cell.
 * Every key is optional; the defaults are the production sizing of the seed plan.
 *
 * ```yaml
 * platform:compute:
 *   kubernetesVersion: "1.36"              # a minor of regions/versions.ts
 *   adminRoleArn: arn:aws:iam::123456789012:role/platform-admins   # optional
 *   publicAccessCidrs: [203.0.113.0/24]    # optional; default: private API endpoint only
 *   instanceTypes: [m7i.xlarge, m6i.xlarge]
 *   rootVolumeGiB: 50
 *   podCpuMillicores: 500
 *   podMemoryMiB: 512
 * ```
 *
 * How many pods and nodes each cell runs is not config: the capacity model
 * (docs/capacity.md) derives the HPA and node group ranges from `platform:capacity`,
 * the traffic and these pod requests and instance types.
 */
import { DEFAULT_DAEMONSETS, INSTANCE_TYPES, nodeAllocatable, podsPerNode } from "../regions/capacity/nodes";
import { parseCidr } from "../regions/cidr";
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, isGraviton } from "../regions/versions";
import { type Reader, show } from "./problems";

export interface ComputeConfig {
    /** EKS minor version. @default "1.36" */
    readonly kubernetesVersion: string;
    /**
     * IAM role given cluster-admin through an EKS access entry. @default none: only the
     * identity that creates the cluster (the deployer) is admin, through EKS's bootstrap entry.
     */
    readonly adminRoleArn?: string;
    /** CIDRs allowed to the public API endpoint. @default [] (public endpoint off) */
    readonly publicAccessCidrs: readonly string[];
    /** Node instance types, at least two (capacity diversity). @default ["m7i.xlarge", "m6i.xlarge"] */
    readonly instanceTypes: readonly string[];
    /** Root volume of each node (gp3, encrypted). @default 50 */
    readonly rootVolumeGiB: number;
    /** CPU request of one API pod, in millicores. @default 500 */
    readonly podCpuMillicores: number;
    /** Memory request (and limit) of one API pod, in MiB. @default 512 */
    readonly podMemoryMiB: number;
}

export const COMPUTE_DEFAULTS = {
    instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
    rootVolumeGiB: 50,
    podCpuMillicores: 500,
    podMemoryMiB: 512,
} as const;

const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const KEYS = [
    "kubernetesVersion",
    "adminRoleArn",
    "publicAccessCidrs",
    "instanceTypes",
    "rootVolumeGiB",
    "podCpuMillicores",
    "podMemoryMiB",
];

/** Reads `platform:compute` below `root`, reporting every problem with its path. */
export function parseCompute(root: Reader): ComputeConfig {
    const r = root.object("compute");
    r.noUnknownKeys(KEYS);
    const known = Object.keys(KUBERNETES_VERSIONS).join(", ");
    let kubernetesVersion = DEFAULT_KUBERNETES_VERSION;
    if (typeof r.value.kubernetesVersion === "number") {
        // YAML reads 1.30 as the number 1.3: a version must be a quoted string.
        r.report(r.at("kubernetesVersion"), `${show(r.value.kubernetesVersion)} is a number; quote the version ("1.36"): one of ${known}`);
    } else {
        kubernetesVersion = r.string("kubernetesVersion", { default: DEFAULT_KUBERNETES_VERSION });
    }
    if (!(kubernetesVersion in KUBERNETES_VERSIONS)) {
        r.report(
            r.at("kubernetesVersion"),
            `${show(kubernetesVersion)} is not a version this program pins add-ons for; use one of ${known} (quote it in YAML: "1.36")`,
        );
    }
    const adminRoleArn = r.optionalString("adminRoleArn", {
        pattern: ROLE_ARN,
        allowed: "an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins",
    });
    const publicAccessCidrs = r.strings("publicAccessCidrs", { default: [] });
    publicAccessCidrs.forEach((text, i) => {
        const at = `${r.at("publicAccessCidrs")}[${i}]`;
        const parsed = parseCidr(text);
        if (typeof parsed === "string") r.report(at, `${show(text)} ${parsed}`);
        else if (parsed.prefix === 0)
            r.report(
                at,
                `${show(text)} opens the Kubernetes API to the whole internet; list your operators' CIDRs, or leave the list empty for a private endpoint only`,
            );
    });
    const instanceTypes = r.strings("instanceTypes", {
        default: COMPUTE_DEFAULTS.instanceTypes,
        pattern: INSTANCE_TYPE,
        allowed: "an EC2 instance type such as m7i.xlarge",
        minItems: 2,
    });
    const duplicates = instanceTypes.filter((t, i) => instanceTypes.indexOf(t) !== i);
    if (duplicates.length > 0)
        r.report(r.at("instanceTypes"), `${show(instanceTypes)} lists ${duplicates.join(", ")} twice; list distinct types`);
    const arm = instanceTypes.filter(isGraviton);
    if (arm.length > 0 && arm.length < instanceTypes.length) {
        r.report(
            r.at("instanceTypes"),
            `${show(instanceTypes)} mixes Graviton (${arm.join(", ")}) and x86 types; a node group runs one architecture: list types of one kind`,
        );
    }

    // The capacity model packs pods into nodes by these types' allocatable resources, and
    // Cluster Autoscaler sizes a group from one type: each must be known and all the same size.
    const unknown = instanceTypes.filter((t) => INSTANCE_TYPE.test(t) && INSTANCE_TYPES[t] === undefined);
    if (unknown.length > 0) {
        r.report(
            r.at("instanceTypes"),
            `${show(unknown)} unknown to the capacity model; use types of ${Object.keys(INSTANCE_TYPES).join(", ")} (or add a row to INSTANCE_TYPES in regions/capacity/nodes.ts)`,
        );
    }
    const sized = instanceTypes.filter((t) => INSTANCE_TYPES[t] !== undefined).map((t) => INSTANCE_TYPES[t]);
    if (sized.some((t) => t.vcpus !== sized[0].vcpus || t.memoryMiB !== sized[0].memoryMiB)) {
        const describe = sized.map((t) => `${t.name} ${t.vcpus} vCPU/${t.memoryMiB / 1024} GiB`).join(", ");
        r.report(
            r.at("instanceTypes"),
            `${show(instanceTypes)} differ in size (${describe}); Cluster Autoscaler needs types of one vCPU and memory size in a node group`,
        );
    }

    const rootVolumeGiB = r.integer("rootVolumeGiB", { min: 20, max: 1000, default: COMPUTE_DEFAULTS.rootVolumeGiB });
    const podCpuMillicores = r.integer("podCpuMillicores", { min: 50, max: 16000, default: COMPUTE_DEFAULTS.podCpuMillicores });
    const podMemoryMiB = r.integer("podMemoryMiB", { min: 64, max: 65536, default: COMPUTE_DEFAULTS.podMemoryMiB });
    const node = INSTANCE_TYPES[instanceTypes[0]];
    if (node) {
        const allocatable = nodeAllocatable(node);
        const fit = podsPerNode(allocatable, { podCpuMillis: podCpuMillicores, podMemoryMiB });
        if (fit.pods < 1) {
            const d = DEFAULT_DAEMONSETS;
            const free = `${allocatable.cpuMillis - d.cpuMillis}m CPU, ${allocatable.memoryMiB - d.memoryMiB} MiB, ${allocatable.pods - d.pods} pod slots`;
            r.report(
                r.path,
                `an API pod requesting ${podCpuMillicores}m CPU and ${podMemoryMiB} MiB does not fit a ${node.name} node (${free} left after the DaemonSets; short of ${fit.limitedBy}); use a larger instance type or smaller requests`,
            );
        }
    }
    return { kubernetesVersion, adminRoleArn, publicAccessCidrs, instanceTypes, rootVolumeGiB, podCpuMillicores, podMemoryMiB };
}
