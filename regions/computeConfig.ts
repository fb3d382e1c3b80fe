/**
 * `platform:compute`: the EKS clusters, their nodes and the API pods, the same in every cell.
 * Every key is optional; the defaults are the production sizing of the seed plan.
 *
 * ```yaml
 * platform:compute:
 *   kubernetesVersion: "1.36"              # a minor of components/versions.ts
 *   adminRoleArn: arn:aws:iam::123456789012:role/platform-admins   # optional
 *   publicAccessCidrs: [203.0.113.0/24]    # optional; default: private API endpoint only
 *   instanceTypes: [m7i.xlarge, m6i.xlarge]
 *   nodesPerZone: { min: 2, desired: 2, max: 6 }
 *   rootVolumeGiB: 50
 *   podCpuMillicores: 500
 *   podMemoryMiB: 512
 *   replicas: { min: 6, max: 36 }
 * ```
 */
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, isGraviton } from "../components/versions";
import { parseCidr } from "./cidr";
import { NodeShape, instanceShape } from "./instanceShapes";
import { Reader, show } from "./problems";

export interface ScalingRange {
    readonly min: number;
    readonly max: number;
}

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
    /**
     * vCPU and memory of one node, when the first instance type's shape is known (m, c, r, t
     * families): what the capacity model packs pods into. @default { vcpu: 4, memoryGiB: 16 }
     */
    readonly nodeShape?: NodeShape;
    /** Nodes of each AZ's node group. @default { min: 2, desired: 2, max: 6 } */
    readonly nodesPerZone: ScalingRange & { readonly desired: number };
    /** Root volume of each node (gp3, encrypted). @default 50 */
    readonly rootVolumeGiB: number;
    /** CPU request of one API pod, in millicores. @default 500 */
    readonly podCpuMillicores: number;
    /** Memory request (and limit) of one API pod, in MiB. @default 512 */
    readonly podMemoryMiB: number;
    /** API pods per cell: the HPA's range. @default { min: 6, max: 36 } */
    readonly replicas: ScalingRange;
}

export const COMPUTE_DEFAULTS = {
    instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
    nodesPerZone: { min: 2, desired: 2, max: 6 },
    rootVolumeGiB: 50,
    podCpuMillicores: 500,
    podMemoryMiB: 512,
    replicas: { min: 6, max: 36 },
} as const;

const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const KEYS = ["kubernetesVersion", "adminRoleArn", "publicAccessCidrs", "instanceTypes", "nodesPerZone", "rootVolumeGiB", "podCpuMillicores", "podMemoryMiB", "replicas"];

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
        r.report(r.at("kubernetesVersion"), `${show(kubernetesVersion)} is not a version this program pins add-ons for; use one of ${known} (quote it in YAML: "1.36")`);
    }
    const adminRoleArn = r.optionalString("adminRoleArn", { pattern: ROLE_ARN, allowed: "an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins" });
    const publicAccessCidrs = r.strings("publicAccessCidrs", { default: [] });
    publicAccessCidrs.forEach((text, i) => {
        const at = `${r.at("publicAccessCidrs")}[${i}]`;
        const parsed = parseCidr(text);
        if (typeof parsed === "string") r.report(at, `${show(text)} ${parsed}`);
        else if (parsed.prefix === 0) r.report(at, `${show(text)} opens the Kubernetes API to the whole internet; list your operators' CIDRs, or leave the list empty for a private endpoint only`);
    });
    const instanceTypes = r.strings("instanceTypes", { default: COMPUTE_DEFAULTS.instanceTypes, pattern: INSTANCE_TYPE, allowed: "an EC2 instance type such as m7i.xlarge", minItems: 2 });
    const duplicates = instanceTypes.filter((t, i) => instanceTypes.indexOf(t) !== i);
    if (duplicates.length > 0) r.report(r.at("instanceTypes"), `${show(instanceTypes)} lists ${duplicates.join(", ")} twice; list distinct types`);
    const arm = instanceTypes.filter(isGraviton);
    if (arm.length > 0 && arm.length < instanceTypes.length) {
        r.report(r.at("instanceTypes"), `${show(instanceTypes)} mixes Graviton (${arm.join(", ")}) and x86 types; a node group runs one architecture: list types of one kind`);
    }

    // Cluster Autoscaler sizes a group from one type: every type must offer the same vCPU and memory.
    const shapes = instanceTypes.map((t) => ({ type: t, shape: instanceShape(t) }));
    const sized = shapes.filter((s) => s.shape !== undefined);
    const differing = sized.filter((s) => s.shape!.vcpu !== sized[0].shape!.vcpu || s.shape!.memoryGiB !== sized[0].shape!.memoryGiB);
    if (differing.length > 0) {
        const describe = (s: (typeof sized)[number]) => `${s.type} ${s.shape!.vcpu} vCPU/${s.shape!.memoryGiB} GiB`;
        r.report(r.at("instanceTypes"), `${show(instanceTypes)} differ in size (${sized.map(describe).join(", ")}); Cluster Autoscaler needs types of one vCPU and memory size in a node group`);
    }

    const nodes = r.object("nodesPerZone");
    nodes.noUnknownKeys(["min", "desired", "max"]);
    const nodesPerZone = {
        min: nodes.integer("min", { min: 1, default: COMPUTE_DEFAULTS.nodesPerZone.min }),
        desired: nodes.integer("desired", { min: 1, default: COMPUTE_DEFAULTS.nodesPerZone.desired }),
        max: nodes.integer("max", { min: 1, max: 100, default: COMPUTE_DEFAULTS.nodesPerZone.max }),
    };
    if (nodesPerZone.min > nodesPerZone.max) nodes.report(nodes.path, `min ${nodesPerZone.min} is above max ${nodesPerZone.max}; min ≤ desired ≤ max`);
    else if (nodesPerZone.desired < nodesPerZone.min || nodesPerZone.desired > nodesPerZone.max) {
        nodes.report(nodes.at("desired"), `${nodesPerZone.desired} is outside [${nodesPerZone.min}, ${nodesPerZone.max}]; min ≤ desired ≤ max`);
    }

    const rep = r.object("replicas");
    rep.noUnknownKeys(["min", "max"]);
    // Three: one pod per AZ, so that losing an AZ never takes the cell's API down.
    const replicas = { min: rep.integer("min", { min: 3, default: COMPUTE_DEFAULTS.replicas.min }), max: rep.integer("max", { min: 3, default: COMPUTE_DEFAULTS.replicas.max }) };
    if (replicas.min > replicas.max) rep.report(rep.path, `min ${replicas.min} is above max ${replicas.max}; the HPA needs min ≤ max`);

    return {
        kubernetesVersion,
        adminRoleArn,
        publicAccessCidrs,
        instanceTypes,
        nodeShape: instanceShape(instanceTypes[0] ?? ""),
        nodesPerZone,
        rootVolumeGiB: r.integer("rootVolumeGiB", { min: 20, max: 1000, default: COMPUTE_DEFAULTS.rootVolumeGiB }),
        podCpuMillicores: r.integer("podCpuMillicores", { min: 50, max: 16000, default: COMPUTE_DEFAULTS.podCpuMillicores }),
        podMemoryMiB: r.integer("podMemoryMiB", { min: 64, max: 65536, default: COMPUTE_DEFAULTS.podMemoryMiB }),
        replicas,
    };
}
