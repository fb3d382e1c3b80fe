/**
 * `platform:compute`: the EKS clusters, their nodes and the API pods, the same in every cell.
 * Every key is optional; the defaults are the production sizing of the seed plan.
 *
 * ```yaml
 * platform:compute:
 *   kubernetesVersion: "1.36"              # a minor of regions/versions.ts
 *   deployRoleArn: arn:aws:iam::123456789012:role/platform-deploy  # optional; default: the role running `pulumi up`
 *   adminRoleArn: arn:aws:iam::123456789012:role/platform-admins   # optional (needs deployRoleArn)
 *   publicEndpoint:                        # optional; default: private API endpoint only
 *     cidrs: [203.0.113.10/32]             # the deploy runner's egress
 *     reason: first deploy from the release runner
 *     until: "2026-12-16"                  # the pack flags it once this date is past
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
import { z } from "zod";
import { DEFAULT_DAEMONSETS, INSTANCE_TYPES, nodeAllocatable, podsPerNode } from "../regions/capacity/nodes";
import { parseCidr } from "../regions/cidr";
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, isGraviton } from "../regions/versions";
import { didYouMean } from "./issues";
import { show } from "./problems";
import { type Immutable, checked, defaulted, integer, list, oneOf, settings, text } from "./schema";

const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const KNOWN_TYPES = Object.keys(INSTANCE_TYPES);

const publicAccessCidr = checked(z.string().meta({ allowed: "an IPv4 CIDR such as 203.0.113.0/24" }), (cidr, report) => {
    const parsed = parseCidr(cidr);
    if (typeof parsed === "string") report(`${show(cidr)} ${parsed}`);
    else if (parsed.prefix === 0)
        report(
            `${show(cidr)} opens the Kubernetes API to the whole internet; list your operators' CIDRs, or leave the list empty for a private endpoint only`,
        );
});

// EKS tags: letters, digits, spaces and + - = . _ : / @, at most 256 (AWS tagging rules, read 2026-12-02).
const TAG_TEXT = /^[\p{L}\p{N} +\-=._:/@]{3,256}$/u;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const isoDate = checked(text(ISO_DATE, 'a date as "YYYY-MM-DD" (quoted)'), (date, report) => {
    const parsed = new Date(`${date}T00:00:00Z`);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) report(`${show(date)} is not a calendar date`);
});

/**
 * A stated, dated exception to the private-only endpoint (the pack's eks-1 rule): the first
 * `pulumi up` creates the VPCs, so nothing can be inside them yet (docs/compute.md, "First deploy").
 */
const publicEndpoint = settings({
    cidrs: list(publicAccessCidr, "a list of IPv4 CIDRs such as [203.0.113.10/32], none of them /0", 1).describe(
        "the deploy runner's egress CIDRs",
    ),
    reason: text(TAG_TEXT, "3 to 256 letters, digits, spaces or + - = . _ : / @ (an EKS tag value)").describe(
        "why the endpoint is public (tagged on the cluster, shown by the pack)",
    ),
    until: isoDate.describe("last day of the exception; the pack refuses the endpoint after it"),
});

// The capacity model packs pods into nodes by these types' allocatable resources: each must be known.
const instanceType = checked(text(INSTANCE_TYPE, "an EC2 instance type such as m7i.xlarge"), (type, report) => {
    if (INSTANCE_TYPES[type] === undefined) {
        report(
            `${show(type)} is not known to the capacity model; ${didYouMean(type, KNOWN_TYPES)}use one of ${KNOWN_TYPES.join(", ")} (or add a row to INSTANCE_TYPES in regions/capacity/nodes.ts)`,
        );
    }
});

// The capacity model sizes nodes from one type (pods per node), and Karpenter's NodePool and the system node
// groups may launch any of them: all must be distinct, of one architecture and one size.
const instanceTypes = checked(
    list(instanceType, "at least 2 distinct EC2 instance types of one architecture and size, e.g. [m7i.xlarge, m6i.xlarge]", 2),
    (types, report) => {
        const duplicates = types.filter((t, i) => types.indexOf(t) !== i);
        if (duplicates.length > 0) report(`${show(types)} lists ${duplicates.join(", ")} twice; list distinct types`);
        const arm = types.filter(isGraviton);
        if (arm.length > 0 && arm.length < types.length) {
            report(
                `${show(types)} mixes Graviton (${arm.join(", ")}) and x86 types; a node group runs one architecture: list types of one kind`,
            );
        }
        const sized = types.map((t) => INSTANCE_TYPES[t]);
        if (sized.some((t) => t.vcpus !== sized[0].vcpus || t.memoryMiB !== sized[0].memoryMiB)) {
            const describe = sized.map((t) => `${t.name} ${t.vcpus} vCPU/${t.memoryMiB / 1024} GiB`).join(", ");
            report(
                `${show(types)} differ in size (${describe}); the capacity model sizes nodes from one type and Karpenter may launch any: list types of one vCPU and memory size`,
            );
        }
    },
);

/** `platform:compute`, all keys optional. */
export const COMPUTE_SCHEMA = defaulted(
    checked(
        settings({
            kubernetesVersion: oneOf(Object.keys(KUBERNETES_VERSIONS) as [string, ...string[]], {
                refused: "is not a version this program pins add-ons for",
            })
                .default(DEFAULT_KUBERNETES_VERSION)
                .describe("EKS minor version (add-ons pinned in regions/versions.ts)"),
            deployRoleArn: text(ROLE_ARN, "an IAM role ARN such as arn:aws:iam::123456789012:role/platform-deploy")
                .optional()
                .meta({ fallback: "the IAM role (or user) running `pulumi up`, read from the caller's session" })
                .describe("IAM role that runs `pulumi up`: given cluster-admin through an explicit EKS access entry"),
            adminRoleArn: text(ROLE_ARN, "an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins")
                .optional()
                .meta({ fallback: "none: only the deploy role is admin" })
                .describe("IAM role given cluster-admin through an EKS access entry (needs deployRoleArn)"),
            publicEndpoint: publicEndpoint
                .optional()
                .meta({ fallback: "none: the API endpoint is private only" })
                .describe("a dated exception: the public API endpoint, open to the runner's CIDRs (first deploy)"),
            instanceTypes: instanceTypes.default(["m7i.xlarge", "m6i.xlarge"]).describe("Node instance types (capacity diversity)"),
            systemNodesPerAz: integer(1, 10)
                .default(1)
                .describe("Fixed size of each AZ's system node group (cluster controllers, Karpenter); the API's nodes are Karpenter's"),
            rootVolumeGiB: integer(20, 1000).default(50).describe("Root volume of each node, GiB (gp3, encrypted)"),
            podCpuMillicores: integer(50, 16000).default(500).describe("CPU request of one API pod, millicores"),
            podMemoryMiB: integer(64, 65536).default(512).describe("Memory request (and limit) of one API pod, MiB"),
        }),
        (compute, report) => {
            // Both entries are declared from plain values, so the program can tell whether they are one principal.
            if (compute.adminRoleArn !== undefined && compute.deployRoleArn === undefined)
                report(
                    `adminRoleArn ${show(compute.adminRoleArn)} needs deployRoleArn too (the role that runs \`pulumi up\`; it may be the same role, then one access entry is declared)`,
                    ["deployRoleArn"],
                );
            const node = INSTANCE_TYPES[compute.instanceTypes[0]];
            const allocatable = nodeAllocatable(node);
            const fit = podsPerNode(allocatable, { podCpuMillis: compute.podCpuMillicores, podMemoryMiB: compute.podMemoryMiB });
            if (fit.pods < 1) {
                const d = DEFAULT_DAEMONSETS;
                const free = `${allocatable.cpuMillis - d.cpuMillis}m CPU, ${allocatable.memoryMiB - d.memoryMiB} MiB, ${allocatable.pods - d.pods} pod slots`;
                report(
                    `an API pod requesting ${compute.podCpuMillicores}m CPU and ${compute.podMemoryMiB} MiB does not fit a ${node.name} node (${free} left after the DaemonSets; short of ${fit.limitedBy}); use a larger instance type or smaller requests`,
                );
            }
        },
        ["instanceTypes", "podCpuMillicores", "podMemoryMiB", "adminRoleArn", "deployRoleArn"],
    ).meta({ page: "docs/compute.md" }),
).describe(
    "EKS, nodes and API pods of every cell: Kubernetes version, admin role, public endpoint CIDRs, node instance types, pod requests",
);

export type ComputeConfig = Immutable<z.output<typeof COMPUTE_SCHEMA>>;

/** Every key at its default: the production sizing. */
export const COMPUTE_DEFAULTS: ComputeConfig = COMPUTE_SCHEMA.parse(undefined);
